"""The published-site leak scan: personal data, secrets or internal host names in the built site.

Scanned: each page's title, meta description and the content region kbgen
staged (the parts that carry content; the theme's own markup around them is
the same on every page and would only cost time), plus ``search/search_index.json``,
``sitemap.xml``, ``tags.json`` and ``kbgen-pages.json`` in full (the JSON
files string by string, decoded). Any finding fails the build before the new
site is swapped in.
"""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.site.forked import ForkedCall

# text -> findings with .kind, .line, .column, .excerpt (kbgen.redaction.scan_text's shape)
Scanner = Callable[[str], list[Any]]


WHOLE_FILES = ("search/search_index.json", "sitemap.xml", "tags.json", "kbgen-pages.json")
# Written before MkDocs writes the first page: its theme's static templates, and the
# plugin's page manifest (on_env). Scanned as soon as the first page arrives.
EARLY_FILES = ("404.html", "sitemap.xml", "kbgen-pages.json")
# <title>, <meta name="description">, and the content region kbgen staged (whatever
# rendered it; see stage.CONTENT_START).
_CONTENT = re.compile(
    r"<title>.*?</title>|<meta name=\"description\"[^>]*>"
    r"|<!-- kbgen:content -->.*?<!-- /kbgen:content -->",
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

    BATCH_CHARS = 50_000

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.where: dict[str, list[tuple[str, int]]] = {}  # line -> [(file, line number)]
        self.found: list[tuple[str, Any]] = []  # (line, finding)
        self._pending: list[str] = []
        self._pending_chars = 0

    def add(self, file: str, text: str, first_line: int = 1) -> None:
        for number, line in enumerate(text.split("\n"), start=first_line):
            if not line.strip():
                continue
            places = self.where.get(line)
            if places is None:
                self.where[line] = places = []
                self._pending.append(line)
                self._pending_chars += len(line) + 1
            places.append((file, number))
        if self._pending_chars >= self.BATCH_CHARS:
            self._scan_pending()

    def _scan_pending(self) -> None:
        """Scan the new lines as one text; each finding is kept with the line it is on."""
        if self._pending:
            lines = self._pending
            self.found.extend((lines[f.line - 1], f) for f in self.scanner("\n".join(lines)))
            self._pending, self._pending_chars = [], 0

    def leaks(self) -> list[Leak]:
        """Every finding, placed at every file and line where its line occurs."""
        self._scan_pending()
        found = [
            Leak(file, number, f.column, f.kind, f.excerpt)
            for line, f in self.found
            for file, number in self.where[line]
        ]
        return sorted(found, key=lambda leak: (leak.file, leak.line, leak.column))


class _Scan:
    """What one build's scan has seen: pages as they were written, then the rest from disk.

    With ``site_dir`` known up front, the files that are final before the first
    page is written (EARLY_FILES) are scanned when the first page arrives, so
    they do not wait for the end of the build.
    """

    def __init__(self, scanner: Scanner, site_dir: Path | None = None) -> None:
        self.lines = _LineScanner(scanner)
        self.site_dir = site_dir
        self.pages: set[str] = set()
        self.files: set[str] = set()  # whole files scanned
        self._early_done = False

    def page(self, rel: str, html: str) -> None:
        """One built page (site-relative path): its title, description and article body."""
        self.pages.add(rel)
        if self.site_dir is not None and not self._early_done:
            self._early_done = True
            for early in EARLY_FILES:
                self._file(self.site_dir, early)
        for offset, text in _content_of(html):
            self.lines.add(rel, text, offset + 1)

    def finish(self, site_dir: Path) -> tuple[int, list[Leak]]:
        """Add what was not handed over (the 404 page, whole files); return (files, leaks)."""
        for path in sorted(site_dir.rglob("*.html")):
            rel = path.relative_to(site_dir).as_posix()
            if not rel.startswith("assets/") and rel not in self.pages:
                self.page(rel, path.read_text(encoding="utf-8"))
        for rel in WHOLE_FILES:
            self._file(site_dir, rel)
        return len(self.pages) + len(self.files), self.lines.leaks()

    def _file(self, site_dir: Path, rel: str) -> None:
        path = site_dir / rel
        if rel in self.files or rel in self.pages or not path.is_file():
            return
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".html"):
            self.page(rel, text)
            return
        self.files.add(rel)
        if rel.endswith(".json"):
            self._json_file(rel, text)
        else:
            self.lines.add(rel, text)

    def _json_file(self, rel: str, text: str) -> None:
        """Every string in the file (keys too), decoded, one line each.

        Material writes non-ASCII text as ``\\uXXXX`` escapes (search index,
        tags.json) and joins jieba's Chinese words with U+200B, which would hide
        words from a scan of the raw text. Decoded strings also repeat across
        the files (titles, tags), so each is scanned once. A finding's line is
        the entry's position in the file's list (``docs``, ``mappings``, or the
        top-level list), 1-based.
        """
        try:
            data = json.loads(text)
        except ValueError:
            self.lines.add(rel, text)  # not JSON after all: scan it as it is
            return
        for number, entry in enumerate(_json_entries(data), start=1):
            for value in _json_strings(entry):
                self.lines.add(rel, value.replace("\u200b", "").replace("\n", " "), number)


