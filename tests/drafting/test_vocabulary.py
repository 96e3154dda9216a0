"""Categories and tags go through the controlled vocabulary (with aliases)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kbgen.drafting.vocabulary import classify, load_vocabulary
from kbgen.exceptions import ConfigError


def test_aliases_map_to_canonical_names() -> None:
    vocab = load_vocabulary()
    result = classify(vocab, "", "", ["QueryParser"], ["core/queryparser"])
    assert (result.category, result.tags, result.unknown) == ("Search engine", ["query-parser"], [])


def test_unknown_values_are_filed_under_the_default_category_and_reported() -> None:
    result = classify(load_vocabulary(), "Facilities", "0", ["Blue <b>"], [])
    assert result.category == "General"  # the vocabulary's default_category: check accepts it
    assert result.tags == ["Blue ‹b›"]
    assert result.unknown == ["category:Facilities", "tag:Blue ‹b›"]
    assert classify(load_vocabulary(), "", "", [], []).category == "General"


def test_without_a_default_category_the_ticket_value_is_kept(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yml").write_text("categories:\n  - name: Mail\ntags: []\n")
    result = classify(load_vocabulary(tmp_path), "Facilities", "", [], [])
    assert (result.category, result.unknown) == ("Facilities", ["category:Facilities"])


def test_a_default_category_outside_the_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yml").write_text(
        "default_category: Misc\ncategories:\n  - name: Mail\ntags: []\n"
    )
    with pytest.raises(ConfigError) as err:
        load_vocabulary(tmp_path)
    assert err.value.message == (
        f"{tmp_path / 'vocabulary.yml'}: default_category 'Misc' is not one of the categories"
    )


def test_packaged_vocabulary_covers_the_sample_datasets(datasets: Path) -> None:
    vocab = load_vocabulary()
    jira = json.loads((datasets / "apache_jira_rest_search_LUCENE-1_to_10.json").read_text())
    components = {c["name"] for issue in jira["issues"] for c in issue["fields"]["components"]}
    assert {c for c in components if vocab.tag(c) is None or vocab.category(c) is None} == set()
    with open(datasets / "sgcc_ict_fault_incidents_zh.csv", newline="", encoding="utf-8") as fh:
        kinds = {row["异常类型"] for row in csv.DictReader(fh)} - {"", "0"}
    assert {k for k in kinds if vocab.category(k) is None} == set()


def test_kb_vocabulary_wins_and_conflicts_are_errors(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.yml").write_text(
        "categories:\n  - name: Mail\n    aliases: [outlook]\ntags: []\n"
    )
    assert load_vocabulary(tmp_path).category("OUTLOOK ") == "Mail"
    (tmp_path / "vocabulary.yml").write_text(
        "categories:\n  - name: Mail\n    aliases: [outlook]\n  - name: Office\n    aliases: [Outlook]\n"
    )
    with pytest.raises(ConfigError) as err:
        load_vocabulary(tmp_path)
    assert err.value.message == (
        f"{tmp_path}/vocabulary.yml: categories alias 'Outlook' is listed under both 'Mail' and 'Office'; "
        "keep it under one"
    )


def test_products_are_normalised_for_applies_to() -> None:
    from kbgen.drafting.draft import draft_article
    from kbgen.models import Environment

    from .fakes import ticket

    vocab = load_vocabulary()
    assert (vocab.product("i6000系统"), vocab.product("ERP系统"), vocab.product("财务管控")) == (
        "I6000",
        "ERP",
        "财务管控",
    )
    draft = draft_article(ticket("T-1", environment=Environment(product="i6000")), "KB-0001")
    assert draft.article.meta["applies_to"] == {"product": "I6000"}
