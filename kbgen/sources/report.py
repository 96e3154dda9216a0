"""What reading one export found: counts, dropped notes, skipped records and notes for the user.

The report is filled while the :class:`~kbgen.sources.TicketStream` is iterated,
so its numbers are final only once iteration has finished. It never holds any
ticket text: a skipped or bad record is described by where it is and why.

Every record a source reads is accounted for: it became a ticket
(``tickets_read``) or it is listed in ``skipped`` with a reason (a bad record
passed over with ``--skip-bad-records``, a pull request in a GitHub export, a
repeated id, an issue behind a security level...). ``records_read`` is the sum.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class BadRecord:
    """One record that could not be read: ``record`` is e.g. ``line 12`` or ``issue 3``."""

    record: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.record + (f", field '{self.field}'" if self.field else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class SkippedRecord:
    """One record that did not become a ticket: ``ticket`` is its id when the source knows it."""

    record: str
    ticket: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}" + (f" ({self.ticket})" if self.ticket else "") + f": {self.reason}"


@dataclass
class ReadReport:
    path: str = ""
    format: str = ""
    tickets_read: int = 0
    # Comments dropped because the source marks them internal (work notes, private, restricted).
    private_dropped: int = 0
    # Comments dropped because the source cannot say whether they are public (e.g. Jira CSV).
    unknown_visibility: int = 0
    bad_records: list[BadRecord] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What was guessed about the file (encoding, delimiter), so a person can check it.
    detected: dict[str, str] = field(default_factory=dict)

    @property
    def records_read(self) -> int:
        return self.tickets_read + len(self.skipped)

    def note(self, text: str) -> None:
        """Add a note once (sources may hit the same condition on every record)."""
        if text not in self.notes:
            self.notes.append(text)

    def skip(self, record: str, reason: str, ticket: str = "") -> None:
        """A record that is read but is not a ticket to draft (listed, never silently lost)."""
        self.skipped.append(SkippedRecord(record, ticket, reason))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["records_read"] = self.records_read
        return data

    def summary_lines(self) -> list[str]:
        """Human-readable lines, in the order ``kbgen sources check`` prints them."""
        lines = [
            f"{self.path}: {self.tickets_read} ticket{'' if self.tickets_read == 1 else 's'} "
            f"read as {self.format}",
            f"internal comments dropped: {self.private_dropped}",
            f"comments of unknown visibility dropped: {self.unknown_visibility}",
        ]
        if self.detected and self.detected != {"delimiter": "comma", "encoding": "utf-8"}:
            lines.append(
                "detected: " + ", ".join(f"{k} {v}" for k, v in sorted(self.detected.items()))
            )
        if self.bad_records:
            lines.append(f"bad records skipped: {len(self.bad_records)}")
            lines.extend(f"  {bad}" for bad in self.bad_records)
        others = [s for s in self.skipped if not s.reason.startswith(BAD_RECORD_PREFIX)]
        if others:
            lines.append(f"other records skipped: {len(others)}")
            lines.extend(f"  {s}" for s in others)
        lines.extend(f"note: {n}" for n in self.notes)
        return lines


# The reason of a skipped record that was a bad record starts with this.
BAD_RECORD_PREFIX = "bad record: "
