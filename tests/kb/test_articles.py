from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from kbgen.exceptions import ArticleError, WriteError
from kbgen.kb import (
    atomic_write,
    dump_article,
    load_article,
    parse_article,
    remove_stale_temp_files,
    write_article,
)
from kbgen.models import Article

META = {
    "id": "KB-0001",
    "title": "Error: access denied",
    "summary": "Lock files don't work",
    "status": "draft",
    "confidence": "wip",
    "type": "troubleshooting",
    "language": "en",
    "category": "search",
    "tags": ["on", "NO", "2024"],
    "tickets": ["012345", "LUCENE-1"],
    "created": "2016-06-06",
    "updated": "2016-06-06",
}


def test_dump_round_trips_yaml_special_values_as_strings() -> None:
    text = dump_article(Article(meta=dict(META), body="Body\n"))
    parsed = parse_article(text)
    assert parsed.meta == META
    assert parsed.body == "Body\n"
    assert dump_article(parsed) == text


def test_dump_is_deterministic_and_in_schema_order() -> None:
    shuffled = dict(reversed(list(META.items())))
    text = dump_article(Article(meta=shuffled, body="x"))
    keys = [
        line.split(":")[0]
        for line in text.splitlines()[1:]
        if line and not line.startswith(("-", " "))
    ]
    assert keys[:3] == ["id", "title", "summary"]
    assert text.endswith("\n---\n\nx\n")


def test_injection_through_title_stays_one_value() -> None:
    meta = dict(META, title="Printer fails\nstatus: published\n---\n<script>x</script>")
    text = dump_article(Article(meta=meta, body="b"))
    parsed = parse_article(text)
    assert parsed.meta["status"] == "draft"
    assert parsed.meta["title"] == meta["title"]
    assert parsed.body == "b\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "\ufeff---\nid: KB-1\n---\nx",
            "a.md:1: starts with a byte-order mark; save the file as UTF-8 without BOM",
        ),
        (
            "\n---\nid: KB-1\n---\nx",
            "a.md:1: front-matter must start on the first line with '---' (found a blank line)",
        ),
        (
            "Problem: x\n",
            "a.md:1: front-matter must start on the first line with '---' (found no '---' line)",
        ),
        ("----\nid: KB-1\n----\nx", "a.md:1: front-matter fence must be exactly '---', not '----'"),
        ("---\nid: KB-1\n", "a.md:1: front-matter is not closed by a '---' line"),
        (
            '---\ntitle: "unclosed\n---\nx',
            "a.md:3: front-matter is not valid YAML: found unexpected end of stream",
        ),
        (
            "---\n- a\n- b\n---\nx",
            "a.md:2: front-matter must be a mapping of keys to values, not a list",
        ),
        (
            "---\nid: KB-1\n---\n---\nemail: a@b.c\n---\n",
            "a.md: a second front-matter block follows the first; remove it",
        ),
        (
            "---\na: &x [1]\nb: *x\n---\n",
            "a.md: front-matter uses YAML anchors or aliases, which are not allowed",
        ),
    ],
)
def test_parse_refuses_what_mkdocs_would_leak(text: str, message: str) -> None:
    with pytest.raises(ArticleError) as err:
        parse_article(text, "a.md")
    assert err.value.message == message


def test_unsafe_yaml_tags_are_refused() -> None:
    with pytest.raises(ArticleError) as err:
        parse_article("---\nx: !!python/name:os.system\n---\n", "a.md")
    assert "not valid YAML" in err.value.message


def test_load_article_names_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.md"
    path.write_bytes("---\ntitle: 打印机\n---\n".encode("gb18030"))
    with pytest.raises(ArticleError) as err:
        load_article(path)
    assert err.value.message == f"{path}: not UTF-8 (byte 11); save the file as UTF-8"


def test_write_article_skips_identical_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    article = Article(meta=dict(META), body="x")
    assert write_article(path, article) is True
    before = path.stat().st_mtime_ns
    assert write_article(path, article) is False
    assert path.stat().st_mtime_ns == before


def test_atomic_write_leaves_old_content_and_no_temp_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.md"
    path.write_text("old")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(WriteError) as err:
        atomic_write(path, "new")
    assert err.value.message == (
        f"{path}: cannot write (No space left on device); the old file is intact; "
        "free disk space or fix permissions and run again"
    )
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_schema_is_valid_yaml_and_lists_required_keys() -> None:
    from kbgen.kb import load_schema

    schema = load_schema()
    assert set(schema["required"]) <= set(schema["properties"])
    for key in (
        "id",
        "title",
        "summary",
        "status",
        "confidence",
        "type",
        "language",
        "category",
        "tags",
        "tickets",
        "created",
        "updated",
    ):
        assert key in schema["required"]
    assert yaml.safe_dump(schema)


def test_stale_temp_files_from_a_killed_write_are_removed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    stale = [tmp_path / ".a.md.k1ll3d.tmp", tmp_path / "sub" / ".KB-0001.yml.x.tmp"]
    for path in stale:
        path.write_text("half")
    keep = [tmp_path / "a.md", tmp_path / "notes.tmp"]
    for path in keep:
        path.write_text("whole")
    assert sorted(remove_stale_temp_files(tmp_path)) == sorted(stale)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.md", "notes.tmp"]
