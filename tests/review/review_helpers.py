"""Helpers for review tests: valid articles, draft changes, commits made by hand, identities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbgen.kb import DraftChange, dump_article, git_out, run_git
from kbgen.models import Article

BODY_EN = """## Issue

The office printer shows as offline after the spooler update.

## Cause

The print spooler service stopped after the update.

## Resolution

1. Open Services.
2. Restart the Print Spooler service.
"""

BODY_ZH = """## 问题现象

打印机在更新后显示脱机。

## 处理过程

重启打印后台处理程序服务。
"""


def article_text(
    article_id: str = "KB-0001",
    title: str = "Printer shows offline after the spooler update",
    *,
    body: str = BODY_EN,
    **meta: Any,
) -> str:
    """A valid draft article, as drafting would write it; ``meta`` overrides or adds keys."""
    fields: dict[str, Any] = {
        "id": article_id,
        "title": title,
        "summary": "The printer shows offline after an update.",
        "status": "draft",
        "confidence": "not_validated",
        "type": "troubleshooting",
        "language": "en",
        "category": "Hardware",
        "tags": ["printer"],
        "tickets": ["LUCENE-1"],
        "created": "2026-11-20",
        "updated": "2026-11-20",
    }
    fields.update(meta)
    fields = {k: v for k, v in fields.items() if v is not None}
    return dump_article(Article(meta=fields, body=body))


def draft_change(
    article_id: str = "KB-0001", slug: str = "printer-offline", **meta: Any
) -> DraftChange:
    """The change drafting hands to commit_drafts for one new article."""
    text = article_text(article_id, **meta)
    tickets = meta.get("tickets", ["LUCENE-1"])
    return DraftChange(
        article_id=article_id,
        slug=slug,
        title=meta.get("title", "Printer shows offline after the spooler update"),
        tickets=tickets,
        files={f"content/articles/{article_id.lower()}-{slug}.md": text.encode("utf-8")},
    )


def commit_on_main(root: Path, files: dict[str, str], message: str = "Add files") -> str:
    """Write files in the checked-out main and commit them (what a person would do by hand)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    run_git(["add", "--", *files], root)
    run_git(["commit", "-q", "-m", message], root)
    return git_out(["rev-parse", "HEAD"], root)


def as_person(monkeypatch: pytest.MonkeyPatch, name: str, email: str) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", name)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email)
