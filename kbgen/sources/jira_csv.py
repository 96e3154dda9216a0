"""Jira CSV export: repeated ``Comment``, ``Labels`` and ``Component/s`` columns, all kept.

``csv.DictReader`` would silently keep only the last of each repeated column,
so rows are read as lists and grouped by header name in column order.

A Jira CSV export carries no comment visibility at all, so every ``Comment``
cell is treated as internal: it is dropped and counted as unknown visibility.
Only the author part of the cell (``date;author;body``) is looked at, so that
drafting can redact that login if it appears elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from kbgen.exceptions import SourceError
from kbgen.models import Environment, Ticket
from kbgen.sources.base import Source
from kbgen.sources.csvtable import CsvRecord, csv_header, csv_records
from kbgen.sources.jira_markup import wiki_to_markdown
from kbgen.sources.values import ISO_FORMATS, ValueProblem, limit_text, parse_datetime
from kbgen.text import clean_text, detect_language, is_missing

# Jira's default CSV date format is "30/Apr/25 11:03 PM"; month names make it unambiguous.
DATE_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%Y %H:%M",
    *ISO_FORMATS,
)
REQUIRED = ("Summary", "Issue key")


class JiraCsvSource(Source):
    name = "jira-csv"
    description = "Jira CSV export (repeated Comment, Labels and Component/s columns)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        header = csv_header(head)
        return "Issue key" in header and "Summary" in header

    def read(self, path: Path) -> Iterator[Ticket]:
        noted = False
        for record in csv_records(self, path, required=REQUIRED):
            try:
                ticket = self._ticket(record, path)
            except SourceError as exc:
                self.bad_record(exc)
                continue
            if ticket.private_dropped and not noted:
                self.report.note(
                    "Jira CSV exports do not say which comments are internal, so all CSV comments "
                    "were dropped; export JSON from the REST API to keep public comments"
                )
                noted = True
            yield ticket

    def _ticket(self, record: CsvRecord, path: Path) -> Ticket:
        key = clean_text(record.get("Issue key"))
        if not key:
            raise SourceError(
                "the issue has no key", path=path, record=record.where, field="Issue key"
            )
        where = f"{record.where} ({key})"
        flags: list[str] = []
        people: list[str] = []
        for column in ("Assignee", "Reporter", "Creator", "Watchers"):
            people.extend(clean_text(v) for v in record.all(column) if clean_text(v))
        dropped = 0
        for cell in record.all("Comment"):
            if not cell.strip():
                continue
            dropped += 1
            parts = cell.split(";", 2)
            if len(parts) == 3 and clean_text(parts[1]):
                people.append(clean_text(parts[1]))
        self.report.unknown_visibility += dropped

        def when(column: str) -> dt.datetime | None:
            value = record.get(column)
            if is_missing(value, {""}):
                return None
            try:
                return parse_datetime(value, DATE_FORMATS)
            except ValueProblem as exc:
                raise SourceError(str(exc), path=path, record=where, field=column) from None

        def values(column: str) -> list[str]:
            return [clean_text(v) for v in record.all(column) if clean_text(v)]

        title = clean_text(record.get("Summary"))
        problem = wiki_to_markdown(
            limit_text(record.get("Description"), "Description", flags), people
        )
        ticket = Ticket(
            id=key,
            source=self.name,
            title=title,
            problem=problem,
            environment=Environment(
                product=clean_text(record.get("Project name")),
                component=", ".join(values("Component/s")),
                version=", ".join(values("Affects Version/s")),
            ),
            resolution_status=clean_text(record.get("Resolution")),
            status=clean_text(record.get("Status")),
            category=clean_text(record.get("Issue Type")),
            tags=values("Labels"),
            priority=clean_text(record.get("Priority")),
            opened=when("Created"),
            resolved=when("Resolved"),
            private_dropped=dropped,
            flags=flags,
            people=sorted(set(people)),
        )
        if clean_text(record.get("Environment")):
            ticket.metrics["environment_text"] = clean_text(record.get("Environment"))
        ticket.language = "zh" if detect_language(f"{title}\n{problem}") == "zh" else "en"
        return ticket
