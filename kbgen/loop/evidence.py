"""The inputs of the loop, gathered once: tickets, articles and usage.

Gaps and KPIs never read exports, the ticket store, articles or the stats
database themselves; they take an :class:`Evidence` built here. That keeps
them pure functions of their inputs, which is what the tests check against
values computed independently from the raw files.

Tickets come from one of two places:

* the KB's ticket store (``.kbgen/tickets.sqlite``): every ticket capture has
  read, with its outcome and its *redacted* title and problem;
* an export read directly with ``kbgen.sources.read_tickets`` (``--from``), for
  measuring a file before (or without) capturing it. Only its title is ever
  shown, after capture's redactor has run over it; the rest of its text is
  used for clustering and never printed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.config import RedactionSection
from kbgen.kb import KnowledgeBase, iter_articles, today
from kbgen.models import Article, Ticket
from kbgen.redaction import Redactor
from kbgen.sources import TicketStore, read_tickets
from kbgen.stats import has_stats, report
from kbgen.text import one_line

# Workflow states that mean "no longer open", across vendors (case-folded).
_DONE_STATES = frozenset(
    [
        "resolved",
        "closed",
        "done",
        "solved",
        "cancelled",
        "canceled",
        "complete",
        "completed",
        "fixed",
        "已解决",
        "已关闭",
        "已完成",
        "已处理",
        "已办结",
    ]
)
# Capture's outcomes (kbgen.sources.store.OUTCOMES) that leave a ticket attached to an
# article: linked to an existing one, drafted as a new one, merged into a new draft of the
# same batch, or updated on re-capture. "created" is accepted as a synonym of "drafted".
LINKED_OUTCOMES = ("linked", "drafted", "created", "merged", "updated", "unchanged")
REUSE_OUTCOMES = ("linked",)
CREATION_OUTCOMES = ("drafted", "created", "merged")


@dataclass(frozen=True)
class LoopTicket:
    """What the loop needs to know about one ticket; no personal data, no private text."""

    id: str
    source: str = ""
    title: str = ""  # redacted (store) or empty (raw export): safe to print
    text: str = ""  # symptom text used only for clustering, never printed
    category: str = ""
    status: str = ""
    resolution_status: str = ""
    opened: dt.datetime | None = None
    resolved: dt.datetime | None = None
    closed: dt.datetime | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    outcome: str = ""  # capture's outcome: created, linked, skipped; "" when never captured
    article_id: str = ""

    @property
    def is_resolved(self) -> bool:
        """Resolved or closed by time stamp, or by a workflow state that means done."""
        if self.resolved is not None or self.closed is not None:
            return True
        return self.status.strip().casefold() in _DONE_STATES

    @property
    def is_open(self) -> bool:
        """Not resolved, and the source says what state it is in (an empty state is unknown)."""
        return not self.is_resolved and bool(self.status.strip())

    @property
    def resolution_hours(self) -> float | None:
        """resolved - opened in hours, when both are known and in order (see docs/kpis.md)."""
        if self.opened is None or self.resolved is None:
            return None
        hours = hours_between(self.opened, self.resolved)
        return hours if hours >= 0 else None


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Hours from start to end; a naive and an aware time are compared as wall-clock times."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return (end - start).total_seconds() / 3600


def day_of(value: dt.datetime | dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def loop_ticket(ticket: Ticket, *, redactor: Any | None = None) -> LoopTicket:
    """A raw export's ticket, for measuring a file capture has not (necessarily) seen.

    Its title and category are shown, so they pass through ``redactor``
    (:func:`base_redactor`, given this ticket's people) first; without one the
    title is left empty (fail closed). Title and problem are also kept as
    ``text`` for clustering only; that is never printed.
    """
    redact: Callable[[str], str] | None = None
    if redactor is not None:
        own = redactor.for_people(ticket.people) if ticket.people else redactor

        def redact(text: str) -> str:
            return str(own.redact(text).text) if text else text

    return LoopTicket(
        id=ticket.id,
        source=ticket.source,
        title=redact(one_line(ticket.title, 150)) if redact else "",
        text="\n".join(p for p in (ticket.title, ticket.problem) if p),
        category=redact(ticket.category) if redact else ticket.category,
        status=ticket.status,
        resolution_status=ticket.resolution_status,
        opened=ticket.opened,
        resolved=ticket.resolved,
        closed=ticket.closed,
        metrics=dict(ticket.metrics),
    )


def base_redactor(redaction: RedactionSection) -> Redactor:
    """Capture's redactor for plain-text fields with the KB's rules."""
    return Redactor(
        internal_hosts=redaction.internal_hosts,
        terms=redaction.terms,
        allow=redaction.allow,
        markdown=False,  # titles and categories are plain text: tokens read "[email]"
    )


@dataclass
class ArticleFacts:
    """An article as the loop sees it: front-matter facts plus its text for similarity."""

    id: str
    title: str
    status: str
    confidence: str
    category: str
    tickets: list[str]
    created: dt.date | None
    updated: dt.date | None
    published: dt.date | None
    review_by: dt.date | None
    text: str
    path: str

    @classmethod
    def from_article(cls, article: Article, relpath: str) -> ArticleFacts:
        meta = article.meta
        return cls(
            id=article.id,
            title=article.title,
            status=article.status,
            confidence=str(meta.get("confidence", "")),
            category=article.category,
            tickets=article.tickets,
            created=day_of(meta.get("created")),
            updated=day_of(meta.get("updated")),
            # Approval sets published_at; an article published by hand falls back to created.
            published=day_of(meta.get("published_at"))
            or (day_of(meta.get("created")) if article.is_published else None),
            review_by=day_of(meta.get("review_by")),
            text=f"{article.title}\n{meta.get('summary', '')}\n{article.body}",
            path=relpath,
        )


@dataclass
class Evidence:
    """Everything gaps and KPIs look at, gathered once per command."""

    tickets: list[LoopTicket]
    articles: list[ArticleFacts]
    usage: Mapping[str, Any] | None  # kbgen.stats.summary.report(), or None when there is none
    today: dt.date
    ticket_origin: str  # "ticket store" or the export's path, for messages
    usage_missing_reason: str = ""

    def __post_init__(self) -> None:
        self._by_id = {a.id: a for a in self.articles}
        self._by_ticket = {t: a for a in reversed(self.articles) for t in a.tickets}

    def is_linked(self, ticket: LoopTicket) -> bool:
        """Attached to an article: by capture's outcome (even a draft still on its branch)
        or by an article's ``tickets`` list."""
        if ticket.outcome in LINKED_OUTCOMES and ticket.article_id:
            return True
        return ticket.id in self._by_ticket

    def covering_article(self, ticket: LoopTicket) -> ArticleFacts | None:
        """The article on the base branch a ticket is attached to, if it is there."""
        if ticket.outcome in LINKED_OUTCOMES and ticket.article_id in self._by_id:
            return self._by_id[ticket.article_id]
        return self._by_ticket.get(ticket.id)


def load_articles(kb: KnowledgeBase) -> list[ArticleFacts]:
    return [
        ArticleFacts.from_article(a, kb.relpath(a.path) if a.path else a.id)
        for a in iter_articles(kb.articles_dir)
    ]


def tickets_from_export(
    path: Path,
    *,
    fmt: str = "auto",
    mapping: Path | None = None,
    encoding: str | None = None,
    skip_bad_records: bool = False,
    redaction: RedactionSection | None = None,
) -> list[LoopTicket]:
    """An export's tickets; titles redacted with ``redaction`` when given (else left empty)."""
    stream = read_tickets(
        path, format=fmt, mapping=mapping, encoding=encoding, skip_bad_records=skip_bad_records
    )
    redactor = base_redactor(redaction) if redaction is not None else None
    return [loop_ticket(t, redactor=redactor) for t in stream]


def tickets_from_store(kb: KnowledgeBase) -> list[LoopTicket]:
    """Every ticket capture has read; an empty list when capture has never run."""
    if not kb.ticket_store_path.exists():
        return []
    with TicketStore(kb.ticket_store_path) as store:
        return [
            LoopTicket(
                id=row.ticket_id,
                source=row.source,
                title=row.title,
                text=f"{row.title}\n{row.problem}",
                category=row.category,
                status=row.status,
                resolution_status=row.resolution_status,
                opened=row.opened,
                resolved=row.resolved,
                closed=row.closed,
                metrics=dict(row.metrics),
                outcome=row.outcome,
                article_id=row.article_id or "",
            )
            for row in store.iter_tickets()
        ]


def with_capture_outcomes(tickets: list[LoopTicket], stored: list[LoopTicket]) -> list[LoopTicket]:
    """An export's tickets with what capture already did with each (by source and id)."""
    known = {(t.source, t.id): t for t in stored}
    out = []
    for ticket in tickets:
        seen = known.get((ticket.source, ticket.id))
        if seen is not None:
            ticket = dataclasses.replace(ticket, outcome=seen.outcome, article_id=seen.article_id)
        out.append(ticket)
    return out


def load_usage(kb: KnowledgeBase, since: dt.date | None) -> tuple[Mapping[str, Any] | None, str]:
    """The stats report, or ``(None, reason)`` when the KB has no usage data yet."""
    if not has_stats(kb):
        return None, "no usage data yet: serve the site with the collector (kbgen serve)"
    return report(kb, since=since), ""


def gather(
    kb: KnowledgeBase,
    *,
    tickets: Iterable[LoopTicket] | None = None,
    origin: str = "ticket store",
    since: dt.date | None = None,
) -> Evidence:
    """Collect tickets (the store unless ``tickets`` is given), articles and usage."""
    usage, reason = load_usage(kb, since)
    if tickets is None:
        tickets = tickets_from_store(kb)
    else:
        tickets = with_capture_outcomes(list(tickets), tickets_from_store(kb))
    return Evidence(
        tickets=list(tickets),
        articles=load_articles(kb),
        usage=usage,
        today=dt.date.fromisoformat(today()),
        ticket_origin=origin,
        usage_missing_reason=reason,
    )
