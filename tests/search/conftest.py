"""Small KBs with hand-written articles: search tests never depend on capture."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from factories import article_meta

from kbgen.kb import (
    KnowledgeBase,
    init_kb,
    iter_article_paths,
    load_article,
    write_article,
)
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


def capture_and_publish(
    root: Path, sources: list[tuple[Path, dict[str, Any]]], *, config: str = ""
) -> KnowledgeBase:
    """A KB at ``root`` with real exports captured by the real capture, every draft published.

    For module-scoped fixtures, which the autouse environment fixture does not reach.
    ``config`` is inserted at the top of the capture section of kbgen.yml.
    """
    from kbgen.drafting import CaptureOptions, capture_tickets

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KBGEN_TODAY", "2026-11-25")
        for role in ("AUTHOR", "COMMITTER"):
            mp.setenv(f"GIT_{role}_NAME", "Eve Engineer")
            mp.setenv(f"GIT_{role}_EMAIL", "eve@example.test")
        mp.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        kb = init_kb(root)
        if config:
            path = kb.site_config_dir / "kbgen.yml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("capture:\n", "capture:\n" + config), encoding="utf-8")
            kb = KnowledgeBase.open(kb.root)
        for source, options in sources:
            capture_tickets(kb, [source], CaptureOptions(branch=False, **options))
    for path in iter_article_paths(kb.articles_dir):
        article = load_article(path)
        article.meta["status"] = "published"
        write_article(path, article)
    return kb
