"""``kbgen capture``: tickets in, reviewed-ready drafts out. The pipeline reads top to bottom.

    read tickets -> eligibility -> redaction -> ticket store -> re-capture check
    -> reuse (link to an existing article) -> in-batch merge -> draft -> write

Decisions stream ticket by ticket (memory holds one draft per article, not
every ticket's text); files are built and written only after the whole batch
has been read, so a source error or crash midway writes nothing half-done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kbgen.drafting.content import extract_content
from kbgen.drafting.eligibility import is_duplicate_resolution, skip_reason
from kbgen.drafting.merging import BatchMerger
from kbgen.drafting.plan import CapturePlan, FileChange
from kbgen.drafting.redact import redact_for_record, redact_ticket
from kbgen.drafting.report import CaptureReport
from kbgen.drafting.stages import Stages, TicketStore, default_stages
from kbgen.drafting.templates import get_environment
from kbgen.drafting.vocabulary import load_vocabulary
from kbgen.drafting.writing import commit_to_branches, write_to_worktree
from kbgen.kb import (
    IdAllocator,
    KnowledgeBase,
    KnownArticle,
    KnownArticles,
    load_known,
    remotes,
    remove_stale_temp_files,
)
from kbgen.models import Ticket
from kbgen.progress import progress

SIMILAR_TEXT_LIMIT = 1500  # characters of title + problem compared for merges and links


@dataclass
class CaptureOptions:
    format: str = "auto"
    mapping: Path | None = None
    encoding: str | None = None
    skip_bad_records: bool = False
    branch: bool | None = None  # None: config capture.branch, else on when the KB has a remote
    batch_branch: str | None = None
    show_progress: bool = False
    strict: bool = False  # refuse imperfect records (e.g. Jira issues missing comments)
    delimiter: str | None = None  # CSV delimiter; None: detected


def similar_text(ticket: Ticket) -> str:
    return f"{ticket.title}\n\n{ticket.problem}"[:SIMILAR_TEXT_LIMIT]


def use_branches(kb: KnowledgeBase, options: CaptureOptions) -> bool:
    if options.batch_branch:
        return True
    if options.branch is not None:
        return options.branch
    if kb.config.capture.branch is not None:
        return kb.config.capture.branch
    if not kb.is_git_repo:
        return False
    return bool(remotes(kb.root))


class _Run:
    """One capture run's state; ``capture_tickets`` is the readable outline."""

    def __init__(self, kb: KnowledgeBase, stages: Stages, known: KnownArticles) -> None:
        self.kb = kb
        self.config = kb.config.capture
        self.stages = stages
        self.known = known
        self.ids = IdAllocator(kb.config.kb.id_prefix, known.used_ids)
        self.plan = CapturePlan(
            config=kb.config,
            vocabulary=load_vocabulary(kb.site_config_dir),
            env=get_environment(kb.templates_dir),
            known=known,
        )
        self.merger = BatchMerger(self.config.merge_threshold)
        self.cluster_article: dict[int, str] = {}  # merger cluster key -> article id
        self.report = CaptureReport(warnings=list(known.warnings))
        self.store: TicketStore = stages.open_store(kb)
        self.duplicates: list[tuple[Ticket, dict[str, int], str]] = []

    # --- outcome bookkeeping --------------------------------------------------
    def record(
        self,
        ticket: Ticket,
        outcome: str,
        *,
        article_id: str | None = None,
        reason: str | None = None,
        similarity: float | None = None,
    ) -> None:
        self.store.record(
            ticket,
            outcome=outcome,
            article_id=article_id,
            reason=reason,
            similarity=None if similarity is None else round(similarity, 4),
            title=ticket.title,
            problem=ticket.problem,
        )

    def skip(self, ticket: Ticket, reason: str) -> None:
        self.report.skip(ticket.id, reason)
        self.record(ticket, "skipped", reason=reason)

    # --- one ticket: one call per stage of the module docstring ---------------
    def capture(self, raw: Ticket) -> None:
        self.report.tickets_read += 1
        reason = skip_reason(raw, self.config)  # eligibility
        if self.skip_ineligible(raw, reason):
            return
        ticket, counts = redact_ticket(raw, self.redactor_for(raw))  # redaction
        # Nothing below this line sees unredacted text.
        if self.recapture(ticket, counts):
            return
        if self.hold_back(ticket, counts, reason):
            return
        text = similar_text(ticket)
        if self.link(ticket, counts, text):
            return
        if self.merge(ticket, counts, text):
            return
        self.draft(ticket, counts)

    def redactor_for(self, raw: Ticket) -> Callable[[], Any]:
        return partial(self.stages.make_redactor, self.kb, raw)

    def skip_ineligible(self, raw: Ticket, reason: str | None) -> bool:
        """Skip a ticket no rule lets in, recording its redacted metadata only."""
        if reason is None or raw.id in self.known.by_ticket or is_duplicate_resolution(raw):
            return False
        self.skip(redact_for_record(raw, self.redactor_for(raw))[0], reason)
        return True

    def hold_back(self, ticket: Ticket, counts: dict[str, int], reason: str | None) -> bool:
        """A duplicate waits for the end of the batch (it may join a draft); others are skipped."""
        if reason is None:
            return False
        if is_duplicate_resolution(ticket) and ticket.problem.strip():
            self.duplicates.append((ticket, counts, reason))
        else:
            self.skip(ticket, reason)
        return True

    def merge(self, ticket: Ticket, counts: dict[str, int], text: str) -> bool:
        """Join the in-batch draft this ticket repeats, if any."""
        cluster, score, _ = self.merger.match(text)
        if cluster is None:
            return False
        article_id = self.cluster_article[cluster.key]
        planned = self.plan.articles[article_id]
        planned.add_ticket(ticket, "merged", counts, score)
        if (
            not planned.has_resolution
            and planned.known is None
            and extract_content(ticket).has_resolution
        ):
            # A later duplicate that carries the fix makes the better draft.
            planned.representative, planned.has_resolution = ticket, True
            planned.tickets.remove(ticket.id)
            planned.tickets.insert(0, ticket.id)
        self.report.merged.append(
            {"id": article_id, "ticket": ticket.id, "similarity": round(score, 3)}
        )
        self.record(ticket, "merged", article_id=article_id, similarity=score)
        return True

    def draft(self, ticket: Ticket, counts: dict[str, int]) -> None:
        """Plan a new article from this ticket (or skip it when it has no public resolution)."""
        has_resolution = extract_content(ticket).has_resolution
        if not has_resolution and self.config.no_resolution == "skip":
            self.skip(ticket, "no public resolution")
            return
        article_id = self.ids.allocate()
        planned = self.plan.planned(article_id)
        planned.representative, planned.has_resolution = ticket, has_resolution
        planned.add_ticket(ticket, "drafted", counts)
        self.remember_cluster(ticket, article_id)
        self.record(ticket, "drafted", article_id=article_id)

    def remember_cluster(self, ticket: Ticket, article_id: str) -> None:
        key = len(self.cluster_article)
        _, _, sig = self.merger.match(similar_text(ticket))
        if self.merger.add(key, sig) is not None:
            self.cluster_article[key] = article_id

    def recapture(self, ticket: Ticket, counts: dict[str, int]) -> bool:
        """A ticket the KB already has: refresh the article drafted from it, nothing more."""
        known = self.known.by_ticket.get(ticket.id)
        if known is None:
            return False
        self.report.already_captured += 1
        if known.article.tickets[:1] != [ticket.id]:
            # Linked or merged earlier: its article is not drafted from it, so nothing to redo.
            self.record(ticket, _earlier_outcome(known, ticket.id), article_id=known.id)
            return True
        planned = self.plan.planned(known.id, known)
        planned.representative = ticket
        planned.has_resolution = extract_content(ticket).has_resolution
        planned.add_ticket(ticket, "drafted", counts)
        self.remember_cluster(ticket, known.id)
        self.record(ticket, "drafted", article_id=known.id)
        return True

    def link(self, ticket: Ticket, counts: dict[str, int], text: str) -> bool:
        """Reuse: link the ticket to an existing article that already answers it."""
        if not self.known.by_id:
            return False
        for hit in self.stages.find_similar(self.kb, text, 5):
            known = self.known.by_id.get(hit.id)
            if known is None or float(hit.score) < self.config.link_threshold:
                continue
            planned = self.plan.planned(known.id, known)
            planned.add_ticket(ticket, "linked", counts, float(hit.score))
            self.report.linked.append(
                {"id": known.id, "ticket": ticket.id, "similarity": round(float(hit.score), 3)}
            )
            self.record(ticket, "linked", article_id=known.id, similarity=float(hit.score))
            return True
        return False

    def finish_duplicates(self) -> None:
        for ticket, counts, reason in self.duplicates:
            cluster, score, _ = self.merger.match(similar_text(ticket))
            if cluster is None:
                self.skip(ticket, reason)
                continue
            article_id = self.cluster_article[cluster.key]
            self.plan.articles[article_id].add_ticket(ticket, "duplicate", counts, score)
            self.report.merged.append(
                {"id": article_id, "ticket": ticket.id, "similarity": round(score, 3)}
            )
            self.record(ticket, "merged", article_id=article_id, similarity=score)
        self.duplicates.clear()


