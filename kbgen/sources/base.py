"""The one interface every ticket source implements, and an in-memory fake for tests.

A source is a class with a ``name``, a cheap ``sniff`` that recognises its files
from their first bytes, and ``read`` that yields :class:`~kbgen.models.Ticket`
objects one at a time. Internal notes are dropped inside ``read``: they never
leave the source. Bad records go through :meth:`Source.bad_record`, which
refuses the whole file or, with ``skip_bad_records``, lists them in the report.

``strict`` turns what a source would otherwise capture with a flag for the
reviewer (an issue holding fewer comments than its ``comment.total``, a forum
topic missing posts) back into a bad record. ``delimiter`` overrides CSV
delimiter detection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

from kbgen.exceptions import SourceError
from kbgen.models import Ticket
from kbgen.sources.report import BAD_RECORD_PREFIX, BadRecord, ReadReport


class Source:
    """Base class of every ticket source (built-in or from a plugin)."""

    name: ClassVar[str] = ""
    # One line for ``available_formats`` help and docs.
    description: ClassVar[str] = ""
    # Whether ``read`` needs a mapping file (``--mapping``).
    needs_mapping: ClassVar[bool] = False
    # Whether ``read`` accepts a folder of export files (detection then sniffs its first file).
    reads_folders: ClassVar[bool] = False

    def __init__(
        self,
        *,
        report: ReadReport | None = None,
        encoding: str | None = None,
        mapping: Path | None = None,
        skip_bad_records: bool = False,
        strict: bool = False,
        delimiter: str | None = None,
    ) -> None:
        self.report = report if report is not None else ReadReport(format=self.name)
        self.encoding = encoding
        self.mapping = mapping
        self.skip_bad_records = skip_bad_records
        self.strict = strict
        self.delimiter = delimiter

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """True when ``head`` (the first few KiB of ``path``) looks like this source's export."""
        return False

    def read(self, path: Path) -> Iterator[Ticket]:
        """Yield one ticket per record, dropping internal notes and counting them."""
        raise NotImplementedError

    # Helpers for subclasses -------------------------------------------------
    def bad_record(self, error: SourceError) -> None:
        """Refuse the file (raise), or record the bad record and carry on when skipping."""
        if not self.skip_bad_records:
            raise SourceError(
                f"{error.reason}; nothing was imported (fix the record, or pass "
                "--skip-bad-records to skip and list such records)",
                path=error.path,
                record=error.record,
                field=error.field,
            )
        record = error.record if isinstance(error.record, str) else f"record {error.record}"
        self.report.bad_records.append(BadRecord(record, error.field, error.reason))
        where = record + (f", field '{error.field}'" if error.field else "")
        self.report.skip(where, BAD_RECORD_PREFIX + error.reason)

    def incomplete(self, error: SourceError, flag: str, note: str) -> str:
        """A conversation the export holds only in part: raises ``error`` under ``strict``.

        Otherwise the ticket is captured with what it has: returns ``flag`` for the
        ticket (shown to the reviewer in its review notes) and notes it once in the report.
        Call it where a raised SourceError becomes a bad record.
        """
        if self.strict:
            raise error
        self.report.note(note)
        return flag


class MemorySource(Source):
    """Yields tickets given in memory: for tests of everything downstream of sources."""

    name = "memory"
    description = "tickets held in memory (tests only)"

    def __init__(self, tickets: Iterable[Ticket], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.tickets = list(tickets)

    def read(self, path: Path | None = None) -> Iterator[Ticket]:
        yield from self.tickets


def comments_incomplete_flag(
    present: int,
    total: int,
    noun: str = "comments",
    why: str = "the missing ones may be restricted or deleted",
) -> str:
    """The reviewer's flag for a ticket whose export holds only part of its conversation."""
    return f"comments-incomplete: the export holds {present} of {total} {noun}; {why}"
