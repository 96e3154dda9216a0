"""The docs cover what the code offers: schema keys, CLI commands and their examples."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from kbgen.articles import load_schema
from kbgen.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_schema_key_is_documented() -> None:
    text = (DOCS / "article-format.md").read_text(encoding="utf-8")
    for key in load_schema()["properties"]:
        assert f"| `{key}` |" in text, f"docs/article-format.md does not list '{key}'"


def all_commands(group: click.Group, prefix: str = "kbgen") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, full))
    return found


COMMANDS = all_commands(cli)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_an_example_in_its_help(name: str, command: click.Command) -> None:
    assert command.help and "Example" in command.help, f"{name} --help has no example"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_in_the_cli_reference(name: str, command: click.Command) -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"`{name}" in text, f"docs/cli.md does not mention `{name}`"


def test_no_unsafe_yaml_loader_anywhere() -> None:
    """yaml.load with a non-safe Loader would execute tags from human-edited files."""
    root = Path(__file__).resolve().parents[2] / "kbgen"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for bad in ("yaml.Loader", "FullLoader", "UnsafeLoader", "yaml.unsafe_load", "yaml.full_load"):
            assert bad not in text, f"{path}: uses {bad}"
