"""Usage events: the three shapes the site sends, validated against an allowlist.

An event is accepted only when the body is small, valid UTF-8 JSON, an object
with exactly the known keys and types for its ``type``, and its ``page`` is a
page of the built site (``<site_dir>/kbgen-pages.json``, reloaded when it
changes). Free text is cleaned and redacted here, before anything is stored.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbgen.stats.privacy import (
    COMMENT_MAX_CHARS,
    QUERY_MAX_CHARS,
    clean_user_text,
    redact_user_text,
)
from kbgen.stats.store import StatsStore

PAGES_MANIFEST = "kbgen-pages.json"
MAX_BODY_BYTES = 2048
MAX_PAGE_CHARS = 512
MAX_RESULTS = 1_000_000

# type -> {key: (python type, required)}
SCHEMAS: dict[str, dict[str, tuple[type, bool]]] = {
    "view": {"type": (str, True), "page": (str, True)},
    "feedback": {
        "type": (str, True),
        "page": (str, True),
        "helpful": (bool, True),
        "comment": (str, False),
    },
    "search": {"type": (str, True), "query": (str, True), "results": (int, True)},
}
_PLAIN_KEY = re.compile(r"[A-Za-z_]{1,32}")
_TYPE_WORDS = {str: "text", bool: "true or false", int: "a whole number"}


class EventRejected(ValueError):
    """A bad event; the message is the reason sent back with the 400."""


@dataclass(frozen=True)
class PageInfo:
    page: str
    id: str
    category: str
    title: str = ""

    def to_json(self) -> dict[str, str]:
        return {"page": self.page, "id": self.id, "category": self.category, "title": self.title}


@dataclass(frozen=True)
class Event:
    type: str
    page: str = ""
    article_id: str = ""
    helpful: bool = False
    comment: str = ""
    query: str = ""
    results: int = 0


class PageIndex:
    """The site's pages from ``kbgen-pages.json``; re-read whenever the file changes."""

    def __init__(self, site_dir: Path) -> None:
        self.path = Path(site_dir) / PAGES_MANIFEST
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._pages: dict[str, PageInfo] = {}

    def _refresh(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._stamp, self._pages = None, {}
            return
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # a half-written manifest: keep the last good one until the next change
        pages: dict[str, PageInfo] = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("page"), str):
                page = normalise_page(entry["page"])
                pages[page] = PageInfo(
                    page,
                    str(entry.get("id") or ""),
                    str(entry.get("category") or ""),
                    str(entry.get("title") or ""),
                )
        self._stamp, self._pages = stamp, pages

    def get(self, page: str) -> PageInfo | None:
        """An article from the manifest, or another built page (home, category) with no id."""
        with self._lock:
            self._refresh()
            info = self._pages.get(page)
        if info is None and self._is_built_page(page):
            return PageInfo(page, "", "", "")
        return info

    def _is_built_page(self, page: str) -> bool:
        parts = page.split("/")[1:]
        if parts and parts[-1] == "":
            parts[-1] = "index.html"
        if not parts or not parts[-1].endswith(".html"):
            return False
        if any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts):
            return False
        return os.path.isfile(os.path.join(self.path.parent, *parts))

    def all(self) -> dict[str, PageInfo]:
        with self._lock:
            self._refresh()
            return dict(self._pages)

    def exists(self) -> bool:
        return self.path.is_file()


def normalise_page(path: str) -> str:
    """``/a/b/index.html`` and ``/a/b/`` are the same page; always a leading slash."""
    if not path.startswith("/"):
        path = "/" + path
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path


def _reject_constant(name: str) -> Any:
    raise EventRejected(f"body is not valid JSON ({name} is not allowed)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise EventRejected("body repeats a key")
    return dict(pairs)


def parse_event(
    body: bytes, pages: PageIndex, redact: Callable[[str], str] = redact_user_text
) -> Event:
    """The validated event in ``body``, or :class:`EventRejected` with the reason."""
    if len(body) > MAX_BODY_BYTES:
        raise EventRejected(f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise EventRejected("body is not UTF-8") from None
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except RecursionError:
        raise EventRejected("body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise EventRejected(f"body is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise EventRejected("body must be a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in SCHEMAS:
        raise EventRejected(f"'type' must be one of {', '.join(SCHEMAS)}")
    schema = SCHEMAS[kind]
    unknown = sorted(set(data) - set(schema))
    if unknown:
        # Echo a key only when it is a plain word: the reason is logged, and a key could
        # carry an address or a newline.
        shown = unknown[0] if _PLAIN_KEY.fullmatch(unknown[0]) else "(not shown)"
        raise EventRejected(f"unknown key '{shown}' for a {kind} event")
    for key, (expected, required) in schema.items():
        if key not in data:
            if required:
                raise EventRejected(f"'{key}' is missing")
            continue
        value = data[key]
        wrong_int = expected is int and isinstance(value, bool)  # True is an int in Python
        if not isinstance(value, expected) or wrong_int:
            raise EventRejected(f"'{key}' must be {_TYPE_WORDS[expected]}")
    if kind == "search":
        return _search_event(data, redact)
    return _page_event(kind, data, pages, redact)


def _page_event(
    kind: str, data: dict[str, Any], pages: PageIndex, redact: Callable[[str], str]
) -> Event:
    raw_page: str = data["page"]
    if len(raw_page) > MAX_PAGE_CHARS or "://" in raw_page or not raw_page.startswith("/"):
        raise EventRejected("'page' must be a path on this site, like /network/vpn-drops/")
    info = pages.get(normalise_page(raw_page))
    if info is None:
        if not pages.exists():
            raise EventRejected("the site has no kbgen-pages.json yet; run kbgen build")
        raise EventRejected("'page' is not a page of this site")
    if kind == "view":
        return Event("view", page=info.page, article_id=info.id)
    comment = _scrub(data.get("comment", ""), COMMENT_MAX_CHARS, redact)
    return Event(
        "feedback",
        page=info.page,
        article_id=info.id,
        helpful=data["helpful"],
        comment=comment,
    )


def _search_event(data: dict[str, Any], redact: Callable[[str], str]) -> Event:
    results: int = data["results"]
    if not 0 <= results <= MAX_RESULTS:
        raise EventRejected(f"'results' must be between 0 and {MAX_RESULTS}")
    # Aggregated per normalised query: case differences are the same search.
    query = _scrub(data["query"], QUERY_MAX_CHARS, redact).casefold()
    if not query:
        raise EventRejected("'query' is empty")
    return Event("search", query=query, results=results)


def _scrub(text: str, max_chars: int, redact: Callable[[str], str]) -> str:
    """Clean and redact the whole text, then cap: a cap first could cut an email in half."""
    cleaned = clean_user_text(text, MAX_BODY_BYTES)
    return clean_user_text(redact(cleaned), max_chars) if cleaned else ""


def record_event(store: StatsStore, event: Event, day: str, visitor: str) -> bool:
    """Store one validated event; False when it was not counted (a repeated vote)."""
    with store.transaction() as tx:
        store.add_visitor(tx, day, visitor)
        if event.type == "view":
            store.add_view(tx, day, event.page, event.article_id, "beacon")
        elif event.type == "feedback":
            return store.add_vote(
                tx, day, event.page, event.article_id, visitor, event.helpful, event.comment
            )
        else:
            store.add_search(tx, day, event.query, event.results)
    return True