def capture_tickets(
    kb: KnowledgeBase, paths: list[Path], options: CaptureOptions, *, stages: Stages | None = None
) -> CaptureReport:
    """Draft articles from the tickets in ``paths``; see the module docstring for the stages."""
    stages = stages or default_stages()
    branches = use_branches(kb, options)
    with kb.lock("kbgen capture"):
        for folder in (kb.articles_dir, kb.notes_dir):
            remove_stale_temp_files(folder)  # left by a run that was killed mid-write
        # Articles merged since the last run (approvals, edits) must count for reuse.
        stages.refresh_index(kb)
        run = _Run(kb, stages, load_known(kb))
        # One store transaction for the whole run: a file refused half-way, or a failed
        # write, leaves no ticket recorded as drafted without its article.
        try:
            with run.store.batch():
                for path in paths:
                    stream = stages.read_tickets(
                        path,
                        format=options.format,
                        mapping=options.mapping,
                        encoding=options.encoding,
                        skip_bad_records=options.skip_bad_records,
                        strict=options.strict,
                        delimiter=options.delimiter,
                    )
                    label = f"Capturing {Path(path).name}"
                    for ticket in progress(stream, label, enabled=options.show_progress):
                        run.capture(ticket)
                    run.report.sources.append(_source_report(stream, path))
                    _account_source_skips(run.report, run.report.sources[-1])
                run.finish_duplicates()
                changes, run.report.edited = run.plan.build()
                for warning in run.plan.warnings:
                    run.report.warn(warning)
                if branches:
                    run.report.branches = commit_to_branches(
                        kb, changes, options.batch_branch, stages
                    )
                else:
                    write_to_worktree(kb, changes, run.report)
                _report_changes(run.report, changes)
        finally:
            run.store.close()
    return run.report


