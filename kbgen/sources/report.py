"""What reading one export found: counts, dropped notes, bad records and notes for the user.

The report is filled while the :class:`~kbgen.sources.TicketStream` is iterated,
so its numbers are final only once iteration has finished. It never holds any
ticket text: a bad record is described by where it is and why it is bad.
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
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        """Add a note once (sources may hit the same condition on every record)."""
        if text not in self.notes:
            self.notes.append(text)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary_lines(self) -> list[str]:
        """Human-readable lines, in the order ``kbgen sources check`` prints them."""
        lines = [
            f"{self.path}: {self.tickets_read} ticket{'' if self.tickets_read == 1 else 's'} "
            f"read as {self.format}",
            f"internal comments dropped: {self.private_dropped}",
            f"comments of unknown visibility dropped: {self.unknown_visibility}",
        ]
        if self.bad_records:
            lines.append(f"bad records skipped: {len(self.bad_records)}")
            lines.extend(f"  {bad}" for bad in self.bad_records)
        lines.extend(f"note: {n}" for n in self.notes)
        return lines
