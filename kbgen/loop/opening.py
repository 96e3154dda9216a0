"""`kbgen gaps --open`: the shown gaps become issues or backlog rows, uncovered problems drafts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.drafting import CaptureOptions, capture_tickets, default_stages
from kbgen.kb import KnowledgeBase
from kbgen.loop.gaps import Gap
from kbgen.loop.issues import open_issues, write_backlog
from kbgen.review import get_forge


@dataclass
class OpenResult:
    issues: list[dict[str, Any]] = field(default_factory=list)  # rank, key, url, new
    backlog: str = ""  # KB-relative path of the backlog page, when there is no forge
    captured: list[dict[str, Any]] = field(default_factory=list)  # gap key, ticket, branch
    not_captured: list[dict[str, str]] = field(default_factory=list)  # gap key, reason

    def to_json(self) -> dict[str, Any]:
        return {
            "issues": self.issues,
            "backlog": self.backlog or None,
            "captured": self.captured,
            "not_captured": self.not_captured,
        }

    def summary_lines(self) -> list[str]:
        lines = []
        for issue in self.issues:
            verb = "opened" if issue["new"] else "already open"
            lines.append(f"#{issue['rank']}: issue {verb}: {issue['url']}")
        if self.backlog:
            lines.append(f"backlog page written: {self.backlog}")
        for item in self.captured:
            where = f" on {item['branch']}" if item["branch"] else ""
            lines.append(
                f"ticket {item['ticket']} ({item['gap']}): {item['outcome']} {item['article']}{where}"
            )
        for item in self.not_captured:
            lines.append(f"not captured for {item['gap']}: {item['reason']}")
        return lines


def open_gaps(
    kb: KnowledgeBase,
    gaps: list[Gap],
    *,
    from_path: Path | None = None,
    fmt: str = "auto",
    mapping: Path | None = None,
    encoding: str | None = None,
) -> OpenResult:
    """File issues (forge) or write the backlog page, then capture each uncovered problem's best ticket."""
    result = OpenResult()
    forge = get_forge(kb.config.review)
    if forge is None:
        result.backlog = write_backlog(kb, gaps)
    else:
        for rank, (gap, url, new) in enumerate(open_issues(kb, gaps, forge), 1):
            result.issues.append({"rank": rank, "key": gap.key, "url": url, "new": new})
    uncovered = [g for g in gaps if g.kind == "uncovered_problem"]
    if uncovered:
        capture_best_tickets(
            kb, uncovered, result, from_path=from_path, fmt=fmt, mapping=mapping, encoding=encoding
        )
    return result


def capture_best_tickets(
    kb: KnowledgeBase,
    gaps: list[Gap],
    result: OpenResult,
    *,
    from_path: Path | None,
    fmt: str = "auto",
    mapping: Path | None = None,
    encoding: str | None = None,
) -> None:
    """Draft each cluster's best ticket with ``kbgen capture`` onto its own review branch.

    Capture reads exports, so this needs the export the tickets came from
    (``--from``); tickets known only from the ticket store are reported as not
    captured, with the command to run.
    """
    if from_path is None:
        for gap in gaps:
            result.not_captured.append(
                {
                    "gap": gap.key,
                    "reason": f"ticket {gap.evidence['best_ticket']} is only in the ticket store; "
                    "run kbgen gaps --open --from EXPORT to draft it",
                }
            )
        return
    wanted = {str(g.evidence["best_ticket"]): g for g in gaps}
    stages = default_stages()
    read_all = stages.read_tickets

    def read_wanted(path: Path, **kwargs: Any) -> Any:
        # Capture's own reader, narrowed to the clusters' best tickets.
        return _Only(read_all(path, **kwargs), set(wanted))

    report = capture_tickets(
        kb,
        [from_path],
        CaptureOptions(format=fmt, mapping=mapping, encoding=encoding, branch=True),
        stages=dataclasses.replace(stages, read_tickets=read_wanted),
    )
    articles: dict[str, tuple[str, str]] = {}
    for created in report.created:
        for ticket_id in created["tickets"]:
            articles[str(ticket_id)] = ("drafted", str(created["id"]))
    for linked in report.linked:
        articles[str(linked["ticket"])] = ("linked to", str(linked["id"]))
    skipped = {str(s["ticket"]): s["reason"] for s in report.skipped}
    branches = {
        a: str(b.get("branch", "")) for b in report.branches for a in b.get("article_ids", [])
    }
    for ticket_id, gap in wanted.items():
        if ticket_id in articles:
            outcome, article_id = articles[ticket_id]
            result.captured.append(
                {
                    "gap": gap.key,
                    "ticket": ticket_id,
                    "outcome": outcome,
                    "article": article_id,
                    "branch": branches.get(article_id, ""),
                }
            )
        else:
            reason = skipped.get(ticket_id, "capture made no draft from it")
            result.not_captured.append({"gap": gap.key, "reason": f"ticket {ticket_id}: {reason}"})


class _Only:
    """A ticket stream filtered to some ids; keeps the source's ``report`` for capture."""

    def __init__(self, stream: Any, ids: set[str]) -> None:
        self.stream, self.ids = stream, ids
        self.report = getattr(stream, "report", None)

    def __iter__(self) -> Any:
        return (t for t in self.stream if t.id in self.ids)
