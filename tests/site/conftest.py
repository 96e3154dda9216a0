"""A small KB with every kind of article the site must handle, built with the real scaffold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from factories import article_meta

from kbgen.hookspecs import hookimpl
from kbgen.kb import KnowledgeBase, init_kb, write_article
from kbgen.models import Article
from kbgen.plugins import plugin_manager

WriteArticle = Callable[..., Path]

HOSTILE_BODY = """\
<script>alert("body script")</script>

<img src=x onerror="alert('img')">

[click me](javascript:alert('link'))

<a href="JaVaScRiPt:alert(1)">raw link</a>

<iframe src="https://evil.example/"></iframe>

<svg onload="alert('svg')"><circle r="1"/></svg>

<div id="__config">{"search": "https://evil.example/worker.js"}</div>

<!-- internal comment: do not publish -->

Paragraph with an attribute list {: onclick="alert('attr')" #__search }

<details open ontoggle="alert('details')"><summary>More</summary>text</details>
"""


@pytest.fixture
def hostile_body() -> str:
    return HOSTILE_BODY


@pytest.fixture
def site_hooks() -> Iterator[Callable[..., None]]:
    """Register hook implementations (``register_site_pages``, ``site_article_usage``) the way a
    plugin would, for one test."""
    registered: list[object] = []

    def register(**hooks: Callable[..., Any]) -> None:
        plugin = type(
            "TestSitePlugin", (), {name: staticmethod(hookimpl(f)) for name, f in hooks.items()}
        )
        plugin_manager().register(plugin)
        registered.append(plugin)

    yield register
    for plugin in registered:
        plugin_manager().unregister(plugin)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    return init_kb(tmp_path / "kb")


@pytest.fixture
def write(kb: KnowledgeBase) -> WriteArticle:
    def _write(slug: str, article_id: str, title: str, body: str = "", **extra: Any) -> Path:
        path = kb.articles_dir / f"{slug}.md"
        write_article(
            path, Article(meta=article_meta(article_id, title, **extra), body=body or title)
        )
        return path

    return _write


@pytest.fixture
def sample(kb: KnowledgeBase, write: WriteArticle) -> KnowledgeBase:
    """Published (en, zh), needs_update, draft, retired-with-replacement, and a sidecar file."""
    write(
        "printer-offline",
        "KB-0001",
        "Printer shows offline after Windows update",
        "## Issue\n\nThe printer shows *offline*.\n\n## Resolution\n\nRestart the print spooler."
        "\n\n```text\nnet stop spooler\n```\n\n!!! note\n    Works on Windows 10 and 11.\n",
        category="Printing",
        tags=["printer", "windows"],
        applies_to={"product": "Windows", "version": "11"},
        reviewed_by="Ana Reviewer",
    )
    write(
        "printer-queue-zh",
        "KB-0002",
        "打印机无法打印，队列卡住",
        "## 问题现象\n\n打印机无法打印，打印队列卡住。\n\n## 处理过程\n\n重启打印后台处理程序服务，清空打印队列。\n",
        language="zh",
        category="Printing",
        tags=["打印机"],
    )
    write(
        "vpn-drops",
        "KB-0003",
        "VPN disconnects every 10 minutes",
        "## Resolution\n\nUpdate the VPN client to 5.2.\n",
        category="Network",
        tags=["vpn"],
        status="needs_update",
        updated="2026-11-22",
    )
    write(
        "outlook-draft", "KB-0004", "Outlook password prompt loops", "Secret draft.", status="draft"
    )
    write(
        "old-vpn",
        "KB-0005",
        "Old VPN client guide",
        "Old.",
        status="retired",
        redirect_to="KB-0003",
    )
    (kb.articles_dir / "KB-0001.source.json").write_text('{"reporter": "x"}', encoding="utf-8")
    return kb
