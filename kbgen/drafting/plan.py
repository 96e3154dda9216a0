"""The batch plan: which articles capture creates, refreshes or links, and their final bytes.

Decisions are gathered while tickets stream; files are built once at the end
(:meth:`CapturePlan.build`), so nothing is written until the whole batch has
been read, redacted and checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import jinja2

from kbgen.config import Config
from kbgen.drafting.draft import Draft, draft_article, validate_meta
from kbgen.drafting.vocabulary import Vocabulary
from kbgen.exceptions import DraftError
from kbgen.kb import (
    KnownArticle,
    KnownArticles,
    ReviewNotes,
    article_filename,
    article_relpath,
    dump_article,
    notes_relpath,
    sha256,
    title_slug,
    today,
    unique_filename,
)
from kbgen.models import Article, Ticket


def fingerprint(article: Article) -> str:
    """Hash of a draft's content without its dates: same evidence, same fingerprint, any day."""
    meta = {k: v for k, v in article.meta.items() if k not in ("created", "updated")}
    return hashlib.sha256(dump_article(Article(meta=meta, body=article.body)).encode()).hexdigest()


@dataclass
class PlannedArticle:
    id: str
    known: KnownArticle | None = None
    representative: Ticket | None = None  # redacted; None: only links into a known article
    has_resolution: bool = False
    tickets: list[str] = field(default_factory=list)
    sources: list[tuple[str, str, str, float | None]] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)

    def add_ticket(
        self, ticket: Ticket, via: str, counts: dict[str, int], score: float | None = None
    ) -> None:
        if ticket.id not in self.tickets:
            self.tickets.append(ticket.id)
            self.sources.append((ticket.id, ticket.source, via, score))
        for kind, n in counts.items():
            self.redactions[kind] = self.redactions.get(kind, 0) + n


@dataclass
class FileChange:
    """The files of one article that this run writes, and what kind of change it is."""

    article_id: str
    kind: str  # "new" | "link" | "update" | "proposal"
    title: str
    slug: str
    tickets: list[str]
    files: dict[str, bytes]  # KB-relative path -> bytes
    article_path: str
    has_resolution: bool = True
    branch: str | None = None  # the pending kb/* branch the article lives on, if any


