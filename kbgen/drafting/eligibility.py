"""Which tickets become drafts. Every ticket that does not gets a reason a person can act on."""

from __future__ import annotations

from kbgen.config import CaptureSection
from kbgen.models import Ticket
from kbgen.text import is_missing

# Workflow states that mean the work is not finished (compared case-insensitively).
OPEN_STATUSES = frozenset(
    {
        "open",
        "new",
        "in progress",
        "pending",
        "on hold",
        "reopened",
        "waiting",
        "active",
        "assigned",
        "work in progress",
        "待处理",
        "处理中",
        "挂起",
        "新建",
    }
)
CLOSED_STATUSES = frozenset({"closed", "resolved", "solved", "done", "已关闭", "已解决", "关闭"})
# Resolutions that say the ticket taught nothing reusable on its own.
DUPLICATE_RESOLUTIONS = frozenset({"duplicate", "duplicated", "重复"})


def is_duplicate_resolution(ticket: Ticket) -> bool:
    return ticket.resolution_status.strip().casefold() in DUPLICATE_RESOLUTIONS


def skip_reason(ticket: Ticket, config: CaptureSection) -> str | None:
    """``None`` when the ticket may be drafted, else why not (stable wording, shown to users)."""
    if not ticket.id.strip() or len(ticket.id) > 80 or any(c in ticket.id for c in "\n\r\x00<>"):
        return "ticket id is empty, longer than 80 characters or has control characters"
    status = ticket.status.strip().casefold()
    resolution_status = ticket.resolution_status.strip()
    if status in OPEN_STATUSES and not resolution_status:
        return f"ticket is still open (status {ticket.status.strip()})"
    if not any(
        not is_missing(t) for t in (ticket.title, ticket.problem, ticket.resolution)
    ) and not any(c.body.strip() for c in ticket.comments):
        return "no text to draft from"
    if is_missing(ticket.problem) and not any(c.role == "reporter" for c in ticket.comments):
        return "no problem description"
    if config.require_positive_resolution:
        positive = {r.casefold() for r in config.positive_resolutions}
        if resolution_status:
            if resolution_status.casefold() not in positive:
                return f"resolution is {resolution_status}"
        elif (
            status not in positive
            and status not in CLOSED_STATUSES
            and not (ticket.resolved or ticket.closed)
        ):
            # Some exports (Mendeley, State Grid) carry no resolution word at all;
            # a closed state or a resolution date is then the only evidence.
            return "no resolution recorded" + (
                f" (status {ticket.status.strip()})" if status else ""
            )
    return None
