"""The published-site leak scan: personal data, secrets or internal host names in the built site.

Scanned: each page's title, meta description and article body (the parts
that carry content; the theme's own markup around them is the same on every
page and would only cost time), plus ``search/search_index.json``,
``sitemap.xml``, ``tags.json`` and ``kbgen-pages.json`` in full. Any finding
fails the build before the new site is swapped in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.kb import KnowledgeBase

Scanner = Callable[[str], list[Any]]

WHOLE_FILES = ("search/search_index.json", "sitemap.xml", "tags.json", "kbgen-pages.json")
# <title>, <meta name="description">, and Material's <article> body.
_CONTENT = re.compile(
    r"<title>.*?</title>|<meta name=\"description\"[^>]*>|<article class=\"md-content__inner.*?</article>",
    re.S,
)


@dataclass(frozen=True)
class Leak:
    file: str  # relative to the site directory
    line: int
    column: int
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.kind}: {self.excerpt}"


def default_scanner(kb: KnowledgeBase) -> Scanner:
    """kbgen.redaction's re-scan, configured with the KB's internal hosts and allow-list."""
    from kbgen.redaction import scan_text

    redaction = kb.config.redaction

    def scan(text: str) -> list[Any]:
        return scan_text(text, internal_hosts=redaction.internal_hosts, allow=redaction.allow)

    return scan


def _content_of(html: str) -> Iterator[tuple[int, str]]:
    """(line offset, text) of each content region of a page, so findings keep real line numbers."""
    for match in _CONTENT.finditer(html):
        yield html.count("\n", 0, match.start()), match.group(0)


class _LineScanner:
    """Scans each distinct line once.

    Titles and summaries repeat on index pages, related-article lists, the
    search index and tags.json; scanning the union of distinct lines in
    batches keeps the scan proportional to the content, not to the site.
    """

    BATCH_CHARS = 200_000

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.where: dict[str, list[tuple[str, int]]] = {}  # line -> [(file, line number)]

    def add(self, file: str, text: str, first_line: int = 1) -> None:
        for number, line in enumerate(text.split("\n"), start=first_line):
            if line.strip():
                self.where.setdefault(line, []).append((file, number))

    def leaks(self) -> list[Leak]:
        found: list[Leak] = []
        batch: list[str] = []
        size = 0
        for line in self.where:
            batch.append(line)
            size += len(line) + 1
            if size >= self.BATCH_CHARS:
                found.extend(self._scan(batch))
                batch, size = [], 0
        if batch:
            found.extend(self._scan(batch))
        return sorted(found, key=lambda leak: (leak.file, leak.line, leak.column))

    def _scan(self, lines: list[str]) -> Iterator[Leak]:
        for f in self.scanner("\n".join(lines)):
            for file, number in self.where[lines[f.line - 1]]:
                yield Leak(file, number, f.column, f.kind, f.excerpt)


def scan_site(site_dir: Path, scanner: Scanner) -> tuple[int, list[Leak]]:
    """Scan the built site; return (files scanned, leaks)."""
    lines = _LineScanner(scanner)
    scanned = 0
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith("assets/"):
            continue
        scanned += 1
        html = path.read_text(encoding="utf-8")
        for offset, text in _content_of(html):
            lines.add(rel, text, offset + 1)
    for rel in WHOLE_FILES:
        path = site_dir / rel
        if path.is_file():
            scanned += 1
            lines.add(rel, path.read_text(encoding="utf-8"))
    return scanned, lines.leaks()