@dataclass
class CapturePlan:
    config: Config
    vocabulary: Vocabulary
    env: jinja2.Environment
    known: KnownArticles
    articles: dict[str, PlannedArticle] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def planned(self, article_id: str, known: KnownArticle | None = None) -> PlannedArticle:
        if article_id not in self.articles:
            self.articles[article_id] = PlannedArticle(id=article_id, known=known)
        return self.articles[article_id]

    # --- building files ---------------------------------------------------
    def build(self) -> tuple[list[FileChange], list[dict[str, Any]]]:
        """Every file change, plus the articles kept because people edited them."""
        changes: list[FileChange] = []
        edited: list[dict[str, Any]] = []
        names = set(self.known.file_names)
        for planned in self.articles.values():
            if planned.known is None:
                changes.append(self._new(planned, names))
            else:
                change, kept = self._existing(planned)
                if change is not None:
                    changes.append(change)
                if kept is not None:
                    edited.append(kept)
        return changes, edited

    def _draft(
        self, planned: PlannedArticle, tickets: list[str], created: str | None, updated: str | None
    ) -> Draft:
        assert planned.representative is not None
        return draft_article(
            planned.representative,
            planned.id,
            config=self.config,
            vocabulary=self.vocabulary,
            env=self.env,
            tickets=tickets,
            created=created,
            updated=updated,
        )

    def _notes(
        self, planned: PlannedArticle, base: ReviewNotes | None, flags: list[str]
    ) -> ReviewNotes:
        notes = base or ReviewNotes(id=planned.id)
        for ticket, source, via, score in planned.sources:
            notes.add_source(ticket, source, via, score)
        notes.add_redactions(planned.redactions)
        notes.flags = sorted(set(notes.flags) | set(flags))
        return notes

    def _new(self, planned: PlannedArticle, names: set[str]) -> FileChange:
        draft = self._draft(planned, planned.tickets, None, None)
        name = unique_filename(article_filename(planned.id, draft.article.title), names)
        names.add(name)
        data = dump_article(draft.article).encode("utf-8")
        notes = self._notes(planned, None, draft.flags)
        notes.generated_sha256 = sha256(data)
        notes.draft_sha256 = fingerprint(draft.article)
        rel = article_relpath(name)
        return FileChange(
            article_id=planned.id,
            kind="new",
            title=draft.article.title,
            slug=title_slug(draft.article.title),
            tickets=draft.article.tickets,
            files={rel: data, notes_relpath(planned.id): notes.to_bytes()},
            article_path=rel,
            has_resolution=not draft.needs_resolution,
        )

    def _existing(self, planned: PlannedArticle) -> tuple[FileChange | None, dict[str, Any] | None]:
        known = planned.known
        assert known is not None
        current = known.article
        tickets = list(dict.fromkeys([*current.tickets, *planned.tickets]))
        new_tickets = [t for t in tickets if t not in current.tickets]
        notes = self._notes(planned, _copy_notes(known.notes), [])
        files: dict[str, bytes] = {}
        kind = "link"
        kept: dict[str, Any] | None = None
        if planned.representative is not None:
            created = str(current.meta.get("created") or "") or None
            updated = str(current.meta.get("updated") or "") or None
            draft = self._draft(planned, tickets, created, updated)
            evidence = fingerprint(draft.article)
            if known.notes is not None and known.notes.draft_sha256 == evidence:
                pass  # same evidence as last time: nothing to do, whatever people changed since
            elif not known.edited:
                draft.article.meta["updated"] = today()
                data = dump_article(draft.article).encode("utf-8")
                notes.flags = sorted(set(draft.flags))
                notes.generated_sha256 = sha256(data)
                notes.draft_sha256 = evidence
                files[known.relpath] = data
                kind = "update"
            else:
                proposal = notes_relpath(planned.id, ".proposal.md")
                files[proposal] = dump_article(draft.article).encode("utf-8")
                notes.proposal = proposal
                kept = {
                    "id": planned.id,
                    "path": known.relpath,
                    "tickets": tickets,
                    "proposal": proposal,
                }
        if new_tickets and known.relpath not in files:
            # Linking only adds ids to the front-matter; a person's body and keys stay as they are.
            meta = dict(current.meta)
            meta["tickets"] = tickets
            try:
                validate_meta(meta, known.relpath)
            except DraftError as exc:
                # A person's front-matter that no longer validates is theirs to fix;
                # capture reports it and leaves the file alone.
                self.warnings.append(f"{exc.message}; tickets {', '.join(new_tickets)} not linked")
                return None, kept
            data = dump_article(Article(meta=meta, body=current.body)).encode("utf-8")
            files[known.relpath] = data
            if not known.edited:
                notes.generated_sha256 = sha256(data)
        if kept is not None and known.relpath not in files:
            kind = "proposal"
        if files:
            files[notes_relpath(planned.id)] = notes.to_bytes()
        change = FileChange(
            article_id=planned.id,
            kind=kind,
            title=current.title,
            slug=title_slug(current.title),
            tickets=tickets,
            files=files,
            article_path=known.relpath,
            branch=known.branch,
        )
        return (change if files else None), kept


def _copy_notes(notes: ReviewNotes | None) -> ReviewNotes | None:
    if notes is None:
        return None
    return ReviewNotes(
        id=notes.id,
        sources=[dict(s) for s in notes.sources],
        redactions=dict(notes.redactions),
        flags=list(notes.flags),
        generated_sha256=notes.generated_sha256,
        draft_sha256=notes.draft_sha256,
        proposal=notes.proposal,
    )
