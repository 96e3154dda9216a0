"""Small fakes for the stages capture calls (sources, redaction, search, store, branches)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.drafting.stages import Stages
from kbgen.kb import DraftChange, KnowledgeBase
from kbgen.models import Comment, Environment, Ticket
from kbgen.sources.base import MemorySource
from kbgen.sources.report import ReadReport


def ticket(
    id: str,
    title: str = "Printer offline after update",
    problem: str = "The printer shows offline since the driver update.",
    resolution: str = "Reinstall the driver 4.2 and restart the spooler.",
    *,
    resolution_status: str = "Fixed",
    status: str = "Closed",
    comments: Iterable[tuple[str, str]] = (),
    language: str = "en",
    people: Iterable[str] = (),
    **kwargs: Any,
) -> Ticket:
    return Ticket(
        id=id,
        source="memory",
        title=title,
        problem=problem,
        resolution=resolution,
        resolution_status=resolution_status,
        status=status,
        comments=[Comment(body=b, role=r) for r, b in comments],  # type: ignore[arg-type]
        language=language,  # type: ignore[arg-type]
        people=list(people),
        environment=kwargs.pop("environment", Environment()),
        **kwargs,
    )


@dataclass
class FakeRedacted:
    text: str
    counts: dict[str, int]


class FakeRedactor:
    """Emails, IPv4 and the ticket's people: enough to see redaction happen before writing."""

    PATTERNS = (
        ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
        ("ip", re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")),
        ("phone", re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")),
    )

    def __init__(self, people: Iterable[str] = ()) -> None:
        self.people = [p for p in people if p]

    def redact(self, text: str) -> FakeRedacted:
        counts: dict[str, int] = {}
        for kind, pattern in self.PATTERNS:
            text, n = pattern.subn(f"\\\\[{kind}\\\\]", text)
            if n:
                counts[kind] = counts.get(kind, 0) + n
        for person in self.people:
            n = text.count(person)
            if n:
                text = text.replace(person, "\\[name\\]")
                counts["name"] = counts.get("name", 0) + n
        return FakeRedacted(text, counts)


@dataclass
class FakeStore:
    records: list[dict[str, Any]] = field(default_factory=list)

    def record(self, ticket: Ticket, **fields: Any) -> None:
        self.records.append({"ticket": ticket.id, **fields})

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass


@dataclass
class FakeHit:
    id: str
    title: str
    path: str
    score: float


@dataclass
class FakeBranches:
    calls: list[tuple[list[DraftChange], str | None]] = field(default_factory=list)

    def commit_drafts(
        self, kb: KnowledgeBase, changes: list[Any], *, batch_branch: str | None = None
    ) -> list[Any]:
        self.calls.append((changes, batch_branch))
        return [FakeResult(f"kb/{c.article_id}-{c.slug}") for c in changes]


@dataclass
class FakeResult:
    branch: str

    def to_json(self) -> dict[str, str]:
        return {"branch": self.branch}


def fake_stages(
    batches: dict[str, list[Ticket]],
    *,
    store: FakeStore | None = None,
    similar: dict[str, list[FakeHit]] | None = None,
    branches: FakeBranches | None = None,
) -> Stages:
    """Stages reading ``batches[path.name]`` from memory; ``similar`` maps a ticket text prefix to hits."""

    def read_tickets(path: Path, **_: Any) -> MemorySource:
        source = MemorySource(
            batches[Path(path).name], report=ReadReport(path=Path(path).name, format="memory")
        )
        source.report.tickets_read = len(source.tickets)
        return _Stream(source)

    def find_similar(kb: KnowledgeBase, text: str, limit: int) -> list[Any]:
        for prefix, hits in (similar or {}).items():
            if text.startswith(prefix):
                return hits[:limit]
        return []

    return Stages(
        read_tickets=read_tickets,
        make_redactor=lambda kb, t: FakeRedactor(t.people),
        find_similar=find_similar,
        refresh_index=lambda kb: None,
        open_store=lambda kb: store if store is not None else FakeStore(),
        commit_drafts=(branches or FakeBranches()).commit_drafts,
    )


class _Stream:
    def __init__(self, source: MemorySource) -> None:
        self.source = source
        self.report = source.report

    def __iter__(self) -> Any:
        return iter(self.source.tickets)
