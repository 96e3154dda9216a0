"""Small KBs with hand-written articles: search tests never depend on capture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbgen.articles import write_article
from kbgen.kb import KnowledgeBase, init_kb
from kbgen.models import Article

WriteArticle = Callable[..., Path]


def article_meta(article_id: str, title: str, **extra: Any) -> dict[str, Any]:
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


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return init_kb(tmp_path / "kb")


@pytest.fixture
def write(kb: KnowledgeBase) -> WriteArticle:
    def _write(article_id: str, title: str, body: str = "", slug: str = "", **meta: Any) -> Path:
        path = kb.articles_dir / f"{slug or article_id.lower()}.md"
        write_article(
            path, Article(meta=article_meta(article_id, title, **meta), body=body or title)
        )
        return path

    return _write