def _account_source_skips(report: CaptureReport, source: dict[str, Any]) -> None:
    """Records a source read but did not turn into tickets join the run's skipped list,
    so every ticket of the export is accounted for in one place: drafted, merged,
    linked, already captured or skipped with a reason."""
    for skipped in source.get("skipped") or []:
        report.tickets_read += 1
        report.skip(skipped.get("ticket") or skipped.get("record", ""), skipped["reason"])


def _source_report(stream: object, path: Path) -> dict[str, Any]:
    report = getattr(stream, "report", None)
    to_json = getattr(report, "to_json", None)
    return to_json() if callable(to_json) else {"path": str(path)}


def _earlier_outcome(known: KnownArticle, ticket_id: str) -> str:
    """What capture decided for this ticket the first time, from the article's review notes."""
    via = {
        str(s.get("ticket")): str(s.get("via"))
        for s in (known.notes.sources if known.notes else [])
    }
    return {"drafted": "drafted", "merged": "merged", "duplicate": "merged"}.get(
        via.get(ticket_id, ""), "linked"
    )


def _report_changes(report: CaptureReport, changes: list[FileChange]) -> None:
    for change in changes:
        if change.kind == "new":
            report.created.append(
                {
                    "id": change.article_id,
                    "path": change.article_path,
                    "tickets": change.tickets,
                    "resolution": change.has_resolution,
                }
            )
        elif change.kind == "update":
            report.updated.append(
                {"id": change.article_id, "path": change.article_path, "tickets": change.tickets}
            )
