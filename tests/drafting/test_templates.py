"""Templates lay out sections per type and language; a KB can override any of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.drafting.draft import draft_article
from kbgen.drafting.templates import get_environment, render_body
from kbgen.exceptions import DraftError
from kbgen.models import Environment

from .fakes import ticket

CONTEXT = {
    "title": "t",
    "summary": "s",
    "symptoms": "SYMPTOMS",
    "cause": "CAUSE",
    "resolution": "FIX",
    "prevention": "",
    "needs_resolution": False,
    "tickets": ["T-1"],
    "environment": {"product": "Lucene", "component": "", "version": "1.2"},
}
HEADINGS = {
    ("troubleshooting", "en"): ["## Issue", "## Environment", "## Cause", "## Resolution"],
    ("troubleshooting", "zh"): ["## 问题现象", "## 影响范围", "## 原因分析", "## 处理过程"],
    ("howto", "en"): ["## Goal", "## Applies to", "## Steps", "## Background"],
    ("howto", "zh"): ["## 目标", "## 适用范围", "## 操作步骤", "## 背景说明"],
    ("known_error", "en"): ["## Symptoms", "## Environment", "## Cause", "## Workaround"],
    ("known_error", "zh"): ["## 问题现象", "## 影响范围", "## 原因分析", "## 处理过程"],
}


@pytest.mark.parametrize(("kind", "language"), sorted(HEADINGS))
def test_every_packaged_template_lays_out_its_sections(kind: str, language: str) -> None:
    body = render_body(get_environment(None), kind, language, CONTEXT)
    assert [ln for ln in body.splitlines() if ln.startswith("## ")] == HEADINGS[kind, language]
    assert "\n\n\n" not in body and body.endswith("\n")
    for value in ("SYMPTOMS", "CAUSE", "FIX", "Lucene", "1.2"):
        assert value in body


def test_chinese_prevention_section_when_given() -> None:
    body = render_body(
        get_environment(None), "troubleshooting", "zh", {**CONTEXT, "prevention": "定期巡检"}
    )
    assert body.endswith("## 整改措施\n\n定期巡检\n")


def test_kb_template_overrides_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "troubleshooting.en.md.j2").write_text("Custom: {{ symptoms }}\n")
    draft = draft_article(
        ticket("T-1", environment=Environment(product="X")),
        "KB-0001",
        env=get_environment(tmp_path),
    )
    assert draft.article.body == "Custom: The printer shows offline since the driver update.\n"


def test_undefined_variable_names_the_template(tmp_path: Path) -> None:
    (tmp_path / "troubleshooting.en.md.j2").write_text("{{ symptons }}\n")
    with pytest.raises(DraftError) as err:
        draft_article(ticket("T-1"), "KB-0001", env=get_environment(tmp_path))
    assert (
        err.value.message
        == "template troubleshooting.en.md.j2:1: 'symptons' is undefined; fix the template"
    )


def test_values_are_not_html_escaped_twice() -> None:
    draft = draft_article(ticket("T-1", problem="List&lt;String&gt; \\*fails\\*"), "KB-0001")
    assert "List&lt;String&gt; \\*fails\\*" in draft.article.body


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
        "{{ symptoms.__class__.__mro__[1].__subclasses__() }}",
        "{% set x = [] %}{{ x.append(1) }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
    ],
)
def test_a_template_that_reaches_for_internals_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "troubleshooting.en.md.j2").write_text(f"## Issue\n\n{payload}\n")
    with pytest.raises(DraftError) as err:
        draft_article(ticket("T-1"), "KB-0001", env=get_environment(tmp_path))
    assert err.value.message.startswith(
        "template troubleshooting.en.md.j2:3 reaches for Python internals ("
    )
    assert err.value.message.endswith(
        "; templates may only lay out the values kbgen passes in. Fix the template"
    )
    assert not (tmp_path / "PWNED").exists()
