"""Independent re-scan: where personal data or secrets remain in a text, with masked excerpts.

Used by ``kbgen check`` on articles and by the site build's leak scan over
rendered HTML and ``search_index.json``. It reuses the redactor's detectors
(without people, who are only known at capture time) and never reports
kbgen's own tokens or ``ph_*`` placeholders.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from kbgen.redaction.kinds import TOKENS
from kbgen.redaction.redactor import Redactor
from kbgen.redaction.textmap import DetectionText

EXCERPT_CONTEXT = 24


@dataclass(frozen=True)
class Finding:
    """One leak: 1-based ``line`` and ``column`` in the scanned text; ``excerpt`` is masked."""

    kind: str
    line: int
    column: int
    excerpt: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.kind}: {self.excerpt}"


@lru_cache(maxsize=32)
def _scanner(internal_hosts: tuple[str, ...], allow: tuple[str, ...]) -> Redactor:
    return Redactor(internal_hosts=internal_hosts, allow=allow, markdown=False)


def scan_text(
    text: str, *, internal_hosts: Iterable[str] = (), allow: Iterable[str] = ()
) -> list[Finding]:
    """Every remaining finding in ``text`` (Markdown, HTML or plain), in text order."""
    if not text:
        return []
    scanner = _scanner(tuple(internal_hosts), tuple(allow))
    detection = DetectionText(text, markdown=True)
    spans = [(*detection.span(s, e), kind) for s, e, kind in scanner.find_spans(detection.text)]
    findings: list[Finding] = []
    i = 0
    while i < len(spans):
        line_start = text.rfind("\n", 0, spans[i][0]) + 1
        line_end = text.find("\n", spans[i][0])
        line_end = len(text) if line_end == -1 else line_end
        on_line = []
        while i < len(spans) and spans[i][0] < line_end:
            on_line.append(spans[i])
            i += 1
        findings.extend(_line_findings(text, line_start, line_end, on_line))
    return findings


def _line_findings(
    text: str, line_start: int, line_end: int, spans: list[tuple[int, int, str]]
) -> Iterator[Finding]:
    """Findings of one line; the line is masked once, with every finding on it replaced by its token."""
    line_no = text.count("\n", 0, line_start) + 1
    pieces: list[str] = []
    token_at: list[tuple[int, int]] = []
    pos = line_start
    length = 0
    for start, end, kind in spans:
        before = text[pos : max(pos, start)]
        pieces += [before, TOKENS[kind]]
        token_at.append((length + len(before), length + len(before) + len(TOKENS[kind])))
        length += len(before) + len(TOKENS[kind])
        pos = max(pos, end)
    pieces.append(text[pos:line_end] if pos < line_end else "")
    masked = "".join(pieces)
    token_starts = [a for a, _b in token_at]
    for (start, _end, kind), (token_start, token_end) in zip(spans, token_at, strict=True):
        left = max(0, token_start - EXCERPT_CONTEXT)
        right = min(len(masked), token_end + EXCERPT_CONTEXT)
        # Never cut through another token: "[secre…" would read like a leak.
        left = _token_edge(token_at, token_starts, left, outward=False)
        right = _token_edge(token_at, token_starts, right, outward=True)
        excerpt = masked[left:right].strip()
        yield Finding(
            kind,
            line_no,
            start - line_start + 1,
            ("…" if left else "") + excerpt + ("…" if right < len(masked) else ""),
        )


def _token_edge(
    token_at: list[tuple[int, int]], token_starts: list[int], pos: int, *, outward: bool
) -> int:
    """``pos`` moved to the start (or, going outward to the right, the end) of a token it falls inside."""
    i = bisect_right(token_starts, pos) - 1
    if i >= 0 and token_at[i][0] < pos < token_at[i][1]:
        return token_at[i][1] if outward else token_at[i][0]
    return pos
