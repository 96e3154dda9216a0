"""The other stages capture calls, behind one small seam so tests can swap them.

Like an httpx transport: :func:`default_stages` wires the real packages
(sources, redaction, search, the ticket store, the KB's review branches);
tests pass a :class:`Stages` with small fakes instead. Every stage is
required: kbgen ships them all, so none is optional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kbgen.kb import KnowledgeBase, commit_drafts
from kbgen.models import Ticket
from kbgen.redaction import Redactor as KbRedactor
from kbgen.search import build_index, find_similar
from kbgen.sources import TicketStore, read_tickets


class Redacted(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def counts(self) -> Any: ...  # mapping kind -> count


class Redactor(Protocol):
    def redact(self, text: str) -> Redacted: ...


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
    # (kb, text, limit) -> hits scored 0..1
    find_similar: Callable[[KnowledgeBase, str, int], list[Any]]
    # kb -> None: bring the similarity index up to date with content/articles before a run
    refresh_index: Callable[[KnowledgeBase], Any]
    # kb -> the ticket store (tests pass anything with record, batch and close)
    open_store: Callable[[KnowledgeBase], TicketStore]
    # (kb, [kbgen.kb.DraftChange], batch_branch=) -> results with .to_json(); used with --branch
    commit_drafts: Callable[..., list[Any]]


def _redactor_factory() -> Callable[[KnowledgeBase, Ticket], Redactor]:
    """Build the KB's redactor once per run; derive one per ticket for its people."""
    base: dict[Path, KbRedactor] = {}

    def make(kb: KnowledgeBase, ticket: Ticket) -> Redactor:
        if kb.root not in base:
            section = kb.config.redaction
            base[kb.root] = KbRedactor(
                internal_hosts=section.internal_hosts, terms=section.terms, allow=section.allow
            )
        return base[kb.root].for_people(ticket.people)

    return make


def _find_similar(kb: KnowledgeBase, text: str, limit: int) -> list[Any]:
    return list(find_similar(kb, text, limit=limit))


def default_stages() -> Stages:
    """The real stages."""
    return Stages(
        read_tickets=read_tickets,
        make_redactor=_redactor_factory(),
        find_similar=_find_similar,
        refresh_index=build_index,
        open_store=lambda kb: TicketStore(kb.ticket_store_path),
        commit_drafts=commit_drafts,
    )
