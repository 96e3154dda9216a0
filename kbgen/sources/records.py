"""Records as a mapping reads them: values at dotted paths, and Markdown files with front matter.

``dig(record, "fields.comment.comments")`` walks objects and lists: a list in
the middle of a path maps over its items, so ``labels.name`` on a list of label
objects gives every name. A key that contains dots (a CSV column named
``Custom.field``) is found as written first.

A Markdown file becomes a record of its front matter plus ``$body``,
``$title`` (the first ``#`` heading), ``$file`` and ``$path``; the path
``$section:Comments`` is the text under the heading named Comments. Front
matter may be YAML (``---``), TOML (``+++``) or JSON (``;;;``, ``---json`` or a
leading ``{`` object); a UTF-8 BOM is dropped. Invalid front matter makes the
file a bad record: it is never read as body text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from kbgen.exceptions import SourceError
from kbgen.sources.textio import open_text

MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_FRONT_MATTER = 256 * 1024
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_JSON = json.JSONDecoder()


def dig(record: Any, path: str) -> Any:
    """The value at ``path`` (None when absent); lists along the way are mapped over."""
    if not path:
        return None
    if isinstance(record, dict):
        if path in record:
            return record[path]
        if path.startswith("$section:"):
            return section(str(record.get("$body") or ""), path[len("$section:") :])
    current: Any = record
    for part in path.split("."):
        current = _step(current, part)
        if current is None:
            return None
    return current


def _step(value: Any, part: str) -> Any:
    if isinstance(value, dict):
        return value.get(part)
    if isinstance(value, list):
        if part.isdigit():
            index = int(part)
            return value[index] if index < len(value) else None
        found = [_step(item, part) for item in value]
        flat: list[Any] = []
        for item in found:
            if isinstance(item, list):
                flat.extend(item)
            elif item is not None:
                flat.append(item)
        return flat
    return None


def as_text(value: Any) -> str:
    """A scalar as text; objects give their ``name``/``value``/``display_value``; lists join."""
    if value is None or isinstance(value, bool) and not value:
        return "" if value is None else "false"
    if isinstance(value, bool):
        return "true"
    if isinstance(value, dict):
        for key in ("name", "value", "display_value", "displayName"):
            if value.get(key) not in (None, ""):
                return as_text(value[key])
        return ""
    if isinstance(value, list):
        return ", ".join(t for t in (as_text(v) for v in value) if t)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def as_list(value: Any) -> list[str]:
    """Every value at a path as text (a list gives one entry per item)."""
    items = value if isinstance(value, list) else [value]
    return [t for t in (as_text(v).strip() for v in items) if t]


def section(body: str, name: str) -> str:
    """The text under the heading ``name`` (any level), up to the next heading of that level or above."""
    for match in _HEADING.finditer(body):
        if match.group(2).strip().casefold() != name.strip().casefold():
            continue
        level = len(match.group(1))
        end = len(body)
        for following in _HEADING.finditer(body, match.end()):
            if len(following.group(1)) <= level:
                end = following.start()
                break
        return body[match.end() : end].strip("\n")
    return ""


def markdown_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in MARKDOWN_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def markdown_records(
    path: Path, encoding: str | None
) -> Iterator[tuple[str, dict[str, Any] | SourceError]]:
    """(where, record or the error that makes this file a bad record) for each Markdown file."""
    files = markdown_files(path)
    if not files:
        raise SourceError("no Markdown (.md) files here", path=path)
    for file in files:
        where = str(file.relative_to(path)) if path.is_dir() else file.name
        try:
            with open_text(file, encoding) as fh:
                text = fh.read()
            yield where, markdown_record(text, file, where)
        except SourceError as exc:
            yield where, exc


def markdown_record(text: str, file: Path, where: str) -> dict[str, Any]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    meta, body = _front_matter(text, file, where)
    title = _HEADING.search(body)
    record: dict[str, Any] = dict(meta)
    record.update(
        {
            "$body": body.strip("\n"),
            "$title": title.group(2).strip() if title and len(title.group(1)) == 1 else "",
            "$file": file.stem,
            "$path": where,
        }
    )
    return record


def _front_matter(text: str, file: Path, where: str) -> tuple[dict[str, Any], str]:
    first, _, rest = text.partition("\n")
    marker = first.strip()
    try:
        if marker in ("---", "---yaml", "---json", "+++", ";;;"):
            closing = {"---": ("---", "..."), "---yaml": ("---", "..."), "---json": ("---",)}.get(
                marker, (marker,)
            )
            block, body = _until(rest, closing)
            if block is None:
                raise SourceError(
                    f"the front matter opened with '{marker}' is never closed",
                    path=file,
                    record=where,
                )
            if len(block) > MAX_FRONT_MATTER:
                raise SourceError(
                    "the front matter is larger than 256 KiB", path=file, record=where
                )
            if marker == "+++":
                meta: Any = tomllib.loads(block)
            elif marker in ("---json", ";;;"):
                stripped = block.strip()
                meta = json.loads(stripped if stripped.startswith("{") else "{" + stripped + "}")
            else:
                meta = yaml.safe_load(block) if block.strip() else {}
        elif marker == "{":
            meta, end = _JSON.raw_decode(text)
            body = text[end:]
        else:
            return {}, text
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(
            f"the front matter is not valid ({reason}); fix the file (its front matter is "
            "never read as text)",
            path=file,
            record=where,
        ) from None
    if not isinstance(meta, dict):
        raise SourceError(
            "the front matter is not a mapping of keys to values", path=file, record=where
        )
    return meta, body


def _until(text: str, closing: tuple[str, ...]) -> tuple[str | None, str]:
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in closing:
            return "\n".join(lines[:index]), "\n".join(lines[index + 1 :])
    return None, text
