"""Small KBs with hand-written articles: search tests never depend on capture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factories import article_meta

from kbgen.kb import KnowledgeBase, init_kb, write_article
from kbgen.models import Article

WriteArticle = Callable[..., Path]


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
