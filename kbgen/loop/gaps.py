"""`kbgen gaps`: one list of what to write or fix next, ranked by demand.

Each entry is a :class:`Gap` whose ``demand`` counts the people or tickets
that hit it (searches that failed, tickets without an article, "not helpful"
votes, views of a stale page, tickets behind two duplicate articles), so the
five kinds can share one ranking. Every entry carries the evidence that put
it on the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from kbgen.config import Config
from kbgen.loop.clusters import cluster_texts, normalise_query, overlap, shingles, similar_pairs
from kbgen.loop.evidence import Evidence, LoopTicket
from kbgen.loop.kpis import UNCATEGORISED

KINDS = (
    "failed_search",
    "uncovered_problem",
    "unhelpful_article",
    "stale_article",
    "duplicate_articles",
)
KIND_LABELS = {
    "failed_search": "failed search",
    "uncovered_problem": "uncovered problem",
    "unhelpful_article": "unhelpful article",
    "stale_article": "stale article",
    "duplicate_articles": "likely duplicates",
}
# Two searches, or two tickets of one category, belong together from this overlap up.
QUERY_CLUSTER_SIMILARITY = 0.5
TICKET_CLUSTER_SIMILARITY = 0.5
EXAMPLE_IDS = 5
SAMPLE_QUERIES = 5


@dataclass
class Gap:
    kind: str
    key: str  # stable across runs: used to avoid opening the same issue twice
    title: str
    demand: int
    evidence: dict[str, Any] = field(default_factory=dict)
    # Secondary ranking inside equal demand (e.g. total hours spent resolving).
    weight: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("weight")
        return data


def find_gaps(
    evidence: Evidence,
    config: Config,
    *,
    article_similarity: Callable[[str, str], float] | None = None,
    best_article_score: Callable[[str], float] | None = None,
) -> list[Gap]:
    """Every gap, most demanded first (ties: kind order, then more hours, then key).

    ``best_article_score(text)`` is the score of the article most like ``text``
    on capture's own scale (``kbgen.search.find_similar``), used for tickets
    capture never saw; without it a word overlap with each article stands in.
    ``article_similarity(a, b)`` scores article pairs for duplicates.
    """
    gaps = [
        *failed_searches(evidence.usage),
        *uncovered_problems(
            evidence,
            config.capture.link_threshold,
            {w.casefold() for w in config.capture.positive_resolutions},
            best_article_score,
        ),
        *unhelpful_articles(evidence, config),
        *stale_articles(evidence, config),
        *duplicate_articles(evidence, config.capture.merge_threshold, article_similarity),
    ]
    return sorted(gaps, key=lambda g: (-g.demand, KINDS.index(g.kind), -g.weight, g.key))


def failed_searches(usage: Mapping[str, Any] | None) -> list[Gap]:
    """Clusters of searches that found nothing or led to no click, with sample queries.

    Queries reach the stats database already redacted by the collector, so they
    can be shown as they are.
    """
    if not usage:
        return []
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"no_results": 0, "no_click": 0})
    for field_name, kind in (
        ("zero_result_searches", "no_results"),
        ("no_click_searches", "no_click"),
    ):
        for row in usage.get(field_name) or []:
            query = normalise_query(str(row.get("query", "")))
            if query:
                counts[query][kind] += int(row.get("count", 0))
    # Most searched first, so each cluster is named after its most common wording.
    ordered = sorted(counts, key=lambda q: (-sum(counts[q].values()), q))
    gaps = []
    for cluster in cluster_texts(ordered, lambda q: q, QUERY_CLUSTER_SIMILARITY):
        no_results = sum(counts[q]["no_results"] for q in cluster.items)
        no_click = sum(counts[q]["no_click"] for q in cluster.items)
        head = cluster.items[0]
        gaps.append(
            Gap(
                kind="failed_search",
                key=f"failed_search:{head}",
                title=f'Searches for "{head}" find nothing useful',
                demand=no_results + no_click,
                evidence={
                    "searches": no_results + no_click,
                    "no_results": no_results,
                    "no_click": no_click,
                    "queries": [
                        {"query": q, "count": sum(counts[q].values())}
                        for q in cluster.items[:SAMPLE_QUERIES]
                    ],
                },
            )
        )
    return gaps


def uncovered_problems(
    evidence: Evidence,
    link_threshold: float,
    positive: Collection[str] = (),
    best_article_score: Callable[[str], float] | None = None,
) -> list[Gap]:
    """Clusters of resolved tickets, per category, that no article covers."""
    live = [shingles(a.text) for a in evidence.articles if a.status != "retired"]

    def covered(ticket: LoopTicket) -> bool:
        if evidence.is_linked(ticket):
            return True
        if ticket.outcome or not live:  # capture already compared it with every article
            return False
        if best_article_score is not None:
            return best_article_score(ticket.text) >= link_threshold
        units = shingles(ticket.text)
        return any(overlap(units, article_units) >= link_threshold for article_units in live)

    by_category: dict[str, list[LoopTicket]] = defaultdict(list)
    for ticket in evidence.tickets:
        if ticket.is_resolved and not covered(ticket):
            by_category[ticket.category.strip() or UNCATEGORISED].append(ticket)
    gaps = []
    for category in sorted(by_category):
        members = sorted(by_category[category], key=_ticket_order)
        for cluster in cluster_texts(members, lambda t: t.text, TICKET_CLUSTER_SIMILARITY):
            gaps.append(_uncovered_gap(category, cluster.items, positive))
    return gaps


def _ticket_order(ticket: LoopTicket) -> tuple[str, str]:
    opened = ticket.opened.replace(tzinfo=None).isoformat() if ticket.opened else "9999"
    return opened, ticket.id


def best_ticket(tickets: list[LoopTicket], positive: Collection[str] = ()) -> LoopTicket:
    """The cluster's most useful ticket to draft from: positively resolved, most text, earliest.

    ``positive`` holds capture's positive resolution words (case-folded), so a ticket
    closed as Duplicate or Won't Fix is never chosen over one that was fixed.
    """
    _, best = max(
        enumerate(tickets),
        key=lambda item: (
            item[1].resolution_status.strip().casefold() in positive,
            len(item[1].text),
            -item[0],
        ),
    )
    return best


def _uncovered_gap(category: str, tickets: list[LoopTicket], positive: Collection[str]) -> Gap:
    hours = [t.resolution_hours for t in tickets if t.resolution_hours is not None]
    opened = sorted(t.opened.replace(tzinfo=None) for t in tickets if t.opened is not None)
    best = best_ticket(tickets, positive)
    label = best.title or f"ticket {best.id}"
    return Gap(
        kind="uncovered_problem",
        key=f"uncovered_problem:{category}:{tickets[0].id}",
        title=f"{category}: {label}" if category != UNCATEGORISED else label,
        demand=len(tickets),
        weight=sum(hours),
        evidence={
            "category": category,
            "tickets": len(tickets),
            "first_opened": opened[0].date().isoformat() if opened else None,
            "last_opened": opened[-1].date().isoformat() if opened else None,
            "mean_hours_to_resolve": round(sum(hours) / len(hours), 2) if hours else None,
            "total_hours_to_resolve": round(sum(hours), 2),
            "best_ticket": best.id,
            "example_ids": [t.id for t in tickets[:EXAMPLE_IDS]],
            "ticket_ids": [t.id for t in tickets],
        },
    )


def _usage_by_article(usage: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {str(a.get("id", "")): a for a in (usage or {}).get("articles", []) or []}


def unhelpful_articles(evidence: Evidence, config: Config) -> list[Gap]:
    """Articles whose helpful share is below ``loop.unhelpful_share`` over ``loop.min_votes`` votes."""
    gaps = []
    titles = {a.id: a.title for a in evidence.articles}
    comments: dict[str, list[str]] = defaultdict(list)
    for row in (evidence.usage or {}).get("comments", []) or []:
        if row.get("comment"):
            comments[str(row.get("id", ""))].append(str(row["comment"]))
    for article_id, row in sorted(_usage_by_article(evidence.usage).items()):
        helpful, not_helpful = int(row.get("helpful", 0)), int(row.get("not_helpful", 0))
        votes = helpful + not_helpful
        if votes < config.loop.min_votes or helpful / votes >= config.loop.unhelpful_share:
            continue
        gaps.append(
            Gap(
                kind="unhelpful_article",
                key=f"unhelpful_article:{article_id}",
                title=f"{article_id} {titles.get(article_id, '')}".strip() + " is not helping",
                demand=not_helpful,
                evidence={
                    "article": article_id,
                    "helpful": helpful,
                    "not_helpful": not_helpful,
                    "helpful_share": round(helpful / votes, 4),
                    "views": int(row.get("views", 0)),
                    "comments": comments.get(article_id, []),
                },
            )
        )
    return gaps


def stale_articles(evidence: Evidence, config: Config) -> list[Gap]:
    """Published articles past ``review_by``, or among the most viewed and not updated for a while."""
    usage = _usage_by_article(evidence.usage)
    ranked = sorted(usage, key=lambda i: -int(usage[i].get("views", 0)))
    popular = {i for i in ranked[: config.site.popular_limit] if int(usage[i].get("views", 0)) > 0}
    cutoff = evidence.today - dt.timedelta(days=config.loop.stale_after_days)
    gaps = []
    for article in evidence.articles:
        if article.status not in ("published", "needs_update"):
            continue
        reasons = []
        if article.review_by is not None and article.review_by < evidence.today:
            reasons.append(f"review_by {article.review_by.isoformat()} has passed")
        last_change = article.updated or article.created
        if article.id in popular and last_change is not None and last_change < cutoff:
            reasons.append(
                f"among the {config.site.popular_limit} most viewed and not updated since "
                f"{last_change.isoformat()}"
            )
        if not reasons:
            continue
        views = int(usage.get(article.id, {}).get("views", 0))
        gaps.append(
            Gap(
                kind="stale_article",
                key=f"stale_article:{article.id}",
                title=f"{article.id} {article.title} needs a review",
                demand=max(views, 1),
                evidence={
                    "article": article.id,
                    "reasons": reasons,
                    "views": views,
                    "updated": last_change.isoformat() if last_change else None,
                },
            )
        )
    return gaps


def duplicate_articles(
    evidence: Evidence,
    threshold: float,
    similarity: Callable[[str, str], float] | None = None,
) -> list[Gap]:
    """Pairs of live articles at least as similar as capture's merge threshold."""
    live = [a for a in evidence.articles if a.status != "retired"]
    by_id = {a.id: a for a in live}
    gaps = []
    pairs = similar_pairs([(a.id, a.text) for a in live], threshold, similarity)
    for first, second, score in pairs:
        a, b = by_id[first], by_id[second]
        gaps.append(
            Gap(
                kind="duplicate_articles",
                key=f"duplicate_articles:{first}:{second}",
                title=f"{first} and {second} look like the same article",
                demand=max(len(a.tickets) + len(b.tickets), 1),
                evidence={
                    "articles": [first, second],
                    "titles": [a.title, b.title],
                    "similarity": round(score, 3),
                },
            )
        )
    return gaps


