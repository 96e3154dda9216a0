"""The other stages capture calls, behind one small seam so tests can swap them.

Like an httpx transport: :func:`default_stages` wires the real packages
(sources, redaction, search, the ticket store, review branches), imported
lazily; tests pass a :class:`Stages` with small fakes instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kbgen.exceptions import DraftError
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


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # Only "this stage has not been installed/landed" is optional; a broken import is a bug.
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise


def _read_tickets(path: Path, **kwargs: Any) -> Iterable[Ticket]:
    from kbgen.sources import read_tickets

    return read_tickets(path, **kwargs)


def _redactor_factory() -> Callable[[KnowledgeBase, Ticket], Redactor]:
    """Build the KB's redactor once per run; derive one per ticket for its people."""
    redaction = _optional("kbgen.redaction")
    base: dict[Path, Any] = {}

    def make(kb: KnowledgeBase, ticket: Ticket) -> Redactor:
        if redaction is None or not hasattr(redaction, "Redactor"):
            # Fail closed: nothing is drafted without redaction.
            raise DraftError(
                "kbgen.redaction is not available, so tickets cannot be redacted; "
                "reinstall kbgen (pip install -e .) and run capture again"
            )
        if kb.root not in base:
            section = kb.config.redaction
            base[kb.root] = redaction.Redactor(
                internal_hosts=section.internal_hosts, terms=section.terms, allow=section.allow
            )
        return base[kb.root].for_people(ticket.people)

    return make


def default_stages() -> Stages:
    search = _optional("kbgen.search")
    store_module = _optional("kbgen.sources.store")
    branches = _optional("kbgen.review.branches")

    find_similar = None
    if search is not None and hasattr(search, "find_similar"):

        def find_similar(kb: KnowledgeBase, text: str, limit: int) -> list[Any]:
            return list(search.find_similar(kb, text, limit=limit))

    open_store = None
    if store_module is not None and hasattr(store_module, "TicketStore"):

        def open_store(kb: KnowledgeBase) -> TicketStore | None:
            return store_module.TicketStore(kb.ticket_store_path)

    return Stages(
        read_tickets=_read_tickets,
        make_redactor=_redactor_factory(),
        find_similar=find_similar,
        refresh_index=getattr(search, "build_index", None) if search else None,
        open_store=open_store,
        commit_drafts=getattr(branches, "commit_drafts", None) if branches else None,
        draft_change=getattr(branches, "DraftChange", None) if branches else None,
    )
