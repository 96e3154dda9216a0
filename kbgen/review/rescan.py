"""The check's independent look at an article: a PII/secret re-scan and a duplicate score.

Both delegate to the stage that owns the logic (``kbgen.redaction.scan_text``
and ``kbgen.search.similarity``). While a KB runs without those stages
installed, a small built-in fallback keeps the gate closed rather than open:
a few unambiguous patterns (emails, IPv4 addresses, mainland phone numbers,
``password: ...`` and bearer tokens, AWS keys) and a token-set Jaccard score.
The fallback is deliberately narrow; the redaction stage is the real scanner.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PiiHit:
    kind: str
    line: int
    column: int
    excerpt: str


_FALLBACK_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    (
        "ipv4",
        re.compile(
            r"(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![0-9.])"
        ),
    ),
    ("phone", re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")),
    ("secret", re.compile(r"(?i)(?:password|passwd|pwd|密码)\s*[:：=]\s*\S+")),
    ("secret", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{12,}=*")),
    ("secret", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
]


def _fallback_scan(text: str, internal_hosts: list[str], allow: list[str]) -> list[PiiHit]:
    hits: list[PiiHit] = []
    patterns = list(_FALLBACK_PATTERNS)
    for host in internal_hosts:
        patterns.append(("internal_host", re.compile(re.escape(host), re.IGNORECASE)))
    for number, line in enumerate(text.split("\n"), start=1):
        for kind, pattern in patterns:
            for match in pattern.finditer(line):
                if any(a and a in match.group(0) for a in allow):
                    continue
                hits.append(PiiHit(kind, number, match.start() + 1, match.group(0)))
    return hits


def _stage_function(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` when that stage is installed, else None (imported by name: it may not exist yet)."""
    try:
        found = importlib.import_module(module)
    except ImportError:
        return None
    function = getattr(found, name, None)
    return function if callable(function) else None


def scan_for_pii(text: str, *, internal_hosts: list[str], allow: list[str]) -> list[PiiHit]:
    """Every PII or secret in ``text``, with 1-based line and column."""
    scanner = _stage_function("kbgen.redaction", "scan_text")
    if scanner is None:
        return _fallback_scan(text, internal_hosts, allow)
    return [
        PiiHit(str(f.kind), int(f.line), int(f.column), str(f.excerpt))
        for f in scanner(text, internal_hosts=internal_hosts, allow=allow)
    ]


_WORD = re.compile(r"[A-Za-z0-9]{2,}|[\u3400-\u9fff]")


def _fallback_similarity(a: str, b: str) -> float:
    """Jaccard overlap of word sets (single Han characters count as words)."""
    left = {w.casefold() for w in _WORD.findall(a)}
    right = {w.casefold() for w in _WORD.findall(b)}
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def similarity(a: str, b: str) -> float:
    """0-1 similarity of two texts, from the search stage when it is installed."""
    search_similarity = _stage_function("kbgen.search", "similarity")
    if search_similarity is None:
        return _fallback_similarity(a, b)
    return float(search_similarity(a, b))
