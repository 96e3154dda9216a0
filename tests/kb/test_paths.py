"""File names are ASCII, capped, stable, and never leave content/articles/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbgen.exceptions import UnsafePathError
from kbgen.kb import article_filename, article_relpath, contained_path, unique_filename


def test_filename_from_id_and_title() -> None:
    assert article_filename("KB-0001", "lock files don't work") == "kb-0001-lock-files-dont-work.md"


def test_chinese_title_falls_back_to_the_id() -> None:
    assert (
        article_filename("KB-0002", "6月6日15:10，协同办公系统多个domino节点告警") == "kb-0002.md"
    )
    assert article_filename("KB-0003", "中" * 300) == "kb-0003.md"
    assert article_filename("KB-0004", "???") == "kb-0004.md"


def test_long_titles_are_cut_on_a_word_boundary() -> None:
    name = article_filename("KB-0005", "word " * 100)
    assert name == "kb-0005-" + "-".join(["word"] * 12) + ".md"
    assert len(name.encode()) <= 200


@pytest.mark.parametrize("title", ["../../x", "/etc/passwd", "a/b\\c", "x\x00y", "CON"])
def test_hostile_titles_give_plain_names(title: str) -> None:
    name = article_filename("KB-0006", title)
    assert "/" not in name and "\\" not in name and "\x00" not in name and ".." not in name
    assert name.startswith("kb-0006")


@pytest.mark.parametrize(
    "bad_id", ["../../x", "CON", "KB-1", "kb-0001", "KB-0001/..", "KB-0001\x00"]
)
def test_hostile_ids_are_refused(bad_id: str) -> None:
    with pytest.raises(UnsafePathError, match="is not of the form PREFIX-0001"):
        article_filename(bad_id, "title")


@pytest.mark.parametrize(
    "rel", ["../x.md", "content/../../x.md", "/abs.md", "a\x00b.md", "CON", "content/aux.md"]
)
def test_contained_path_refuses_escapes(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        contained_path(tmp_path, rel)


def test_contained_path_refuses_symlinks(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    os.symlink("/tmp", tmp_path / "content" / "articles")
    with pytest.raises(UnsafePathError) as err:
        contained_path(tmp_path, "content/articles/kb-0001.md")
    assert err.value.message == (
        f"refusing to write 'content/articles/kb-0001.md': {tmp_path}/content/articles is a symbolic link; "
        "replace it with a real directory or file"
    )


def test_article_relpath_is_one_component() -> None:
    assert article_relpath("kb-0001.md") == "content/articles/kb-0001.md"
    with pytest.raises(UnsafePathError):
        article_relpath("../kb-0001.md")


def test_unique_filename_is_stable_and_case_insensitive() -> None:
    assert unique_filename("kb-0001-x.md", {"KB-0001-X.md"}) == "kb-0001-x-2.md"
    assert unique_filename("kb-0001-x.md", {"kb-0001-x.md", "kb-0001-x-2.md"}) == "kb-0001-x-3.md"
    assert unique_filename("kb-0001-x.md", set()) == "kb-0001-x.md"
