"""Streaming JSON: items of a top-level array (or of an array under a known key) one at a time.

A 100,000-ticket export must not be loaded whole, and the stdlib has no
streaming parser, so this walks the top level by hand and hands each array item
to :meth:`json.JSONDecoder.raw_decode`. Only one item (plus a read buffer) is
in memory at a time. Other top-level values (``total``, ``startAt``...) are
small and are returned in ``envelope``.

JSON Lines (one object per line) is read line by line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kbgen.exceptions import SourceError
from kbgen.sources.textio import check_not_empty, open_text

_WS = " \t\r\n"
READ_CHUNK = 1 << 16  # characters per read; tests shrink it to hit every boundary
_decoder = json.JSONDecoder()


@dataclass
class JsonItem:
    key: str | None  # the top-level key holding the array; None for a top-level array
    index: int  # position in that array
    value: Any


@dataclass
class JsonDocument:
    """Streams the items of a JSON file; ``envelope`` is filled as the top level is walked."""

    path: Path
    array_keys: tuple[str, ...]
    encoding: str | None = None
    envelope: dict[str, Any] = field(default_factory=dict)
    top_level: str = ""  # "array" or "object" once known

    def items(self) -> Iterator[JsonItem]:
        check_not_empty(self.path)
        with open_text(self.path, self.encoding) as fh:
            yield from _Walker(fh, self).walk()


class _Walker:
    def __init__(self, fh: IO[str], doc: JsonDocument) -> None:
        self.fh = fh
        self.doc = doc
        self.buf = fh.read(READ_CHUNK).lstrip("\ufeff")
        self.pos = 0
        self.eof = False
        self.counts: dict[str | None, int] = {}  # items handed out per array key

    def _next_index(self, key: str | None) -> int:
        index = self.counts.get(key, 0)
        self.counts[key] = index + 1
        return index

    # Buffer management ------------------------------------------------------
    def _fill(self) -> bool:
        if self.eof:
            return False
        # Grow with the unread part (one big item), never with what was already consumed.
        more = self.fh.read(max(READ_CHUNK, 2 * (len(self.buf) - self.pos)))
        if not more:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + more
        self.pos = 0
        return True

    def _skip_ws(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str, where: str) -> str:
        ch = self._skip_ws()
        if not ch:
            raise self._truncated(where)
        if ch not in chars:
            raise SourceError(
                f"not valid JSON: expected {' or '.join(repr(c) for c in chars)} {where}, found {ch!r}",
                path=self.doc.path,
            )
        self.pos += 1
        return ch

    def _value(self, where: str) -> Any:
        self._skip_ws()
        while True:
            try:
                value, end = _decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error at (or a few characters before) the end of the buffer, or a string
                # still open there, may just be a value running past it: read more and retry.
                # Anything else is invalid JSON, refused at once without reading on.
                at_end = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated")
                if at_end and self._fill():
                    continue
                if at_end:
                    raise self._truncated(where) from None
                raise SourceError(
                    f"not valid JSON {where}: {exc.msg}", path=self.doc.path
                ) from None
            # A number at the very end of the buffer may continue in the next chunk.
            if end >= len(self.buf) and not self.eof and self._fill():
                continue
            self.pos = end
            return value

    def _truncated(self, where: str) -> SourceError:
        return SourceError(
            f"the JSON ends too early {where} (truncated file?); export it again",
            path=self.doc.path,
        )

    # Structure ------------------------------------------------------------
    def walk(self) -> Iterator[JsonItem]:
        first = self._skip_ws()
        if first == "[":
            self.doc.top_level = "array"
            self.pos += 1
            yield from self._array(None)
        elif first == "{":
            self.doc.top_level = "object"
            self.pos += 1
            yield from self._object()
        else:
            raise SourceError(
                "not JSON: the file does not start with '{' or '['", path=self.doc.path
            )
        if self._skip_ws():
            raise SourceError(
                "not valid JSON: extra data after the end of the document", path=self.doc.path
            )

    def _array(self, key: str | None) -> Iterator[JsonItem]:
        where = f"in '{key}'" if key else "in the top-level array"
        if self._skip_ws() == "]":
            self.pos += 1
            return
        while True:
            index = self._next_index(key)
            yield JsonItem(key, index, self._value(f"{where} at item {index + 1}"))
            if self._expect(",]", f"after item {index + 1} {where}") == "]":
                return

    def _key(self) -> str:
        key = self._value("in a top-level key")
        if not isinstance(key, str):
            raise SourceError("not valid JSON: object keys must be strings", path=self.doc.path)
        self._expect(":", f"after key '{key}'")
        return key

    def _object(self) -> Iterator[JsonItem]:
        if self._skip_ws() == "}":
            self.pos += 1
            return
        while True:
            key = self._key()
            if key in self.doc.array_keys and self._skip_ws() == "[":
                self.pos += 1
                self.doc.envelope.setdefault("_arrays", []).append(key)
                yield from self._array(key)
            else:
                self.doc.envelope[key] = self._value(f"in '{key}'")
            if self._expect(",}", f"after '{key}'") == "}":
                return


def iter_json_lines(path: Path, encoding: str | None) -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON Lines file."""
    check_not_empty(path)
    with open_text(path, encoding) as fh:
        for number, line in enumerate(fh, start=1):
            text = line.strip().lstrip("\ufeff")
            if not text:
                continue
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                raise SourceError(
                    f"not valid JSON ({exc.msg})", path=path, record=f"line {number}"
                ) from None


