"""Options and output helpers shared by every command module."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def kb_option(fn: F) -> F:
    """``--kb DIR``: the knowledge base to work on (default: the current directory)."""
    return click.option(
        "--kb",
        "kb_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Knowledge base directory.",
    )(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(fn)


def reader_options(fn: F) -> F:
    """``--format``, ``--mapping``, ``--encoding`` and ``--skip-bad-records``: how to read an export.

    Shared by every command that reads ticket exports (capture, sources check, gaps, kpis),
    so they accept the same words with the same meaning.
    """
    fn = click.option(
        "--skip-bad-records",
        is_flag=True,
        help="Skip and list bad records instead of refusing the file.",
    )(fn)
    fn = click.option(
        "--encoding", help="Text encoding of CSV files, e.g. gb18030 (default: strict UTF-8)."
    )(fn)
    fn = click.option(
        "--mapping",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Column mapping YAML for any CSV or JSON.",
    )(fn)
    return click.option(
        "--format",
        "fmt",
        default="auto",
        show_default=True,
        help="Source format (see: kbgen sources list).",
    )(fn)


def _delimiter(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    value = named.get(value.lower(), value)
    if len(value) != 1:
        raise click.BadParameter("give one character, or tab")
    return value


def strict_options(fn: F) -> F:
    """``--strict`` and ``--delimiter``: for commands that read exports as capture does."""
    fn = click.option(
        "--delimiter",
        callback=_delimiter,
        help="CSV delimiter: one character, or tab (default: detected).",
    )(fn)
    return click.option(
        "--strict",
        is_flag=True,
        help="Refuse tickets whose export holds only part of their conversation (e.g. fewer "
        "comments than Jira's comment.total) instead of capturing them flagged.",
    )(fn)


def echo_json(data: Any) -> None:
    """Stable JSON: sorted keys would reorder documented shapes, so keep insertion order."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
