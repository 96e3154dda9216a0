"""The two records every stage shares: a :class:`Ticket` and an :class:`Article`.

Data flows ticket -> draft -> review -> publish -> usage -> back to capture:

* ``kbgen.sources`` turns any export into ``Ticket`` objects. Internal notes are
  dropped there, structurally, so nothing downstream can ever see them.
* ``kbgen.drafting`` turns tickets into ``Article`` objects (front-matter + body).
* Everything after that reads and writes articles through ``kbgen.articles``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Role = Literal["reporter", "resolver", "other"]
Language = Literal["en", "zh"]

STATUSES = ("draft", "published", "needs_update", "retired")
CONFIDENCES = ("wip", "not_validated", "validated")


@dataclass(frozen=True)
class Comment:
    """One public comment. Personal names are never kept, only the author's role."""

    body: str
    role: Role
    created: dt.datetime | None = None


@dataclass(frozen=True)
class Environment:
    """What the problem applies to."""

    product: str = ""
    component: str = ""
    version: str = ""

    def is_empty(self) -> bool:
        return not (self.product or self.component or self.version)


@dataclass
class Ticket:
    """One normalised, resolved (or open) support ticket.

    Text fields (``problem``, ``cause``, ``resolution`` and comment bodies) hold
    Markdown produced by kbgen itself: sources convert vendor markup (Jira wiki,
    ADF, HTML) or escape plain text with :func:`kbgen.text.plain_to_markdown`.
    Nothing here has been redacted yet; ``people`` lists the names and logins
    found in the ticket's own user fields so that drafting can redact them. It is
    never stored or written anywhere.
    """

    id: str
    source: str
    title: str
    problem: str = ""
    url: str = ""
    environment: Environment = field(default_factory=Environment)
    cause: str = ""
    resolution: str = ""
    # Corrective or preventive action (整改措施), where the source records it separately.
    prevention: str = ""
    resolution_status: str = (
        ""  # the vendor's own word: "Fixed", "Duplicate", "Solved (Permanently)"
    )
    status: str = ""  # workflow state: "Closed", "Resolved", "solved", "Open"
    category: str = ""
    subcategory: str = ""
    tags: list[str] = field(default_factory=list)
    priority: str = ""
    opened: dt.datetime | None = None
    resolved: dt.datetime | None = None
    closed: dt.datetime | None = None
    language: Language = "en"
    comments: list[Comment] = field(default_factory=list)
    # Counts of comments dropped because they were internal or of unknown visibility.
    private_dropped: int = 0
    # Markers for the reviewer, e.g. "adf-unknown-node:extension", "truncated:description".
    flags: list[str] = field(default_factory=list)
    # Process metadata some sources carry (reassignment_count, reopen_count, made_sla...).
    metrics: dict[str, Any] = field(default_factory=dict)
    # In-memory only: names and logins of people on the ticket, for redaction.
    people: list[str] = field(default_factory=list)

    def public_text(self) -> str:
        """All publishable text, for similarity and search."""
        parts = [self.title, self.problem, self.cause, self.resolution, self.prevention]
        parts.extend(c.body for c in self.comments)
        return "\n\n".join(p for p in parts if p)


@dataclass
class Article:
    """A Markdown article: ordered front-matter plus body.

    ``meta`` follows ``site_config/article.schema.yml`` (the single source of
    truth for keys). The typed properties below are conveniences for the keys
    every stage reads.
    """

    meta: dict[str, Any]
    body: str
    path: Path | None = None

    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def status(self) -> str:
        return str(self.meta.get("status", ""))

    @property
    def language(self) -> str:
        return str(self.meta.get("language", "en"))

    @property
    def type(self) -> str:
        return str(self.meta.get("type", ""))

    @property
    def category(self) -> str:
        return str(self.meta.get("category", ""))

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in self.meta.get("tags") or []]

    @property
    def tickets(self) -> list[str]:
        return [str(t) for t in self.meta.get("tickets") or []]

    @property
    def is_published(self) -> bool:
        """Visible to end users (``needs_update`` stays online with a notice)."""
        return self.status in ("published", "needs_update")
