"""Small builders for loop tests: tickets and articles without a real export or store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kbgen.kb import write_article
from kbgen.loop.evidence import ArticleFacts, Evidence, LoopTicket
from kbgen.models import Article

TODAY = dt.date(2026, 11, 25)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def ticket(
    id: str, opened: str | None = None, resolved: str | None = None, **kw: Any
) -> LoopTicket:
    return LoopTicket(
        id=id,
        opened=when(opened) if opened else None,
        resolved=when(resolved) if resolved else None,
        **kw,
    )


def article_meta(id: str, title: str, **overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": id,
        "title": title,
        "summary": f"How to fix: {title}.",
        "status": "published",
        "confidence": "not_validated",
        "type": "troubleshooting",
        "language": "en",
        "category": "Email",
        "tags": [],
        "tickets": [],
        "created": "2026-01-10",
        "updated": "2026-01-10",
    }
    meta.update(overrides)
    return meta


BODY = "## Problem\n\n{problem}\n\n## Cause\n\n{cause}\n\n## Resolution\n\n{fix}\n"


def article(id: str, title: str, problem: str = "", **overrides: Any) -> ArticleFacts:
    meta = article_meta(id, title, **overrides)
    body = BODY.format(problem=problem or title, cause="Unknown.", fix="Restart the client.")
    return ArticleFacts.from_article(Article(meta=meta, body=body), f"content/articles/{id}.md")


def write_kb_article(root: Path, id: str, title: str, problem: str, **overrides: Any) -> Path:
    meta = article_meta(id, title, **overrides)
    body = BODY.format(
        problem=problem, cause="A stale profile cache.", fix="Delete the cache and restart."
    )
    path = root / "content" / "articles" / f"{id.lower()}.md"
    write_article(path, Article(meta=meta, body=body))
    return path


def evidence(
    tickets: list[LoopTicket],
    articles: list[ArticleFacts] | None = None,
    usage: dict[str, Any] | None = None,
    origin: str = "ticket store",
) -> Evidence:
    return Evidence(
        tickets=tickets,
        articles=articles or [],
        usage=usage,
        today=TODAY,
        ticket_origin=origin,
        usage_missing_reason="" if usage is not None else "no usage data yet",
    )