def looks_like_json_lines(head: bytes) -> bool:
    """Two or more lines that each start with '{'."""
    lines = [ln.strip() for ln in head.lstrip(b"\xef\xbb\xbf").splitlines() if ln.strip()]
    return (
        len(lines) >= 2 and all(ln.startswith(b"{") for ln in lines[:2]) and lines[0].endswith(b"}")
    )


@dataclass
class JsonValues:
    """Streams every item of a file that may hold several JSON values one after another.

    ``gh api --paginate`` writes one merged array, several arrays back to back
    (before gh 2.48), concatenated objects, an array of pages (``--slurp``) or
    one value per line (``--jq '.[]'``); helpdesk scripts write JSON Lines.
    Whatever the shape, each item comes out once, in file order:

    * the items of a top-level array (an array of arrays is flattened one level);
    * the items of an array under one of ``array_keys`` in a top-level object
      (the object's other keys go to ``envelopes``);
    * a top-level object with none of ``array_keys``, as one item.
    """

    path: Path
    array_keys: tuple[str, ...] = ()
    encoding: str | None = None
    envelopes: list[dict[str, Any]] = field(default_factory=list)

    def items(self) -> Iterator[JsonItem]:
        check_not_empty(self.path)
        with open_text(self.path, self.encoding) as fh:
            doc = JsonDocument(self.path, self.array_keys, self.encoding)
            yield from _SequenceWalker(fh, doc, self).walk_all()


class _SequenceWalker(_Walker):
    def __init__(self, fh: IO[str], doc: JsonDocument, values: JsonValues) -> None:
        super().__init__(fh, doc)
        self.values = values

    def walk_all(self) -> Iterator[JsonItem]:
        seen = False
        while True:
            first = self._skip_ws()
            if not first:
                if not seen:
                    raise SourceError("not JSON: the file holds no JSON value", path=self.doc.path)
                return
            seen = True
            if first == "[":
                self.pos += 1
                yield from self._flat_array()
            elif first == "{":
                self.pos += 1
                yield from self._envelope_or_item()
            else:
                raise SourceError(
                    f"not JSON: expected '{{' or '[' at the top level, found {first!r}",
                    path=self.doc.path,
                )

    def _flat_array(self) -> Iterator[JsonItem]:
        if self._skip_ws() == "]":
            self.pos += 1
            return
        while True:
            if self._skip_ws() == "[":  # --slurp: an array of pages
                self.pos += 1
                yield from self._flat_array()
            else:
                index = self._next_index(None)
                yield JsonItem(
                    None, index, self._value(f"in a top-level array at item {index + 1}")
                )
            if self._expect(",]", "after an item of a top-level array") == "]":
                return

    def _envelope_or_item(self) -> Iterator[JsonItem]:
        rest: dict[str, Any] = {}
        streamed = False
        if self._skip_ws() == "}":
            self.pos += 1
            rest_item: dict[str, Any] = {}
            yield JsonItem(None, self._next_index(None), rest_item)
            return
        while True:
            key = self._key()
            if key in self.values.array_keys and self._skip_ws() == "[":
                self.pos += 1
                streamed = True
                yield from self._array(key)
            else:
                rest[key] = self._value(f"in '{key}'")
            if self._expect(",}", f"after '{key}'") == "}":
                break
        if streamed:
            self.values.envelopes.append(rest)
        else:
            yield JsonItem(None, self._next_index(None), rest)
