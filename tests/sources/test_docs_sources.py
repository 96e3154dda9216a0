"""docs/sources/ covers every built-in format and every mapping key."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from kbgen.sources import available_formats
from kbgen.sources.mapping import Mapping

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sources"


def test_every_format_is_in_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in available_formats():
        assert f"| `{name}` |" in index, f"docs/sources/index.md does not list {name}"


def test_every_mapping_key_is_documented() -> None:
    text = (DOCS / "mapping.md").read_text(encoding="utf-8")
    for spec in fields(Mapping):
        if spec.name not in ("path", "comment_spec", "children_spec", "ticket_filter"):
            assert f"\n{spec.name}:" in text, f"docs/sources/mapping.md does not show '{spec.name}'"
