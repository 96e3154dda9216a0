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
BACKENDS = ("whoosh", "sqlite")


def use_backend(kb: KnowledgeBase, backend: str) -> KnowledgeBase:
    """``kb`` reopened with ``search.backend: <backend>`` in its kbgen.yml."""
    config = kb.site_config_dir / "kbgen.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(f"{text}search:\n  backend: {backend}\n", encoding="utf-8")
    return KnowledgeBase.open(kb.root)


@pytest.fixture(params=BACKENDS)
def kb(tmp_path: Path, request: pytest.FixtureRequest) -> KnowledgeBase:
    """A fresh KB, once per search engine."""
    return use_backend(init_kb(tmp_path / "kb"), request.param)


@pytest.fixture
def write(kb: KnowledgeBase) -> WriteArticle:
    def _write(article_id: str, title: str, body: str = "", slug: str = "", **meta: Any) -> Path:
        path = kb.articles_dir / f"{slug or article_id.lower()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_article(
            path, Article(meta=article_meta(article_id, title, **meta), body=body or title)
        )
        return path

    return _write
