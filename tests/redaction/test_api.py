"""The contract other stages code against (drafting, `kbgen check`, the site leak scan, stats)."""

from __future__ import annotations

import inspect

import kbgen.redaction as redaction
from kbgen.redaction import KINDS, TOKENS, Redacted, Redactor


def test_exported_names() -> None:
    assert sorted(redaction.__all__) == [
        "Finding", "KINDS", "Kind", "NAMES_NOTICE", "Redacted", "Redactor", "TOKENS", "scan_text",
    ]  # fmt: skip


def test_signatures() -> None:
    assert str(inspect.signature(Redactor)) == (
        "(*, internal_hosts: 'Iterable[str]' = (), terms: 'Iterable[str]' = (), "
        "people: 'Iterable[str]' = (), allow: 'Iterable[str]' = (), markdown: 'bool' = True) -> 'None'"
    )
    assert str(inspect.signature(redaction.scan_text)) == (
        "(text: 'str', *, internal_hosts: 'Iterable[str]' = (), allow: 'Iterable[str]' = ()) "
        "-> 'list[Finding]'"
    )


def test_tokens_table() -> None:
    assert {k.name: k.token for k in KINDS} == TOKENS
    assert TOKENS["email"] == "[email]"
    assert TOKENS["term"] == "[redacted]"


def test_redacted_counts_are_sorted_and_only_nonzero() -> None:
    result = Redactor().redact("10.0.0.9 a@b.co 10.0.0.8")
    assert result == Redacted("\\[ip\\] \\[email\\] \\[ip\\]", {"email": 1, "ip": 2})
    assert list(result.counts) == ["email", "ip"]


def test_docs_list_every_kind_and_token() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "redaction.md").read_text("utf-8")
    for kind in KINDS:
        assert f"| `{kind.name}` | `{kind.token}` |" in docs, kind.name
