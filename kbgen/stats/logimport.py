"""Page views from nginx/Apache combined-format access logs (plain or gzip).

For sites served without the collector. A line counts as a view when it is a
GET answered 200 or 304 for a page of the built site, from a user agent that
is not a bot. The IP address and user agent of each line are read and
forgotten; only ``(day, page)`` counts are stored.

Idempotence: a log is identified by its content (a hash of its first line),
not its name, so ``access.log.1`` and the rotated ``access.log.1.gz`` are the
same log. Counts and the number of lines done are committed together, per
chunk, so a re-run skips what was counted and a killed run resumes exactly.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from kbgen.exceptions import StatsError
from kbgen.stats.events import PageIndex, PageInfo, normalise_page
from kbgen.stats.privacy import is_bot
from kbgen.stats.store import StatsStore

CHUNK_LINES = 200_000

# host ident user [time] "METHOD target proto" status bytes "referer" "user agent"
# The fast form assumes no escaped quote in referer or user agent and must end the
# line; anything else is retried with the slower escape-aware form.
_FAST_LINE = re.compile(
    rb"\S+ \S+ \S+ \[(\d\d/\w{3}/\d{4}):(\d\d:\d\d):\d\d ([+-]\d{4})\] "
    rb'"([A-Z]+) (\S+)[^"]*" (\d{3}) \S+ "[^"]*" "([^"]*)"\r?\n'
)
_LINE = re.compile(
    rb"\S+ \S+ \S+ \[(\d\d/\w{3}/\d{4}):(\d\d:\d\d):\d\d ([+-]\d{4})\] "
    rb'"([A-Z]+) (\S+)(?: [^"]*)?" (\d{3}) \S+ "[^"\\]*(?:\\.[^"\\]*)*" "([^"\\]*(?:\\.[^"\\]*)*)"'
)
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip


@dataclass
class LogImportResult:
    path: str
    lines: int = 0  # complete lines read in this run (after any already imported)
    skipped_lines: int = 0  # lines counted by an earlier run
    views: int = 0
    bots: int = 0
    not_pages: int = 0  # assets, other paths, non-GET, errors
    malformed: int = 0

    def to_json(self) -> dict[str, int | str]:
        return dict(self.__dict__)

    def summary(self) -> str:
        if not self.lines and self.skipped_lines:
            return (
                f"{self.path}: already imported ({self.skipped_lines} lines), nothing counted again"
            )
        resumed = f" (resumed after line {self.skipped_lines})" if self.skipped_lines else ""
        return (
            f"{self.path}: {self.lines} lines{resumed}, {self.views} views counted, "
            f"{self.bots} bot lines, {self.not_pages} other requests, {self.malformed} unreadable lines"
        )


@dataclass
class _DayCache:
    """``10/Oct/2026`` + ``HH:MM`` + offset -> UTC day, memoised (a day has 1,440 minutes)."""

    cache: dict[tuple[bytes, bytes, bytes], str] = field(default_factory=dict)

    def day(self, date: bytes, minute: bytes, offset: bytes) -> str:
        key = (date, minute, offset)
        got = self.cache.get(key)
        if got is None:
            d, mon, y = date.decode().split("/")
            sign = -1 if offset[:1] == b"-" else 1
            delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
            local = dt.datetime(int(y), _MONTHS[mon], int(d), int(minute[:2]), int(minute[3:5]))
            got = (local - delta).date().isoformat()
            self.cache[key] = got
        return got


def _open(path: Path) -> IO[bytes] | gzip.GzipFile:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")  # noqa: SIM115 - returned to the caller's with-block


def log_identity(path: Path) -> str | None:
    """A key for the log's content: the hash of its first complete lines (None when empty).

    Up to the first non-blank line, so logs that start with blank lines stay distinct; a
    request line carries its own second-resolution timestamp and client.
    """
    head = b""
    try:
        with _open(path) as fh:
            for _ in range(100):
                line = fh.readline(65536)
                if not line.endswith(b"\n"):
                    return None  # nothing complete yet: import it later
                head += line
                if line.strip():
                    break
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise StatsError(f"{path}: cannot read the log: {exc}") from None
    return hashlib.sha256(head).hexdigest()[:32]


def import_log(
    store: StatsStore,
    path: Path,
    pages: PageIndex,
    *,
    chunk_lines: int = CHUNK_LINES,
    after_chunk: Callable[[int], None] | None = None,
) -> LogImportResult:
    """Count the page views in one access log; see the module docs for idempotence."""
    result = LogImportResult(str(path))
    known = pages.all()
    if not known:
        raise StatsError(
            f"{pages.path} is missing or empty: build the site first (kbgen build) so the "
            "import knows which paths are articles"
        )
    key = log_identity(path)
    if key is None:
        return result
    done = store.log_progress(key)
    result.skipped_lines = done
    lookup = _PageLookup(known)
    days = _DayCache()
    counts: dict[tuple[str, str, str], int] = {}
    line_no = 0
    fast, slow = _FAST_LINE.fullmatch, _LINE.match
    try:
        with _open(path) as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # a half-written last line waits for the next import
                line_no += 1
                if line_no <= done:
                    continue
                result.lines += 1
                match = fast(line) or slow(line)
                if match is None:
                    result.malformed += 1
                else:
                    _count(match.groups(), lookup, days, counts, result)
                if result.lines % chunk_lines == 0:
                    store.add_log_chunk(key, path.name, line_no, counts)
                    counts = {}
                    if after_chunk is not None:
                        after_chunk(line_no)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise StatsError(
            f"{path}: unreadable after line {line_no}: {exc}; the lines before it are counted, "
            "re-run the import after fixing the file"
        ) from None
    if result.lines % chunk_lines:
        store.add_log_chunk(key, path.name, line_no, counts)
    return result


class _PageLookup:
    """Request target -> page, memoised: logs repeat the same few hundred paths."""

    def __init__(self, known: dict[str, PageInfo]) -> None:
        self.known = known
        self.cache: dict[bytes, PageInfo | None] = {}
        self.bots: dict[bytes, bool] = {}

    def is_bot(self, agent: bytes) -> bool:
        got = self.bots.get(agent)
        if got is None:
            got = is_bot(agent.decode("utf-8", "replace"))
            if len(self.bots) < 100_000:
                self.bots[agent] = got
        return got

    def get(self, target: bytes) -> PageInfo | None:
        if target in self.cache:
            return self.cache[target]
        path = target.split(b"?", 1)[0].split(b"#", 1)[0]
        info = None
        if path.startswith(b"/"):
            try:
                text = unquote(path.decode("utf-8"), errors="strict")
            except UnicodeDecodeError:
                text = ""
            if text:
                info = self.known.get(normalise_page(text))
                if info is None and not text.endswith("/") and "." not in text.rsplit("/", 1)[-1]:
                    info = self.known.get(text + "/")  # MkDocs redirects /a/b to /a/b/
        if len(self.cache) < 100_000:
            self.cache[target] = info
        return info


def _count(
    groups: tuple[bytes, ...],
    lookup: _PageLookup,
    days: _DayCache,
    counts: dict[tuple[str, str, str], int],
    result: LogImportResult,
) -> None:
    date, minute, offset, method, target, status, agent = groups
    if method != b"GET" or status not in (b"200", b"304"):
        result.not_pages += 1
        return
    info = lookup.get(target)
    if info is None:
        result.not_pages += 1
        return
    if lookup.is_bot(agent):
        result.bots += 1
        return
    key = (days.day(date, minute, offset), info.page, info.id)
    counts[key] = counts.get(key, 0) + 1
    result.views += 1
