"""Regenerate docs/cli.md and docs/configuration.md from the code (like cog).

Run `python scripts/gen_docs.py`; `tests/core/test_docs.py` fails when the files
are out of date, so the references can never drift from the code.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kbgen import config as config_module  # noqa: E402
from kbgen.cli import cli  # noqa: E402


def _commands(group: click.Group, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out: list[tuple[list[str], click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        out.append(([*path, name], command))
        if isinstance(command, click.Group):
            out.extend(_commands(command, [*path, name]))
    return out


def cli_reference() -> str:
    parts = [
        "# CLI reference\n",
        "Generated from the commands' own `--help` by `scripts/gen_docs.py`; do not edit by hand.\n",
    ]
    for path, command in _commands(cli, ["kbgen"]):
        name = " ".join(path)
        parent = click.Context(cli, info_name="kbgen")
        ctx = parent
        for part in path[1:]:
            ctx = click.Context(ctx.command.commands[part], info_name=part, parent=ctx)  # type: ignore[attr-defined]
        ctx.max_content_width = 100
        ctx.terminal_width = 100
        parts.append(f"## `{name}`\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    return "\n".join(parts)


def _field_comments(source: str) -> dict[tuple[str, str], str]:
    lines = source.splitlines()
    comments: dict[tuple[str, str], str] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                text = ""
                line = lines[stmt.lineno - 1]
                if "#" in line:
                    text = line.split("#", 1)[1].strip()
                prev = stmt.lineno - 2
                above: list[str] = []
                while prev >= 0 and lines[prev].strip().startswith("#"):
                    above.insert(0, lines[prev].strip().lstrip("# "))
                    prev -= 1
                comments[(node.name, stmt.target.id)] = " ".join([*above, text]).strip()
    return comments


def configuration_reference() -> str:
    source = Path(config_module.__file__).read_text(encoding="utf-8")
    comments = _field_comments(source)
    parts = [
        "# Configuration\n",
        "A KB is configured in `site_config/kbgen.yml`. Every key is optional; an empty file means all defaults.",
        "kbgen validates the whole file before doing anything and reports every problem at once, naming the key.",
        "Generated from `kbgen/config.py` by `scripts/gen_docs.py`; do not edit by hand.\n",
    ]
    root = config_module.Config()
    for section in dataclasses.fields(root):
        value = getattr(root, section.name)
        doc = (type(value).__doc__ or "").strip()
        parts.append(f"## `{section.name}`\n\n{doc}\n\n| key | default | meaning |\n|---|---|---|")
        for fld in dataclasses.fields(value):
            default = getattr(value, fld.name)
            shown = (
                f"`{default!r}`"
                if not isinstance(default, list) or len(repr(default)) < 60
                else f"{len(default)} values (see `kbgen/config.py`)"
            )
            meaning = comments.get((type(value).__name__, fld.name), "")
            parts.append(f"| `{section.name}.{fld.name}` | {shown} | {meaning} |")
        parts.append("")
    return "\n".join(parts)


TARGETS = {
    ROOT / "docs" / "cli.md": cli_reference,
    ROOT / "docs" / "configuration.md": configuration_reference,
}


def main() -> int:
    check = "--check" in sys.argv
    stale = []
    for path, make in TARGETS.items():
        text = make()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is out of date: run python scripts/gen_docs.py")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
