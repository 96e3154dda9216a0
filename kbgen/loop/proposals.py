"""Reuse is review: update proposals made from the tickets linked to existing articles.

When capture links new tickets to an article, their (redacted) text may carry
symptoms, environments or fixes the article does not mention yet. kbgen then
proposes an update on its own ``kb/<id>-update-<date>`` branch: the new
evidence goes into a clearly marked section, the front-matter gets
``suggested_edit: true``, and the change goes through ``kbgen check`` and
``kbgen review approve`` like any draft. The same branch may propose a
confidence change (``not_validated`` -> ``validated`` after
``loop.validate_after_links`` linked tickets); an article nobody used for
``loop.retire_after_days`` gets a proposal to become ``retired``. Nothing
changes on the base branch until a reviewer merges the proposal.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kbgen.kb import (
    DraftChange,
    KnowledgeBase,
    base_articles,
    commit_drafts,
    dump_article,
    is_merged,
    list_kb_branches,
    today,
)
from kbgen.loop.clusters import shingles
from kbgen.loop.evidence import (
    LINKED_OUTCOMES,
    REUSE_OUTCOMES,
    Evidence,
    LoopTicket,
    day_of,
    load_usage,
)
from kbgen.models import Article
from kbgen.text import escape_inline, one_line, unescape_markdown

# A linked ticket is new evidence when at least this share of its words, and at least this
# many words, are not in the article: "after the Windows 11 upgrade" is news, one stray
# word is not.
NOVELTY_SHARE = 0.2
NOVELTY_MIN_UNITS = 2  # content words (stop-words and numbers never count)
EVIDENCE_HEADINGS = {"en": "New evidence from linked tickets", "zh": "关联工单带来的新信息"}
EVIDENCE_NOTE = {
    "en": "Suggested edit proposed by kbgen on {day}: fold what is new into the sections above, then delete this section.",
    "zh": "kbgen 于 {day} 提出的修改建议：请将新信息并入上文各节，然后删除本节。",
}
UPDATE_SLUG = "update-{day}"


@dataclass
class Proposal:
    """One article's proposed changes, and the branch that carries them once committed."""

    article_id: str
    title: str
    path: str
    changes: list[str] = field(default_factory=list)  # human-readable, one per change
    evidence_tickets: list[str] = field(default_factory=list)
    branch: str = ""
    commit: str = ""
    created: bool = False
    article: Article | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article_id,
            "path": self.path,
            "changes": self.changes,
            "evidence_tickets": self.evidence_tickets,
            "branch": self.branch,
            "commit": self.commit,
            "created": self.created,
        }


def new_evidence(article: Article, tickets: list[LoopTicket]) -> list[LoopTicket]:
    """Linked tickets whose text the article does not already carry (by id or by words)."""
    body_units = shingles(f"{article.title}\n{article.meta.get('summary', '')}\n{article.body}")
    fresh = []
    for ticket in tickets:
        if not ticket.title and not ticket.text.strip():
            continue  # nothing publishable (e.g. an export that was never redacted)
        if re.search(rf"(?<![\w-]){re.escape(ticket.id)}(?![\w-])", article.body):
            continue  # already cited in the body: a reviewer has seen it
        units = shingles(ticket.text)
        unseen = units - body_units
        if len(unseen) >= NOVELTY_MIN_UNITS and len(unseen) / len(units) >= NOVELTY_SHARE:
            fresh.append(ticket)
    return fresh


def plain_problem(ticket: LoopTicket) -> str:
    """The stored problem (kbgen Markdown) as plain text, so it can be escaped once for the bullet."""
    problem = ticket.text.split("\n", 1)[1] if "\n" in ticket.text else ""
    lines = [ln for ln in problem.splitlines() if not ln.lstrip().startswith(("```", "~~~"))]
    return unescape_markdown("\n".join(lines))


def evidence_section(article: Article, tickets: list[LoopTicket], day: str) -> str:
    """The marked section: one bullet per ticket with its redacted title and problem, escaped."""
    lang = "zh" if article.language == "zh" else "en"
    bullets = []
    for ticket in tickets:
        words = one_line(plain_problem(ticket), 300)
        line = f"- **{escape_inline(ticket.id)}**: {escape_inline(one_line(ticket.title, 150))}"
        bullets.append(line + (f" — {escape_inline(words)}" if words else ""))
    return "\n".join([f"*{EVIDENCE_NOTE[lang].format(day=day)}*", "", *bullets])


def add_evidence(article: Article, tickets: list[LoopTicket], day: str) -> str:
    """The body with new evidence appended to the marked section (created at the end if absent)."""
    lang = "zh" if article.language == "zh" else "en"
    heading = f"## {EVIDENCE_HEADINGS[lang]}"
    body = article.body.rstrip("\n")
    section = evidence_section(article, tickets, day)
    if heading not in body.splitlines():
        return f"{body}\n\n{heading}\n\n{section}\n"
    # Append the new bullets (without repeating the note) to the end of the existing section.
    bullets = section.split("\n\n", 1)[1]
    lines = body.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return (
        "\n".join([*lines[:end], bullets, *([""] + lines[end:] if end < len(lines) else [])]) + "\n"
    )


