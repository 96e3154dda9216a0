"""CSV rows as records: column lookup by name (repeated names kept), shape and content checks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kbgen.exceptions import SourceError
from kbgen.sources.base import Source
from kbgen.sources.textio import CsvRows, delimiter_of


@dataclass
class CsvRecord:
    """One data row: ``line`` is where it starts in the file (multi-line cells span more)."""

    line: int
    header: list[str]
    cells: list[str]

    @property
    def where(self) -> str:
        return f"line {self.line}"

    def get(self, column: str, default: str = "") -> str:
        """The first cell of ``column`` (repeated columns: see :meth:`all`)."""
        try:
            return self.cells[self.header.index(column)]
        except ValueError:
            return default

    def all(self, column: str) -> list[str]:
        """Every cell under a repeated column name, in column order (Jira ``Comment``)."""
        return [cell for name, cell in zip(self.header, self.cells, strict=True) if name == column]


def csv_records(
    source: Source, path: Path, *, required: Iterable[str] = (), delimiter: str | None = None
) -> Iterator[CsvRecord]:
    """Rows of ``path`` whose width matches the header; bad rows go to ``source.bad_record``.

    The delimiter is ``--delimiter`` (``source.delimiter``), else ``delimiter``
    (a mapping's), else detected; what was detected goes into the report.
    A row with a NUL character is refused: NUL never appears in a text export,
    so it means a binary or corrupted file, and nothing from it is trusted.
    """
    rows = CsvRows(path, source.encoding, delimiter=source.delimiter or delimiter or None)
    checked = False
    for line, cells in rows:
        header = rows.header
        if not checked:
            _note_detected(source, rows)
            missing = [c for c in required if c not in header]
            if missing:
                raise SourceError(
                    f"column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                    f"missing from the header; is this the right --format?",
                    path=path,
                    record="line 1",
                )
            checked = True
        if len(cells) != len(header):
            source.bad_record(
                SourceError(
                    f"{len(cells)} cells but the header has {len(header)} columns (ragged row); "
                    "check for unquoted commas or a cut line",
                    path=path,
                    record=f"line {line}",
                )
            )
            continue
        nul = next((name for name, cell in zip(header, cells, strict=True) if "\x00" in cell), None)
        if nul is not None:
            source.bad_record(
                SourceError(
                    "contains a NUL character; the file is binary or corrupted, export it again",
                    path=path,
                    record=f"line {line}",
                    field=nul or None,
                )
            )
            continue
        yield CsvRecord(line, header, cells)
    if not checked:
        _note_detected(source, rows)
        missing = [c for c in required if c not in rows.header]
        if missing:
            raise SourceError(
                f"column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"missing from the header; is this the right --format?",
                path=path,
                record="line 1",
            )


def _note_detected(source: Source, rows: CsvRows) -> None:
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    source.report.detected["delimiter"] = names.get(rows.delimiter or ",", repr(rows.delimiter))
    source.report.detected["encoding"] = rows.codec


def csv_header(head: bytes) -> list[str]:
    """The header names from the first bytes of a CSV file (for sniffing), any delimiter."""
    text = head.decode("utf-8-sig", "ignore")
    first = text.splitlines()[0] if text else ""
    delimiter = delimiter_of(text, complete=False)
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(first), delimiter=delimiter))]
    except (StopIteration, csv.Error):
        return []
