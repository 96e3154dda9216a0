"""Opening exports safely: encoding checks and a strict, streaming CSV reader.

Decoding UTF-8 bytes as GB18030 raises no error and silently produces
mojibake, so every file is first checked as strict UTF-8 in a streaming pass
(bounded memory). A file that is not UTF-8 is refused with a hint unless the
user names its encoding; a file that *is* UTF-8 is refused when the user names
a different encoding, because that would garble it. A UTF-16 byte-order mark
is unambiguous (Excel's "Unicode Text" export), so such files are read as
UTF-16 without being asked.

The CSV delimiter is detected, not sniffed: ``csv.Sniffer`` returns letters or
the wrong delimiter on real exports even when restricted (cpython#119123), so
each candidate is tried on the header and the first records, and one that
gives every record the header's width wins (see :func:`detect_delimiter`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kbgen.exceptions import SourceError
from kbgen.text import HAN, HAN_CHARS

CHUNK = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
# Records parsed per candidate delimiter when detecting it.
DETECT_RECORDS = 50
EXPORT_SUFFIXES = (".json", ".jsonl", ".ndjson", ".xml", ".csv", ".tsv", ".txt")
# Python's default csv field limit is 128 KiB; pasted logs are often bigger.
# Cells up to 16 MiB are read (text fields are truncated later, with a marker);
# anything larger is a broken file, not a ticket.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
HEAD_BYTES = 8192


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first bytes, for sniffing; UTF-16 (with a BOM) comes back re-encoded as UTF-8."""
    with open(path, "rb") as fh:
        head = fh.read(size)
    bom = _utf16_bom(head)
    if bom:
        return head.decode(bom, "ignore").lstrip("\ufeff").encode("utf-8")
    return head


def _utf16_bom(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def files_to_read(path: Path, what: str = "export") -> list[Path]:
    """``[path]`` for a file; the export files of a folder (refused when it has none)."""
    if not path.is_dir():
        return [path]
    files = export_files(path)
    if not files:
        raise SourceError(
            f"the folder holds no {what} files ({', '.join(EXPORT_SUFFIXES)})", path=path
        )
    return files


def export_files(folder: Path) -> list[Path]:
    """The export files of a folder, in name order (hidden files and other kinds left out)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in EXPORT_SUFFIXES
    )


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
        first = fh.read(4)
    bom = first[:3] == codecs.BOM_UTF8
    utf16 = _utf16_bom(first)
    if utf16 and not encoding:
        problem = _first_undecodable(path, utf16)
        if problem:
            line, raw = problem
            raise SourceError(
                f"the file starts with a UTF-16 byte-order mark but bytes {raw.hex(' ')} are not "
                "valid UTF-16 (a cut or corrupted file?); export it again",
                path=path,
                record=f"line {line}",
            )
        return utf16
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
        raise SourceError(
            f"not UTF-8 (bytes {raw.hex(' ')}); {_encoding_hint(path)}",
            path=path,
            record=f"line {line}",
        )
    return "utf-8-sig" if bom else "utf-8"


def _encoding_hint(path: Path) -> str:
    """Which --encoding to try. A Western cp1252 file often also decodes as GB18030."""
    with open(path, "rb") as fh:
        head = fh.read(CHUNK)
    if head[:200].count(b"\x00") * 4 >= min(len(head), 200):
        order = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return f"it looks like UTF-16 without a byte-order mark: pass --encoding {order}"
    gb18030 = _first_undecodable(path, "gb18030") is None
    if gb18030 and not _looks_like_latin_mojibake(head.decode("gb18030", "ignore")):
        return "it looks like Chinese GB18030/GBK text: pass --encoding gb18030"
    if _first_undecodable(path, "cp1252") is None:
        return (
            "it looks like Western European text (Excel's ANSI code page): pass --encoding cp1252"
            + (" (or gb18030 if it is Chinese)" if gb18030 else "")
        )
    return "pass --encoding with the file's encoding"


_GLUED_HAN = re.compile(f"(?<=[A-Za-z])[{HAN_CHARS}](?=[A-Za-z])")


def _looks_like_latin_mojibake(text: str) -> bool:
    """cp1252 "Müller" read as GB18030 is "M黮ler": lone Han characters inside Latin words."""
    han = len(HAN.findall(text))
    return han > 0 and len(_GLUED_HAN.findall(text)) * 2 >= han


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

    def __init__(self, path: Path, encoding: str | None, *, delimiter: str | None = None) -> None:
        self.path = path
        self.encoding = encoding
        # None: detected from the header and the first records (see detect_delimiter).
        self.delimiter = delimiter
        self.codec = ""
        self.header: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        check_not_empty(self.path)
        csv.field_size_limit(CSV_FIELD_LIMIT)
        if self.delimiter is None:
            self.delimiter = detect_delimiter(self.path, self.encoding)
        self.codec = resolve_encoding(self.path, self.encoding)
        with open(self.path, encoding=self.codec, newline="") as fh:
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


def detect_delimiter(path: Path, encoding: str | None) -> str:
    """The delimiter that gives the header and the first records one consistent width.

    Candidates are ``,`` ``;`` tab and ``|``. A candidate survives when the header
    has more than one field and every complete record among the first ones has the
    header's width. Of several survivors the widest wins (then the order above);
    with none, the candidate that fits the most records (a file with a ragged row
    is still read with its real delimiter and the row reported), else ``,``.
    """
    with open_text(path, encoding) as fh:
        sample = fh.read(CHUNK)
        complete = len(sample) < CHUNK
    return delimiter_of(sample, complete=complete)


def delimiter_of(sample: str, *, complete: bool = True) -> str:
    """:func:`detect_delimiter` on text already read (``complete``: the sample is the whole file)."""
    sample = sample.lstrip("\ufeff")
    scores: list[tuple[int, int, int, int]] = []  # (consistent, fitting records, width, -order)
    for order, candidate in enumerate(DELIMITERS):
        rows = _parse_sample(sample, candidate, complete)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        records = [r for r in rows[1:] if r and r != [""]]
        fitting = sum(1 for r in records if len(r) == width)
        consistent = int(fitting == len(records))
        scores.append((consistent, fitting, width, -order))
    if not scores:
        return ","
    best = max(scores)
    return DELIMITERS[-best[3]]


def _parse_sample(sample: str, delimiter: str, complete: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > DETECT_RECORDS:
                return rows
    except csv.Error:
        if complete:
            return []  # this delimiter makes the quoting invalid
    if not complete and len(rows) > 1:
        rows.pop()  # the sample may end inside the last record
    return rows
