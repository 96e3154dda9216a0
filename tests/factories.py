"""Small builders shared by test packages (tests/ is on sys.path through its conftest)."""

from __future__ import annotations

from typing import Any


def article_meta(article_id: str, title: str, **extra: Any) -> dict[str, Any]:
    """Valid front-matter for a published article; ``extra`` overrides or adds keys."""
    meta: dict[str, Any] = {
        "id": article_id,
        "title": title,
        "summary": extra.pop("summary", f"How to fix: {title}"),
        "status": extra.pop("status", "published"),
        "confidence": "validated",
        "type": extra.pop("type", "troubleshooting"),
        "language": extra.pop("language", "en"),
        "category": extra.pop("category", "General"),
        "tags": extra.pop("tags", []),
        "tickets": extra.pop("tickets", []),
        "created": "2026-11-01",
        "updated": extra.pop("updated", "2026-11-20"),
    }
    meta.update(extra)
    return meta