def _json_entries(data: Any) -> list[Any]:
    """The list a site JSON file is made of: its ``docs`` or ``mappings``, or itself."""
    if isinstance(data, dict):
        for key in ("docs", "mappings"):
            if isinstance(data.get(key), list):
                rest = {k: v for k, v in data.items() if k != key}
                return [*data[key], rest]
    return data if isinstance(data, list) else [data]


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _scan_in_child(scanner: Scanner, site_dir: Path, inbox: Any) -> tuple[int, list[Leak]]:
    scan = _Scan(scanner, site_dir)
    for rel, html in iter(inbox.get, None):
        scan.page(rel, html)
    return scan.finish(site_dir)


class SiteScan:
    """The leak scan of one build: pages go in as MkDocs writes them, leaks come out at the end.

    With fork available, a child process extracts and scans the pages while
    MkDocs renders the next ones (scanning costs about a quarter of rendering,
    and both are single-threaded); this process only hands each page over.
    Without fork, pages are scanned here as they arrive. If the child fails,
    :meth:`finish` scans the built site from disk in this process, which then
    raises the scanner's real error.
    """

    def __init__(self, scanner: Scanner, site_dir: Path, *, in_child: bool = True) -> None:
        self.scanner = scanner
        self.site_dir = site_dir
        self._here: _Scan | None = None
        self._child: ForkedCall | None = None
        if in_child and "fork" in multiprocessing.get_all_start_methods():
            # A Queue, not a Pipe: its feeder thread buffers, so put() never blocks the build.
            self._inbox = multiprocessing.get_context("fork").Queue()
            self._child = ForkedCall.start(
                _scan_in_child, scanner, site_dir, self._inbox, name="kbgen-leak-scan"
            )
        if self._child is None:
            self._here = _Scan(scanner, site_dir)

    def add_page(self, rel: str, html: str) -> None:
        """One built page (site-relative path), as MkDocs writes it."""
        if self._here is not None:
            self._here.page(rel, html)
        else:
            self._inbox.put((rel, html))

    def finish(self) -> tuple[int, list[Leak]]:
        """Scan what MkDocs wrote besides pages, wait for the scan; return (files, leaks)."""
        if self._here is not None:
            return self._here.finish(self.site_dir)
        assert self._child is not None
        self._inbox.put(None)
        done, found = self._child.result()
        self._inbox.close()
        if done:
            return found
        return _Scan(self.scanner).finish(self.site_dir)

    def close(self) -> None:
        """Stop the child early (the build failed before :meth:`finish`)."""
        if self._child is not None and self._child.process.is_alive():
            self._child.stop()
            # Pages still buffered for the dead child would keep the queue's feeder
            # thread, and so this process, waiting at exit.
            self._inbox.cancel_join_thread()
            self._inbox.close()


def scan_site(site_dir: Path, scanner: Scanner) -> tuple[int, list[Leak]]:
    """Scan an already built site in this process; return (files scanned, leaks)."""
    return _Scan(scanner).finish(site_dir)
