"""Ticket sources: any helpdesk export -> a stream of :class:`~kbgen.models.Ticket`.

    stream = read_tickets(Path("export.json"))        # format detected
    for ticket in stream: ...
    stream.report.to_json()                            # counts, dropped notes, bad records

Internal notes are dropped inside each source, before anything else sees them.
A broken file raises :class:`~kbgen.exceptions.SourceError` naming the file,
record and field. Because sources stream, that error can come after some
tickets were yielded: callers gather the whole stream before writing anything
(``list(stream)``), so a refused file writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kbgen.exceptions import SourceError
from kbgen.models import Ticket
from kbgen.plugins import plugin_manager
from kbgen.sources.base import MemorySource, Source
from kbgen.sources.formats import TEXT_FORMATS, to_markdown
from kbgen.sources.report import BadRecord, ReadReport, SkippedRecord
from kbgen.sources.store import StoredTicket, TicketLink, TicketStore
from kbgen.sources.textio import check_not_empty, export_files, read_head

__all__ = [
    "TEXT_FORMATS",
    "BadRecord",
    "MemorySource",
    "ReadReport",
    "SkippedRecord",
    "Source",
    "StoredTicket",
    "TicketLink",
    "TicketStore",
    "TicketStream",
    "available_formats",
    "detect_format",
    "get_source",
    "read_tickets",
    "to_markdown",
]


def _sources() -> dict[str, type[Source]]:
    found: dict[str, type[Source]] = {}
    # pluggy returns the last-registered plugin first; reversed, the built-ins come first,
    # so they sniff first and keep their names.
    for group in reversed(plugin_manager().hook.register_sources()):
        for cls in group or []:
            found.setdefault(cls.name, cls)
    return found


def available_formats() -> list[str]:
    """Names accepted by ``--format`` (besides ``auto``), in detection order."""
    return list(_sources())


def get_source(name: str) -> type[Source]:
    sources = _sources()
    try:
        return sources[name]
    except KeyError:
        raise SourceError(
            f"unknown format '{name}'; use auto or one of: {', '.join(sources)}"
        ) from None


def detect_format(path: Path, *, mapping: Path | None = None) -> type[Source]:
    """The first source whose ``sniff`` recognises the file (a mapping always wins)."""
    if mapping is not None:
        return get_source("mapping")
    if path.is_dir():
        return _detect_folder(path)
    check_not_empty(path)
    head = read_head(path)
    for cls in _sources().values():
        if not cls.needs_mapping and cls.sniff(path, head):
            return cls
    sniffable = [name for name, cls in _sources().items() if not cls.needs_mapping]
    raise SourceError(
        "cannot tell which export format this is; pass --format with one of: "
        f"{', '.join(sniffable)}, or --mapping with a mapping file",
        path=path,
    )


def _detect_folder(path: Path) -> type[Source]:
    """A folder is read by the source that recognises its first export file."""
    files = export_files(path)
    for file in files[:1]:
        head = read_head(file)
        for cls in _sources().values():
            if cls.reads_folders and not cls.needs_mapping and cls.sniff(file, head):
                return cls
    if not files:
        raise SourceError("the folder holds no export files (.json, .jsonl, .xml, .csv)", path=path)
    folder_sources = [n for n, c in _sources().items() if c.reads_folders and not c.needs_mapping]
    raise SourceError(
        f"cannot tell which export format {files[0].name} is; pass --format with one of: "
        f"{', '.join(folder_sources)}, or --mapping with a mapping file",
        path=path,
    )


class TicketStream:
    """Iterate once to get the tickets; ``report`` is complete when iteration ends."""

    def __init__(self, source: Source, path: Path) -> None:
        self.source = source
        self.path = path
        self.report: ReadReport = source.report
        self._started = False

    def __iter__(self) -> Iterator[Ticket]:
        if self._started:
            raise RuntimeError("a TicketStream can be iterated only once; call read_tickets again")
        self._started = True
        # Ids only (not tickets) are remembered: memory stays small for big exports.
        seen: set[tuple[str, str]] = set()
        duplicates = 0
        for ticket in self.source.read(self.path):
            key = (ticket.source, ticket.id)
            if key in seen:
                # Time-based incremental exports repeat tickets; one ticket is one record.
                duplicates += 1
                self.report.skip(
                    f"ticket {ticket.id}",
                    "repeated ticket id (the first occurrence was kept)",
                    ticket.id,
                )
                continue
            seen.add(key)
            self.report.tickets_read += 1
            yield ticket
        if duplicates:
            self.report.note(
                f"{duplicates} repeated ticket id{'s' if duplicates > 1 else ''} skipped "
                "(the first occurrence was kept)"
            )


def read_tickets(
    path: Path,
    *,
    format: str = "auto",
    mapping: Path | None = None,
    encoding: str | None = None,
    skip_bad_records: bool = False,
    strict: bool = False,
    delimiter: str | None = None,
) -> TicketStream:
    """Read an export (a file, or a folder of export files) as a stream of tickets.

    ``strict`` refuses tickets whose export holds only part of their conversation
    (they are otherwise captured and flagged); ``delimiter`` overrides CSV detection.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError("no such file or folder", path=path)
    cls = detect_format(path, mapping=mapping) if format == "auto" else get_source(format)
    if cls.needs_mapping and mapping is None:
        raise SourceError(f"format '{cls.name}' needs --mapping MAPPING.yml", path=path)
    report = ReadReport(path=str(path), format=cls.name)
    source = cls(
        report=report,
        encoding=encoding,
        mapping=mapping,
        skip_bad_records=skip_bad_records,
        strict=strict,
        delimiter=delimiter,
    )
    return TicketStream(source, path)
