"""kbgen's plugin hooks. The core registers its own parts through them too (see plugins.py)."""

from __future__ import annotations

from typing import Any

import click
import pluggy

hookspec = pluggy.HookspecMarker("kbgen")
hookimpl = pluggy.HookimplMarker("kbgen")


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``kbgen`` CLI."""


@hookspec
def register_sources() -> list[Any]:  # type: ignore[empty-body]
    """Return ``Source`` classes that ``kbgen capture --format`` can use."""
