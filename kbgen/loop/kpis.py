"""The support process's own measures, computed from tickets, articles and usage.

Every KPI is defined in docs/kpis.md, which names the ticket fields it needs.
A KPI whose fields the source lacks is reported as
``{"available": false, "reason": ...}``; nothing is estimated or defaulted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from statistics import mean, median
from typing import Any

from kbgen.loop.evidence import CREATION_OUTCOMES, REUSE_OUTCOMES, Evidence, LoopTicket

GROUPINGS = ("category", "month")
UNCATEGORISED = "(none)"
FCR_METRICS = ("reassignment_count", "reopen_count")


def unavailable(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean_hours(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(mean(values), 2) if values else None


def _count(value: Any) -> int | None:
    """A count metric as an int; None when missing or not a whole number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold() if value is not None else ""
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text)


def month_of(ticket: LoopTicket) -> str:
    return ticket.opened.strftime("%Y-%m") if ticket.opened else UNCATEGORISED


def category_of(ticket: LoopTicket) -> str:
    return ticket.category.strip() or UNCATEGORISED


class KpiCalculator:
    """Computes the KPIs for one Evidence; each method is one KPI of docs/kpis.md."""

    def __init__(self, evidence: Evidence, since: dt.date | None = None) -> None:
        self.evidence = evidence
        self.since = since
        tickets = evidence.tickets
        if since is not None:
            tickets = [t for t in tickets if t.opened is not None and t.opened.date() >= since]
        self.tickets = tickets
        self.resolved = [t for t in tickets if t.is_resolved]
        self._covering = {(t.source, t.id): evidence.covering_article(t) for t in tickets}

    # Links ------------------------------------------------------------------
    def is_linked(self, ticket: LoopTicket) -> bool:
        return self.evidence.is_linked(ticket)

    def had_article_when_opened(self, ticket: LoopTicket) -> bool:
        """The ticket's article was published on or before the day the ticket was opened."""
        article = self._covering[(ticket.source, ticket.id)]
        if article is None or article.published is None or ticket.opened is None:
            return False
        return article.published <= ticket.opened.date()

    def link_rate(self) -> float | None:
        return _rate(sum(1 for t in self.resolved if self.is_linked(t)), len(self.resolved))

    def reuse_vs_creation(self) -> dict[str, Any]:
        captured = [t for t in self.tickets if t.outcome]
        if not captured:
            return unavailable(
                f"no capture outcomes: {self.evidence.ticket_origin} tickets have not been "
                "through kbgen capture"
            )
        reused = sum(1 for t in captured if t.outcome in REUSE_OUTCOMES)
        creating = [t for t in captured if t.outcome in CREATION_OUTCOMES]
        return {
            "available": True,
            "linked_to_existing": reused,
            "new_articles": len({t.article_id for t in creating if t.article_id}),
            "tickets_in_new_articles": len(creating),
            "reuse_share": _rate(reused, reused + len(creating)),
        }

    def new_vs_known(self) -> dict[str, Any]:
        dated = [t for t in self.tickets if t.opened is not None]
        if not dated:
            return unavailable("no ticket has an opened time")
        known = sum(1 for t in dated if self.had_article_when_opened(t))
        return {
            "available": True,
            "tickets": len(dated),
            "known": known,
            "new": len(dated) - known,
            "known_share": _rate(known, len(dated)),
        }

    # Time to resolve --------------------------------------------------------
    def mttr(self) -> dict[str, Any]:
        timed = [t for t in self.tickets if t.resolution_hours is not None]
        with_article = [t for t in timed if self.had_article_when_opened(t)]
        without = [t for t in timed if not self.had_article_when_opened(t)]
        result: dict[str, Any] = {
            "overall": _mean_hours(
                t.resolution_hours for t in timed if t.resolution_hours is not None
            ),
            "tickets": len(timed),
            "excluded_negative": sum(
                1 for t in self.tickets if t.opened and t.resolved and t.resolution_hours is None
            ),
            "by_category": self._mttr_by(timed, category_of),
            "by_month": self._mttr_by(timed, month_of),
            "with_article": _mean_hours(t.resolution_hours or 0.0 for t in with_article),
            "without_article": _mean_hours(t.resolution_hours or 0.0 for t in without),
        }
        if not timed:
            result["reason"] = "no ticket has both an opened and a resolved time"
        return result

    @staticmethod
    def _mttr_by(
        timed: list[LoopTicket], key: Callable[[LoopTicket], str]
    ) -> dict[str, float | None]:
        groups: dict[str, list[float]] = defaultdict(list)
        for ticket in timed:
            groups[key(ticket)].append(ticket.resolution_hours or 0.0)
        return {name: _mean_hours(groups[name]) for name in sorted(groups)}

    # Process ----------------------------------------------------------------
    def fcr_proxy(self) -> dict[str, Any]:
        counted: list[tuple[int | None, int | None]] = []
        for ticket in self.resolved:
            pair = tuple(_count(ticket.metrics.get(name)) for name in FCR_METRICS)
            if pair != (None, None):
                counted.append((pair[0], pair[1]))
        if not counted:
            return unavailable("no reassignment or reopen counts in this source")
        first_contact = sum(1 for r, o in counted if not r and not o)
        result: dict[str, Any] = {
            "available": True,
            "tickets": len(counted),
            "first_contact": first_contact,
            "rate": _rate(first_contact, len(counted)),
            "reassigned": sum(1 for r, _ in counted if r),
            "reopened": sum(1 for _, o in counted if o),
        }
        sla = [_flag(t.metrics.get("made_sla")) for t in self.resolved]
        sla_known = [s for s in sla if s is not None]
        result["made_sla"] = (
            {
                "available": True,
                "tickets": len(sla_known),
                "rate": _rate(sum(sla_known), len(sla_known)),
            }
            if sla_known
            else unavailable("no SLA field in this source")
        )
        return result

    def backlog_age(self) -> dict[str, Any]:
        still_open = [t for t in self.tickets if t.is_open]
        if not still_open:
            unknown = sum(1 for t in self.tickets if not t.is_resolved)
            if unknown:
                return unavailable(
                    f"no open tickets in this source ({unknown} tickets have neither a "
                    "resolved time nor a status, so whether they are open is unknown)"
                )
            return unavailable("no open tickets in this source")
        ages = [
            (self.evidence.today - t.opened.date()).days for t in still_open if t.opened is not None
        ]
        if not ages:
            return unavailable("open tickets have no opened time")
        return {
            "available": True,
            "open": len(still_open),
            "mean_days": round(mean(ages), 1),
            "median_days": median(ages),
            "oldest_days": max(ages),
        }

    # Self-service -----------------------------------------------------------
    def self_service(self) -> dict[str, Any]:
        usage = self.evidence.usage
        if usage is None:
            return unavailable(self.evidence.usage_missing_reason or "no usage statistics")
        tickets_per_article: dict[str, int] = defaultdict(int)
        for ticket in self.tickets:
            article = self._covering[(ticket.source, ticket.id)]
            if article is not None:
                tickets_per_article[article.id] += 1
        rows: list[dict[str, int | str]] = []
        for entry in usage.get("articles", []):
            article_id = str(entry.get("id", ""))
            rows.append(
                {
                    "id": article_id,
                    "views": int(entry.get("views", 0)),
                    "helpful": int(entry.get("helpful", 0)),
                    "not_helpful": int(entry.get("not_helpful", 0)),
                    "tickets": tickets_per_article.get(article_id, 0),
                }
            )
        helpful = sum(int(r["helpful"]) for r in rows)
        tickets = sum(int(r["tickets"]) for r in rows)
        return {
            "available": True,
            "views": sum(int(r["views"]) for r in rows),
            "helpful": helpful,
            "not_helpful": sum(int(r["not_helpful"]) for r in rows),
            "tickets_on_same_topic": tickets,
            "success_rate": _rate(helpful, helpful + tickets),
            "articles": sorted(rows, key=lambda r: (-int(r["views"]), str(r["id"]))),
        }

    # Breakdowns -------------------------------------------------------------
    def breakdown(self, by: str) -> dict[str, dict[str, Any]]:
        if by not in GROUPINGS:
            raise ValueError(f"by must be one of {', '.join(GROUPINGS)}, got {by!r}")
        key = category_of if by == "category" else month_of
        groups: dict[str, list[LoopTicket]] = defaultdict(list)
        for ticket in self.tickets:
            groups[key(ticket)].append(ticket)
        out = {}
        for name in sorted(groups):
            members = groups[name]
            resolved = [t for t in members if t.is_resolved]
            timed = [t for t in members if t.resolution_hours is not None]
            known = [t for t in timed if self.had_article_when_opened(t)]
            unknown = [t for t in timed if not self.had_article_when_opened(t)]
            linked = sum(1 for t in resolved if self.is_linked(t))
            out[name] = {
                "tickets": len(members),
                "resolved": len(resolved),
                "linked": linked,
                "link_rate": _rate(linked, len(resolved)),
                "mttr_hours": _mean_hours(t.resolution_hours or 0.0 for t in timed),
                "mttr_with_article": _mean_hours(t.resolution_hours or 0.0 for t in known),
                "mttr_without_article": _mean_hours(t.resolution_hours or 0.0 for t in unknown),
            }
        return out


