"""Options and output helpers shared by every command module."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


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


def echo_json(data: Any) -> None:
    """Stable JSON: sorted keys would reorder documented shapes, so keep insertion order."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def progress(items: Iterable[Any] | None, label: str, enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr for long work; silent when not a terminal or in --json mode."""
    if not enabled:
        yield items
        return
    with click.progressbar(items, label=label, file=click.get_text_stream("stderr")) as bar:  # type: ignore[arg-type]
        yield bar
