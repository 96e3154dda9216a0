"""Findability: do a ticket's own words find the article written from it?

``kbgen search eval`` runs this in CI. For each published article it takes
the article's own tickets (``tickets:`` in its front-matter) as the ticket
store holds them (redacted title and problem) and searches with three
queries, as the person who had the problem would type them:

* the ticket's title;
* the first sentence of the ticket's problem (a bare greeting is skipped);
* a sentence of the resolution. The ticket store keeps no resolution text,
  so this is the first sentence of the article's own resolution section
  (Resolution, Steps or Workaround by type), one query per article.

A query counts as a hit at 1 (or 3) when the article itself is the first (or
among the first three) public results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kbgen.article_types import ARTICLE_TYPES
from kbgen.models import Article
from kbgen.text import HAN, unescape_markdown

KINDS = ("title", "problem", "resolution")
SHOWN_MISSES = 20

_CJK_ENDS = ("。", "！", "？", "；")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_TRAILING = re.compile(r"[\s:：.。!！?？]+$")
# An admonition and its indented body: drafting's "Resolution needed" marker and its
# placeholder text ("The source tickets have no public resolution.") are no resolution.
_ADMONITION = re.compile(r"^!!!.*\n(?:[ \t]*\n|[ \t]+\S.*\n?)*", re.MULTILINE)
_FENCE = re.compile(r"^(?:`{3,}|~{3,}).*?^(?:`{3,}|~{3,})\s*$", re.MULTILINE | re.DOTALL)


class TicketText(Protocol):
    """What findability reads of a stored ticket (``kbgen.sources.StoredTicket`` has it)."""

    @property
    def ticket_id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def problem(self) -> str: ...


@dataclass(frozen=True)
class Case:
    article_id: str
    kind: str  # title, problem or resolution
    query: str
    ticket_id: str = ""  # empty for the resolution query


def first_sentence(text: str, *, minimum: int = 20, limit: int = 200) -> str:
    """The opening sentence of ``text``; sentences shorter than ``minimum`` characters (or
    a quarter as many Han characters: a bare "Hi." or "您好！") are joined with the next.
    Cut at ``limit`` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    out = ""
    for sentence in _SENTENCE_END.split(text):
        out = (out + sentence if out.endswith(_CJK_ENDS) else f"{out} {sentence}").strip()
        if len(out) >= minimum or len(HAN.findall(out)) * 4 >= minimum:
            break
    return out[:limit]


def resolution_text(article: Article) -> str:
    """The plain text of the article's fix section (the last section its type requires)."""
    found = ARTICLE_TYPES.get(article.type)
    if found is None:
        return ""
    accepted = set(found.sections[-1].accepted)  # the type table lists the fix last
    body = _FENCE.sub(" ", article.body)
    headings = list(_HEADING.finditer(body))
    for i, heading in enumerate(headings):
        if _TRAILING.sub("", heading.group(1)).casefold() in accepted:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
            section = _ADMONITION.sub("", body[heading.end() : end])
            return unescape_markdown(" ".join(section.splitlines()))
    return ""


def cases(articles: Iterable[Article], tickets: Iterable[TicketText]) -> list[Case]:
    """The queries for each published article, in article order."""
    by_id: dict[str, list[TicketText]] = {}
    for ticket in tickets:
        by_id.setdefault(ticket.ticket_id, []).append(ticket)
    out: list[Case] = []
    for article in articles:
        if not article.is_published:
            continue
        own = [t for ticket_id in article.tickets for t in by_id.get(ticket_id, [])]
        for ticket in own:
            if ticket.title.strip():
                out.append(Case(article.id, "title", ticket.title.strip(), ticket.ticket_id))
            problem = first_sentence(unescape_markdown(ticket.problem))
            if problem:
                out.append(Case(article.id, "problem", problem, ticket.ticket_id))
        resolution = first_sentence(resolution_text(article))
        if resolution and own:
            out.append(Case(article.id, "resolution", resolution))
    return out


@dataclass
class FindabilityReport:
    floor_top3: float
    floor_top1: float
    counts: dict[str, list[int]] = field(default_factory=dict)  # kind -> [top1, top3, total]
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c[2] for c in self.counts.values())

    def rate(self, at: int, kind: str | None = None) -> float:
        rows = [self.counts[kind]] if kind else list(self.counts.values())
        total = sum(r[2] for r in rows)
        return sum(r[0 if at == 1 else 1] for r in rows) / total if total else 0.0

    @property
    def passed(self) -> bool:
        return self.rate(3) >= self.floor_top3 and self.rate(1) >= self.floor_top1

    def to_json(self) -> dict[str, Any]:
        return {
            "queries": self.total,
            "top1": round(self.rate(1), 4),
            "top3": round(self.rate(3), 4),
            "floor_top1": self.floor_top1,
            "floor_top3": self.floor_top3,
            "passed": self.passed,
            "by_kind": {
                kind: {
                    "queries": c[2],
                    "top1": round(self.rate(1, kind), 4),
                    "top3": round(self.rate(3, kind), 4),
                }
                for kind, c in self.counts.items()
            },
            "misses": self.misses,
        }

    def summary_lines(self) -> list[str]:
        lines = [
            f"{self.total} queries: top-1 {self.rate(1):.1%}, top-3 {self.rate(3):.1%} "
            f"(floors: top-1 {self.floor_top1:.0%}, top-3 {self.floor_top3:.0%})"
        ]
        for kind, c in self.counts.items():
            lines.append(
                f"  by {kind}: {c[2]} queries, top-1 {self.rate(1, kind):.1%}, "
                f"top-3 {self.rate(3, kind):.1%}"
            )
        for miss in self.misses[:SHOWN_MISSES]:
            found = ", ".join(miss["found"]) or "nothing"
            lines.append(
                f"  missed {miss['article']} by {miss['kind']}: {miss['query']!r} -> {found}"
            )
        if len(self.misses) > SHOWN_MISSES:
            lines.append(
                f"  ... and {len(self.misses) - SHOWN_MISSES} more misses (--json lists all)"
            )
        return lines


def evaluate(
    queries: list[Case],
    search: Callable[[str], list[str]],
    *,
    floor_top3: float,
    floor_top1: float,
    progress: Callable[[list[Case]], Iterable[Case]] = iter,
) -> FindabilityReport:
    """Run every query through ``search`` (query -> article ids, best first, at least 3)."""
    report = FindabilityReport(floor_top3=floor_top3, floor_top1=floor_top1)
    for kind in KINDS:
        if any(c.kind == kind for c in queries):
            report.counts[kind] = [0, 0, 0]
    for case in progress(queries):
        found = search(case.query)[:3]
        tally = report.counts[case.kind]
        tally[0] += found[:1] == [case.article_id]
        tally[1] += case.article_id in found
        tally[2] += 1
        if case.article_id not in found:
            report.misses.append(
                {"article": case.article_id, "kind": case.kind, "ticket": case.ticket_id,
                 "query": case.query, "found": found}
            )  # fmt: skip
    return report
