"""What a capture run did, for people (``summary_lines``) and machines (``to_json``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LIST_LIMIT = 20  # text output lists at most this many items per section; --json has all


@dataclass
class CaptureReport:
    created: list[dict[str, Any]] = field(default_factory=list)  # {id, path, tickets, resolution}
    linked: list[dict[str, Any]] = field(default_factory=list)  # {id, ticket, similarity}
    merged: list[dict[str, Any]] = field(default_factory=list)  # {id, ticket, similarity}
    updated: list[dict[str, Any]] = field(default_factory=list)  # {id, path, tickets}
    edited: list[dict[str, Any]] = field(default_factory=list)  # {id, path, tickets, proposal}
    skipped: list[dict[str, str]] = field(default_factory=list)  # {ticket, reason}
    already_captured: int = 0  # tickets already listed in an article (main or a kb/* branch)
    tickets_read: int = 0
    branches: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def skip(self, ticket: str, reason: str) -> None:
        self.skipped.append({"ticket": ticket, "reason": reason})

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    @property
    def proposals(self) -> list[str]:
        return [e["proposal"] for e in self.edited if e.get("proposal")]

    def quality(self) -> dict[str, Any]:
        with_resolution = sum(1 for c in self.created if c["resolution"])
        reasons = Counter(s["reason"] for s in self.skipped)
        return {
            "tickets_read": self.tickets_read,
            "drafts": len(self.created),
            "drafts_with_resolution": with_resolution,
            "wip": len(self.created) - with_resolution,
            "merged": len(self.merged),
            "linked": len(self.linked),
            "skipped": len(self.skipped),
            "skipped_by_reason": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "created": [{k: c[k] for k in ("id", "path", "tickets")} for c in self.created],
            "linked": self.linked,
            "skipped": self.skipped,
            "merged": self.merged,
            "updated": self.updated,
            "edited": self.edited,
            "proposals": self.proposals,
            "already_captured": self.already_captured,
            "branches": self.branches,
            "quality": self.quality(),
            "source": self.sources,
            "warnings": self.warnings,
        }

    def summary_lines(self) -> list[str]:
        q = self.quality()
        lines = [f"Read {_n(self.tickets_read, 'ticket')} from {_n(len(self.sources), 'source')}."]
        for source in self.sources:
            bad = source.get("bad_records") or []
            if bad:
                lines.append(f"Bad records left out of {source.get('path')}: {len(bad)}")
                lines += _listed(bad, lambda b: f"  {_bad_record(b)}")
            private = int(source.get("private_dropped") or 0)
            unknown = int(source.get("unknown_visibility") or 0)
            if private or unknown:
                lines.append(
                    f"Left out {_n(private + unknown, 'internal comment')} from {source.get('path')}"
                    + (
                        f" ({unknown} of unknown visibility, treated as internal)."
                        if unknown
                        else "."
                    )
                )
            lines += [f"Note on {source.get('path')}: {note}" for note in source.get("notes") or []]
        lines.append(
            f"Drafted {_n(q['drafts'], 'article')}: {q['drafts_with_resolution']} with a resolution, "
            f"{q['wip']} marked 'resolution needed'."
        )
        lines += _listed(
            self.created, lambda c: f"  {c['id']}  {c['path']}  ({', '.join(c['tickets'])})"
        )
        if self.merged:
            lines.append(f"Merged {_n(len(self.merged), 'ticket')} into drafts of the same batch:")
            lines += _listed(
                self.merged,
                lambda m: f"  {m['ticket']} -> {m['id']} (similarity {m['similarity']:.2f})",
            )
        lines.append(f"Linked {_n(len(self.linked), 'ticket')} to existing articles.")
        lines += _listed(
            self.linked,
            lambda m: f"  {m['ticket']} -> {m['id']} (similarity {m['similarity']:.2f})",
        )
        if self.updated:
            lines.append(f"Updated {_n(len(self.updated), 'article')} from new ticket evidence:")
            lines += _listed(self.updated, lambda u: f"  {u['id']}  {u['path']}")
        if self.edited:
            lines.append(
                f"Kept {_n(len(self.edited), 'article')} edited by people (not overwritten):"
            )
            lines += _listed(
                self.edited,
                lambda e: (
                    f"  {e['id']}  {e['path']}"
                    + (f"  proposal: {e['proposal']}" if e.get("proposal") else "")
                ),
            )
        if self.already_captured:
            lines.append(
                f"Already captured: {_n(self.already_captured, 'ticket')} "
                f"(their articles appear above only if they changed)."
            )
        lines.append(f"Skipped {_n(len(self.skipped), 'ticket')}.")
        for reason, count in q["skipped_by_reason"].items():
            lines.append(f"  {count} × {reason}")
        if self.branches:
            lines.append(
                f"Committed to {_n(len(self.branches), 'review branch', 'review branches')}:"
            )
            lines += _listed(self.branches, lambda b: f"  {b['branch']}")
        lines += [f"Warning: {w}" for w in self.warnings]
        return lines


def _bad_record(bad: Any) -> str:
    if isinstance(bad, dict):
        where = str(bad.get("record", "")) + (
            f", field '{bad['field']}'" if bad.get("field") else ""
        )
        return f"{where}: {bad.get('reason', '')}"
    return str(bad)


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _listed(items: list[Any], fmt: Any) -> list[str]:
    lines = [fmt(item) for item in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        lines.append(f"  … and {len(items) - LIST_LIMIT} more (use --json for the full list)")
    return lines
