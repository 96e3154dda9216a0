"""The other stages capture calls, behind one small seam so tests can swap them.

Like an httpx transport: :func:`default_stages` wires the real packages
(sources, redaction, search, the ticket store, review branches), imported
lazily; tests pass a :class:`Stages` with small fakes instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kbgen.kb import KnowledgeBase
from kbgen.models import Ticket


class Redacted(Protocol):
    text: str
    counts: Any  # mapping kind -> count


class Redactor(Protocol):
    def redact(self, text: str) -> Redacted: ...


class TicketStore(Protocol):
    def record(self, ticket: Ticket, **fields: Any) -> Any: ...


class SimilarHit(Protocol):
    id: str
    score: float


ReadTickets = Callable[..., Iterable[Ticket]]


@dataclass
class Stages:
    # read(path, format=, mapping=, encoding=, skip_bad_records=) -> iterable of Ticket (+ .report)
    read_tickets: ReadTickets
    # (kb, ticket) -> a redactor for that ticket's text (its people differ per ticket)
    make_redactor: Callable[[KnowledgeBase, Ticket], Redactor]
    # (kb, text, limit) -> hits scored 0..1; None: no reuse check (reported as a warning)
    find_similar: Callable[[KnowledgeBase, str, int], list[Any]] | None = None
    # kb -> None: bring the similarity index up to date with content/articles before a run
    refresh_index: Callable[[KnowledgeBase], Any] | None = None
    # kb -> store, or None when there is none (reported as a warning)
    open_store: Callable[[KnowledgeBase], TicketStore | None] | None = None
    # (kb, changes, batch_branch=) -> list of results; needed only with --branch
    commit_drafts: Callable[..., list[Any]] | None = None
    # builds one change for commit_drafts: DraftChange(article_id, slug, title, tickets, files, kind)
    draft_change: Callable[..., Any] | None = None


def _read_tickets(path: Path, **kwargs: Any) -> Iterable[Ticket]:
    from kbgen.sources import read_tickets

    return read_tickets(path, **kwargs)


def _redactor_factory() -> Callable[[KnowledgeBase, Ticket], Redactor]:
    """Build the KB's redactor once per run; derive one per ticket for its people."""
    from kbgen.redaction import Redactor as KbRedactor

    base: dict[Path, Any] = {}  # structurally a Redactor (see the Protocol above)

    def make(kb: KnowledgeBase, ticket: Ticket) -> Redactor:
        if kb.root not in base:
            section = kb.config.redaction
            base[kb.root] = KbRedactor(
                internal_hosts=section.internal_hosts, terms=section.terms, allow=section.allow
            )
        return base[kb.root].for_people(ticket.people)

    return make


def _find_similar(kb: KnowledgeBase, text: str, limit: int) -> list[Any]:
    from kbgen.search import find_similar

    return list(find_similar(kb, text, limit=limit))


def _refresh_index(kb: KnowledgeBase) -> None:
    from kbgen.search import build_index

    build_index(kb)


def _open_store(kb: KnowledgeBase) -> Any:
    from kbgen.sources.store import TicketStore as Store

    return Store(kb.ticket_store_path)


def default_stages() -> Stages:
    """The real stages, each imported when first used (capture starts fast)."""
    from kbgen.kb import DraftChange, commit_drafts

    return Stages(
        read_tickets=_read_tickets,
        make_redactor=_redactor_factory(),
        find_similar=_find_similar,
        refresh_index=_refresh_index,
        open_store=_open_store,
        commit_drafts=commit_drafts,
        draft_change=DraftChange,
    )