def plan_proposals(
    kb: KnowledgeBase,
    evidence: Evidence,
    base: dict[str, tuple[str, Article]],
    *,
    used_since_cutoff: set[str] | None = None,
) -> list[Proposal]:
    """Decide what to propose for each article on the base branch (no writes).

    ``used_since_cutoff`` holds the ids of articles viewed within
    ``loop.retire_after_days``; None means there are no usage statistics, and
    then nothing is proposed for retirement (no views known is not no views).
    """
    loop = kb.config.loop
    day = today()
    cutoff = dt.date.fromisoformat(day) - dt.timedelta(days=loop.retire_after_days)
    # Reused tickets carry the new evidence; every attached ticket counts as use.
    linked: dict[str, list[LoopTicket]] = defaultdict(list)
    attached: dict[str, list[LoopTicket]] = defaultdict(list)
    for ticket in evidence.tickets:
        if ticket.outcome in LINKED_OUTCOMES and ticket.article_id:
            attached[ticket.article_id].append(ticket)
            if ticket.outcome in REUSE_OUTCOMES:
                linked[ticket.article_id].append(ticket)
    proposals = []
    for article_id in sorted(base):
        path, original = base[article_id]
        if original.status == "retired":
            continue
        article = Article(meta=copy.deepcopy(original.meta), body=original.body, path=original.path)
        proposal = Proposal(article_id, original.title, path)
        ticket_ids = list(article.tickets)
        fresh = new_evidence(article, sorted(linked.get(article_id, []), key=lambda t: t.id))
        if fresh:
            article.body = add_evidence(article, fresh, day)
            proposal.evidence_tickets = [t.id for t in fresh]
            proposal.changes.append(
                f"add evidence from {len(fresh)} linked ticket{'s' if len(fresh) > 1 else ''}: "
                f"{', '.join(t.id for t in fresh)}"
            )
            ticket_ids += [t.id for t in fresh if t.id not in ticket_ids]
        uses = len(set(ticket_ids) | {t.id for t in attached.get(article_id, [])})
        if (
            article.meta.get("confidence") == "not_validated"
            and uses >= loop.validate_after_links
            and original.is_published
        ):
            article.meta["confidence"] = "validated"
            proposal.changes.append(
                f"raise confidence not_validated -> validated ({uses} linked tickets, "
                f"loop.validate_after_links is {loop.validate_after_links})"
            )
        if used_since_cutoff is not None and _unused(
            original, attached.get(article_id, []), used_since_cutoff, cutoff
        ):
            article.meta["status"] = "retired"
            proposal.changes.append(
                f"retire: no views and no linked tickets since {cutoff.isoformat()} "
                f"(loop.retire_after_days is {loop.retire_after_days})"
            )
        if not proposal.changes:
            continue
        article.meta["tickets"] = ticket_ids
        article.meta["updated"] = day
        article.meta["suggested_edit"] = True
        proposal.article = article
        proposals.append(proposal)
    return proposals


def _unused(article: Article, linked: list[LoopTicket], viewed: set[str], cutoff: dt.date) -> bool:
    if not article.is_published or article.id in viewed:
        return False
    since = day_of(article.meta.get("updated")) or day_of(article.meta.get("created"))
    if since is None or since >= cutoff:
        return False  # too young (or undated) to call unused
    return not any(t.opened is not None and t.opened.date() >= cutoff for t in linked)


def propose_updates(
    kb: KnowledgeBase, evidence: Evidence, *, dry_run: bool = False
) -> list[Proposal]:
    """Plan proposals and commit each onto its own update branch (skipping open proposals)."""
    base = base_articles(kb)
    cutoff = dt.date.fromisoformat(today()) - dt.timedelta(days=kb.config.loop.retire_after_days)
    usage, _ = load_usage(kb, cutoff)
    viewed = (
        {str(a.get("id")) for a in usage.get("articles", []) if int(a.get("views", 0)) > 0}
        if usage is not None
        else None
    )
    proposals = plan_proposals(kb, evidence, base, used_since_cutoff=viewed)
    all_branches = set(list_kb_branches(kb))
    todo: list[tuple[Proposal, str]] = []
    for proposal in proposals:
        prefix = f"kb/{proposal.article_id}-update-"
        pending = [b for b in all_branches if b.startswith(prefix) and not is_merged(kb, b)]
        if pending:
            proposal.branch = sorted(pending)[-1]  # an earlier proposal still waits for review
            if not proposal.branch.startswith(f"{prefix}{today()}"):
                continue
            todo.append((proposal, proposal.branch[len("kb/") + len(proposal.article_id) + 1 :]))
            continue
        # A merged proposal of the same day keeps its name; a new one gets the next free one.
        slug, n = UPDATE_SLUG.format(day=today()), 1
        while f"kb/{proposal.article_id}-{slug}" in all_branches:
            n += 1
            slug = f"{UPDATE_SLUG.format(day=today())}-{n}"
        todo.append((proposal, slug))
    if dry_run or not todo:
        return proposals
    changes = [
        DraftChange(
            article_id=p.article_id,
            slug=slug,
            title=p.title,
            tickets=p.evidence_tickets,
            files={p.path: dump_article(p.article).encode("utf-8")},  # type: ignore[arg-type]
            kind="update",
        )
        for p, slug in todo
    ]
    with kb.lock("kbgen propose"):
        results = commit_drafts(kb, changes)
    for (proposal, _), result in zip(todo, results, strict=True):
        proposal.branch, proposal.commit, proposal.created = (
            result.branch,
            result.commit,
            result.created,
        )
    return proposals


def proposal_lines(proposals: list[Proposal]) -> list[str]:
    if not proposals:
        return [
            "No update proposals: linked tickets bring nothing new and no article is due a change."
        ]
    lines = []
    for p in proposals:
        state = (
            "committed to"
            if p.created
            else ("waiting for review on" if p.branch else "would go to")
        )
        lines.append(f"{p.article_id} {p.title}: {state} {p.branch or 'a new update branch'}")
        lines.extend(f"  - {change}" for change in p.changes)
    return lines
