"""The public surface: ``kbgen.__all__`` and the facts kept in one place."""

from __future__ import annotations

import re

import kbgen
from kbgen.article_types import ARTICLE_TYPES, NEEDED_MARKER
from kbgen.kb import ID_PATTERN, SCAFFOLD_DIR, load_schema, markdown_config


def test_the_public_api_is_pinned() -> None:
    # Like httpx: a change here is a change to the library's promise, made on purpose.
    assert kbgen.__all__ == [
        "Article",
        "ArticleError",
        "CheckFailed",
        "Comment",
        "Config",
        "ConfigError",
        "DraftError",
        "Environment",
        "ForgeError",
        "GitError",
        "KbgenError",
        "KnowledgeBase",
        "LockedError",
        "ReviewError",
        "SearchError",
        "SiteError",
        "SourceError",
        "StatsError",
        "Ticket",
        "UnsafePathError",
        "WriteError",
        "hookimpl",
        "load_config",
    ]
    for name in kbgen.__all__:
        assert getattr(kbgen, name) is not None


def test_the_schema_enum_is_the_article_type_table() -> None:
    schema = load_schema()
    assert schema["properties"]["type"]["enum"] == list(ARTICLE_TYPES)


def test_the_schema_id_patterns_are_the_one_id_pattern() -> None:
    schema = load_schema()
    for key in ("id", "redirect_to"):
        assert schema["properties"][key]["pattern"] == f"^{ID_PATTERN}$"


def test_every_type_has_a_template_per_language_and_its_markers_are_recognised() -> None:
    templates = SCAFFOLD_DIR / "content" / "templates"
    for name in ARTICLE_TYPES:
        for language in ("en", "zh"):
            text = (templates / f"{name}.{language}.md.j2").read_text(encoding="utf-8")
            for heading in re.findall(r'resolution_needed\("([^"]+)"', text):
                assert NEEDED_MARKER.search(f'!!! warning "{heading}"'), (name, language, heading)


def test_check_renders_with_the_sites_markdown_extensions() -> None:
    text = (SCAFFOLD_DIR / "mkdocs.yml").read_text(encoding="utf-8")
    block = text.split("\nmarkdown_extensions:\n", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^  - ([\w.]+)", block, re.MULTILINE)
    extensions, configs = markdown_config(SCAFFOLD_DIR)
    assert extensions == names and "toc" in names
    assert configs["toc"]["slugify"]("问题现象 A", "-") == "问题现象-a"
