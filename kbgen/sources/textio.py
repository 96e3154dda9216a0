"""Opening exports safely: encoding checks and a strict, streaming CSV reader.

Decoding UTF-8 bytes as GB18030 raises no error and silently produces
mojibake, so every file is first checked as strict UTF-8 in a streaming pass
(bounded memory). A file that is not UTF-8 is refused with a hint unless the
user names its encoding; a file that *is* UTF-8 is refused when the user names
a different encoding, because that would garble it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kbgen.exceptions import SourceError

CHUNK = 1 << 16
# Python's default csv field limit is 128 KiB; pasted logs are often bigger.
# Cells up to 16 MiB are read (text fields are truncated later, with a marker);
# anything larger is a broken file, not a ticket.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
HEAD_BYTES = 8192


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def _first_undecodable(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """(line, bad bytes) of the first sequence ``encoding`` cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    line = 1
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            final = not chunk
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's pending bytes (never a newline) plus this chunk.
                data = bytes(exc.object)
                line += data[: exc.start].count(b"\n")
                return line, data[exc.start : exc.start + 2]
            if final:
                return None
            line += chunk.count(b"\n")


def resolve_encoding(path: Path, encoding: str | None) -> str:
    """The codec to read ``path`` with, after checking it decodes strictly."""
    with open(path, "rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    utf8_problem = _first_undecodable(path, "utf-8")
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise SourceError(
                f"unknown encoding '{encoding}'; use a Python codec name such as utf-8 or gb18030",
                path=path,
            ) from None
        if codec in ("utf-8", "utf-8-sig"):
            encoding = None  # same checks as the default
        elif utf8_problem is None and not _is_ascii(path):
            raise SourceError(
                f"the file is valid UTF-8 but --encoding {encoding} was given; decoding it as "
                f"{encoding} would garble the text. Run again without --encoding",
                path=path,
            )
        else:
            problem = _first_undecodable(path, codec)
            if problem:
                line, raw = problem
                raise SourceError(
                    f"bytes {raw.hex(' ')} are not valid {encoding}; check the file's encoding",
                    path=path,
                    record=f"line {line}",
                )
            return codec
    if utf8_problem:
        line, raw = utf8_problem
        hint = "pass --encoding with the file's encoding"
        if _first_undecodable(path, "gb18030") is None:
            hint = "it looks like Chinese GB18030/GBK text: pass --encoding gb18030"
        raise SourceError(
            f"not UTF-8 (bytes {raw.hex(' ')}); {hint}", path=path, record=f"line {line}"
        )
    return "utf-8-sig" if bom else "utf-8"


def _is_ascii(path: Path) -> bool:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not chunk.isascii():
                return False
    return True


def open_text(path: Path, encoding: str | None) -> IO[str]:
    """Open for reading as text, after :func:`resolve_encoding`; newlines are left as they are."""
    codec = resolve_encoding(path, encoding)
    return open(path, encoding=codec, newline="")


def check_not_empty(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
        while head and not head.strip(b" \t\r\n\xef\xbb\xbf"):
            head = fh.read(HEAD_BYTES)
    if not head:
        raise SourceError("the file is empty; there is nothing to import", path=path)


class CsvRows:
    """Rows of a CSV file with their starting line numbers, refusing malformed CSV.

    ``csv.DictReader`` silently keeps only the last of repeated column names
    (Jira's ``Comment`` columns) and hides ragged rows, so this keeps plain lists
    and checks every row's length against the header. ``strict=True`` makes an
    unterminated quote an error instead of swallowing the rest of the file.
    """

    def __init__(self, path: Path, encoding: str | None, *, delimiter: str = ",") -> None:
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.header: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        check_not_empty(self.path)
        csv.field_size_limit(CSV_FIELD_LIMIT)
        with open_text(self.path, self.encoding) as fh:
            lines = _LineCounter(fh)
            reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
            try:
                self.header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise SourceError(
                    "the file is empty; there is nothing to import", path=self.path
                ) from None
            except csv.Error as exc:
                raise SourceError(_csv_message(exc), path=self.path, record="line 1") from None
            while True:
                start = lines.line + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise SourceError(
                        _csv_message(exc), path=self.path, record=f"line {start}"
                    ) from None
                if not row or row == [""]:
                    continue
                yield start, row


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is larger than {CSV_FIELD_LIMIT // (1024 * 1024)} MiB; this is not a ticket export"
    if "unexpected end of data" in text or "EOF" in text:
        return (
            "a quoted cell is never closed (unterminated quote); fix the quoting and export again"
        )
    return f"malformed CSV ({text})"


class _LineCounter:
    """Wraps a text file for ``csv.reader`` and counts physical lines (LF, CRLF or CR)."""

    def __init__(self, fh: IO[str]) -> None:
        self._lines = iter(fh)
        self.line = 0  # the number of the last line handed to the csv reader

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        text = next(self._lines)
        self.line += 1
        return text
