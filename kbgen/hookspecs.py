"""kbgen's plugin hooks. The core registers its own parts through them too (see plugins.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
import pluggy

if TYPE_CHECKING:  # the KB repository type only; hookspecs import nothing at run time
    from kbgen.kb import KnowledgeBase

hookspec = pluggy.HookspecMarker("kbgen")
hookimpl = pluggy.HookimplMarker("kbgen")


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``kbgen`` CLI."""


@hookspec
def register_sources() -> list[Any]:  # type: ignore[empty-body]
    """Return ``Source`` classes that ``kbgen capture --format`` can use."""


@hookspec
def register_site_pages(kb: KnowledgeBase) -> dict[str, str]:  # type: ignore[empty-body]
    """Return internal site pages as ``{"name.md": markdown}`` (dashboards, KPIs).

    They are published under ``internal/`` when ``site.internal`` is on, and
    never in the public navigation or search.
    """


@hookspec(firstresult=True)
def site_article_usage(kb: KnowledgeBase) -> dict[str, dict[str, Any]] | None:
    """Views and votes per article id, for the site's popular page and stats line."""