def compute_kpis(
    evidence: Evidence, *, since: dt.date | None = None, by: str | None = None
) -> dict[str, Any]:
    """All KPIs as one JSON-ready dict (shape documented in docs/kpis.md)."""
    calc = KpiCalculator(evidence, since=since)
    result: dict[str, Any] = {
        "source": evidence.ticket_origin,
        "since": since.isoformat() if since else None,
        "tickets": len(calc.tickets),
        "resolved": len(calc.resolved),
        "linked": sum(1 for t in calc.resolved if calc.is_linked(t)),
        "link_rate": calc.link_rate(),
        "reuse_vs_creation": calc.reuse_vs_creation(),
        "new_vs_known": calc.new_vs_known(),
        "mttr_hours": calc.mttr(),
        "fcr_proxy": calc.fcr_proxy(),
        "backlog_age": calc.backlog_age(),
        "self_service": calc.self_service(),
    }
    if by is not None:
        result["by"] = by
        result["breakdown"] = calc.breakdown(by)
    return result


def kpi_lines(kpis: Mapping[str, Any]) -> list[str]:
    """The human-readable report printed by ``kbgen kpis``."""
    lines = [f"KPIs from {kpis['source']}" + (f" since {kpis['since']}" if kpis["since"] else "")]
    lines.append(f"tickets: {kpis['tickets']} ({kpis['resolved']} resolved)")
    lines.append(
        f"link rate: {_pct(kpis['link_rate'])} ({kpis['linked']} of {kpis['resolved']} resolved tickets linked)"
    )
    reuse = kpis["reuse_vs_creation"]
    lines.append(
        "reuse vs creation: "
        + (
            f"{reuse['linked_to_existing']} linked to existing articles, {reuse['new_articles']} new articles"
            if reuse["available"]
            else f"not available: {reuse['reason']}"
        )
    )
    known = kpis["new_vs_known"]
    lines.append(
        "new vs known: "
        + (
            f"{known['known']} known, {known['new']} new ({_pct(known['known_share'])} known)"
            if known["available"]
            else f"not available: {known['reason']}"
        )
    )
    mttr = kpis["mttr_hours"]
    if "reason" in mttr:
        lines.append(f"MTTR: not available: {mttr['reason']}")
    else:
        lines.append(
            f"MTTR: {_hours(mttr['overall'])} over {mttr['tickets']} tickets with opened and resolved times"
        )
    lines.append(
        f"MTTR with a published article: {_hours(mttr['with_article'])}; without: {_hours(mttr['without_article'])}"
    )
    fcr = kpis["fcr_proxy"]
    lines.append(
        "first-contact resolution (proxy): "
        + (
            f"{_pct(fcr['rate'])} ({fcr['first_contact']} of {fcr['tickets']} never reassigned or reopened)"
            if fcr["available"]
            else f"not available: {fcr['reason']}"
        )
    )
    if fcr["available"] and fcr["made_sla"]["available"]:
        lines.append(
            f"made SLA: {_pct(fcr['made_sla']['rate'])} of {fcr['made_sla']['tickets']} tickets"
        )
    backlog = kpis["backlog_age"]
    lines.append(
        "backlog age: "
        + (
            f"{backlog['open']} open, median {backlog['median_days']} days, oldest {backlog['oldest_days']} days"
            if backlog["available"]
            else f"not available: {backlog['reason']}"
        )
    )
    service = kpis["self_service"]
    lines.append(
        "self-service success: "
        + (
            f"{_pct(service['success_rate'])} ({service['helpful']} helpful votes, "
            f"{service['tickets_on_same_topic']} tickets on the same topics, {service['views']} views)"
            if service["available"]
            else f"not available: {service['reason']}"
        )
    )
    by = kpis.get("by") or "category"
    table = kpis.get("breakdown", None)
    lines.append(f"by {by}:")
    if table is not None:
        for name, row in table.items():
            lines.append(
                f"  {name}: {row['tickets']} tickets, link rate {_pct(row['link_rate'])}, "
                f"MTTR {_hours(row['mttr_hours'])}"
            )
    else:
        for name, hours in mttr["by_category"].items():
            lines.append(f"  {name}: MTTR {_hours(hours)}")
    return lines


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def _hours(hours: float | None) -> str:
    return "n/a" if hours is None else f"{hours:.2f} h"