def gap_lines(gaps: list[Gap], evidence: Evidence | None = None) -> list[str]:
    """The ranked list as ``kbgen gaps`` prints it: one header line and one evidence line each."""
    if not gaps:
        if (
            evidence is not None
            and evidence.tickets
            and not any(t.is_resolved for t in evidence.tickets)
        ):
            return [
                f"No gaps found, but none of the {len(evidence.tickets)} tickets from "
                f"{evidence.ticket_origin} is resolved, so none can count as an uncovered problem."
            ]
        return ["No gaps found: every search found something and every resolved ticket is covered."]
    lines = []
    width = len(str(len(gaps)))
    for rank, gap in enumerate(gaps, 1):
        lines.append(
            f"{rank:>{width}}. [{KIND_LABELS[gap.kind]}] {gap.title} (demand {gap.demand})"
        )
        lines.append(" " * (width + 2) + evidence_line(gap))
    return lines


def evidence_line(gap: Gap) -> str:
    ev = gap.evidence
    if gap.kind == "failed_search":
        queries = ", ".join(f"{q['query']} ({q['count']})" for q in ev["queries"])
        return f"{ev['no_results']} with no results, {ev['no_click']} with no click: {queries}"
    if gap.kind == "uncovered_problem":
        mean_hours = (
            "n/a" if ev["mean_hours_to_resolve"] is None else f"{ev['mean_hours_to_resolve']:.2f} h"
        )
        return (
            f"{_count(ev['tickets'], 'ticket')} opened {ev['first_opened']} to {ev['last_opened']}, "
            f"mean time to resolve {mean_hours}; e.g. {', '.join(ev['example_ids'])}"
        )
    if gap.kind == "unhelpful_article":
        comments = f"; comments: {' | '.join(ev['comments'])}" if ev["comments"] else ""
        return f"{ev['helpful']} helpful, {ev['not_helpful']} not helpful, {ev['views']} views{comments}"
    if gap.kind == "stale_article":
        return f"{'; '.join(ev['reasons'])}; {ev['views']} views"
    return f"similarity {ev['similarity']:.3f}: {ev['titles'][0]} / {ev['titles'][1]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
