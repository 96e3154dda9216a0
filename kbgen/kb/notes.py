"""Review notes: one YAML file per draft in ``content/review-notes/`` (never published).

They tell the reviewer where a draft came from (source tickets, redaction
counts, the similarity that decided each merge or link, flags) and remember
``generated_sha256``, the hash of the article bytes kbgen last wrote: a file
whose hash differs was edited by a person and is never overwritten. One file
per article, so many draft branches merge without conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

HEADER = (
    "# kbgen review notes: for reviewers only, never published. Do not edit generated_sha256.\n"
)


@dataclass
class ReviewNotes:
    id: str
    sources: list[dict[str, Any]] = field(
        default_factory=list
    )  # {ticket, source, similarity?, via}
    redactions: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    generated_sha256: str = ""
    # Hash of what capture drafted (before people touched it): unchanged evidence, nothing to propose.
    draft_sha256: str = ""
    proposal: str = ""  # KB-relative path of a pending proposal, if any

    def ticket_ids(self) -> list[str]:
        return [str(s.get("ticket")) for s in self.sources]

    def add_source(
        self, ticket: str, source: str, via: str, similarity: float | None = None
    ) -> None:
        if ticket in self.ticket_ids():
            return
        entry: dict[str, Any] = {"ticket": ticket, "source": source, "via": via}
        if similarity is not None:
            entry["similarity"] = round(similarity, 3)
        self.sources.append(entry)

    def add_redactions(self, counts: dict[str, int]) -> None:
        for kind, count in counts.items():
            if count:
                self.redactions[kind] = self.redactions.get(kind, 0) + int(count)

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "id": self.id,
            "sources": self.sources,
            "redactions": dict(sorted(self.redactions.items())),
            "flags": sorted(set(self.flags)),
            "generated_sha256": self.generated_sha256,
            "draft_sha256": self.draft_sha256,
        }
        if self.proposal:
            data["proposal"] = self.proposal
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)
        return (HEADER + text).encode("utf-8")


def parse_notes(data: bytes) -> ReviewNotes | None:
    """Notes from bytes; ``None`` when unreadable (the article then counts as edited: safe side)."""
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    sources = [s for s in raw.get("sources") or [] if isinstance(s, dict)]
    redactions = {
        str(k): int(v) for k, v in (raw.get("redactions") or {}).items() if isinstance(v, int)
    }
    return ReviewNotes(
        id=raw["id"],
        sources=sources,
        redactions=redactions,
        flags=[str(f) for f in raw.get("flags") or []],
        generated_sha256=str(raw.get("generated_sha256") or ""),
        draft_sha256=str(raw.get("draft_sha256") or ""),
        proposal=str(raw.get("proposal") or ""),
    )
