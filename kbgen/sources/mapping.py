"""Any CSV or JSON export, read through a mapping file (``--mapping site_config/sources/NAME.yml``).

A mapping names the columns (CSV) or keys (JSON, dotted paths allowed) for each
Ticket field, the values that mean "missing", the date format, and optional
per-column checks that catch column-shifted rows. See docs/sources/mapping.md.
Comment columns need an explicit visibility column and its public values;
without them every comment is treated as internal and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from kbgen.exceptions import ConfigError, SourceError
from kbgen.models import Comment, Environment, Ticket
from kbgen.sources.base import Source
from kbgen.sources.csvtable import csv_records
from kbgen.sources.jsonstream import JsonDocument
from kbgen.sources.values import ISO_FORMATS, ValueProblem, markdown, normalise_id, parse_datetime
from kbgen.text import DEFAULT_MISSING, clean_text, detect_language, is_missing, one_line

TEXT_KEYS = ("problem", "cause", "resolution", "prevention")
PLAIN_KEYS = ("title", "category", "subcategory", "priority", "status", "resolution_status", "url")


@dataclass
class Mapping:
    """A validated mapping file. Column references are strings or lists of strings."""

    path: Path
    id: str
    format: str = "csv"
    source_name: str = "mapping"
    id_prefix: str = ""
    records: str = ""  # JSON: the key holding the array of records ("" = top-level array)
    encoding: str = ""
    delimiter: str = ","
    title: str = ""
    problem: list[str] = field(default_factory=list)
    cause: list[str] = field(default_factory=list)
    resolution: list[str] = field(default_factory=list)
    prevention: list[str] = field(default_factory=list)
    category: str = ""
    subcategory: str = ""
    priority: str = ""
    status: str = ""
    resolution_status: str = ""
    url: str = ""
    tags: list[str] = field(default_factory=list)
    opened: str = ""
    resolved: str = ""
    closed: str = ""
    date_format: list[str] = field(default_factory=list)
    language: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    comment_visibility: dict[str, Any] = field(default_factory=dict)

    @property
    def missing_markers(self) -> set[str]:
        return set(DEFAULT_MISSING) | set(self.missing)

    def columns(self) -> list[tuple[str, str]]:
        """(mapping key, column) for every column the mapping reads."""
        out: list[tuple[str, str]] = [("id", self.id)]
        for key in (*PLAIN_KEYS, "opened", "resolved", "closed"):
            if getattr(self, key):
                out.append((key, getattr(self, key)))
        for key in (*TEXT_KEYS, "tags", "comments"):
            out.extend((key, column) for column in getattr(self, key))
        out.extend((f"environment.{k}", v) for k, v in self.environment.items())
        out.extend((f"metrics.{k}", v) for k, v in self.metrics.items())
        out.extend((f"checks.{k}", k) for k in self.checks)
        if self.comment_visibility:
            out.append(
                ("comment_visibility.column", str(self.comment_visibility.get("column", "")))
            )
        return out


def _default(spec: Any) -> Any:
    factory = spec.default_factory
    return factory() if callable(factory) else spec.default


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; every problem is reported at once."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the mapping file ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a mapping file must be a YAML mapping of keys to column names")
    errors: list[str] = []
    known = {f.name: f for f in fields(Mapping) if f.name != "path"}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            errors.append(f"{path}: unknown key '{key}' (known: {', '.join(known)})")
            continue
        default = _default(known[key])
        if isinstance(default, list):
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(f"{path}: '{key}' must be a column name or a list of column names")
                continue
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                errors.append(f"{path}: '{key}' must be a mapping")
                continue
            if key != "comment_visibility" and not all(isinstance(v, str) for v in value.values()):
                errors.append(f"{path}: every value under '{key}' must be text")
                continue
        elif not isinstance(value, str):
            errors.append(f"{path}: '{key}' must be text, got {value!r}")
            continue
        values[key] = value
    if "id" not in values and "id" not in [e.split("'")[1] for e in errors if "'" in e]:
        errors.append(f"{path}: 'id' is required: the column holding each ticket's id")
    if values.get("format", "csv") not in ("csv", "json"):
        errors.append(f"{path}: 'format' must be csv or json, got {values['format']!r}")
    if len(values.get("delimiter", ",")) != 1:
        errors.append(f"{path}: 'delimiter' must be one character, got {values['delimiter']!r}")
    if not values.get("problem") and not values.get("title"):
        errors.append(f"{path}: map at least 'problem' or 'title' to a column")
    for key in values.get("environment", {}):
        if key not in ("product", "component", "version"):
            errors.append(f"{path}: 'environment.{key}' is not one of product, component, version")
    for column, pattern in values.get("checks", {}).items():
        try:
            re.compile(pattern)
        except re.error as exc:
            errors.append(f"{path}: 'checks.{column}' is not a valid regular expression ({exc})")
    visibility = values.get("comment_visibility", {})
    if visibility and (
        not isinstance(visibility.get("column"), str)
        or not isinstance(visibility.get("public_values"), list)
    ):
        errors.append(f"{path}: 'comment_visibility' needs 'column' and a list 'public_values'")
    if errors:
        raise ConfigError("\n".join(errors))
    return Mapping(path=path, **values)


class MappingSource(Source):
    name = "mapping"
    description = "any CSV or JSON export, with --mapping MAPPING.yml naming its columns"
    needs_mapping = True

    def read(self, path: Path) -> Iterator[Ticket]:
        if self.mapping is None:
            raise SourceError("format 'mapping' needs --mapping MAPPING.yml", path=path)
        mapping = load_mapping(self.mapping)
        self.report.format = f"mapping:{self.mapping.stem}"
        if self.encoding is None and mapping.encoding:
            self.encoding = mapping.encoding
        if not any((mapping.problem, mapping.cause, mapping.resolution, mapping.prevention)):
            self.report.note(
                "no free-text fields in this mapping: tickets carry metadata only, no drafts"
            )
        if not mapping.resolution_status:
            self.report.note(
                "this export has no resolution-status field: drafting counts a ticket as "
                "resolved only by a closed status or a resolved time"
            )
        if mapping.comments and not mapping.comment_visibility:
            self.report.note(
                "the mapping names comment columns but no comment_visibility, so every comment "
                "was treated as internal and dropped"
            )
        if mapping.format == "json":
            doc = JsonDocument(path, (mapping.records,) if mapping.records else (), self.encoding)
            for item in doc.items():
                if mapping.records and item.key != mapping.records:
                    continue
                where = f"{item.key or 'record'}[{item.index}]"
                if not isinstance(item.value, dict):
                    self.bad_record(SourceError("not an object", path=path, record=where))
                    continue
                yield from self._convert(mapping, _getter(item.value), path, where)
            if mapping.records and mapping.records not in doc.envelope.get("_arrays", []):
                raise SourceError(
                    f"no '{mapping.records}' array (the mapping's 'records' key)", path=path
                )
            return
        checked = False
        for record in csv_records(self, path, delimiter=mapping.delimiter):
            if not checked:
                absent = [(k, c) for k, c in mapping.columns() if c not in record.header]
                if absent:
                    key, column = absent[0]
                    raise SourceError(
                        f"column '{column}' (mapping key '{key}' in {mapping.path.name}) is not in the "
                        "header; fix the mapping or the export",
                        path=path,
                        record="line 1",
                    )
                checked = True
            yield from self._convert(mapping, record.get, path, record.where)

    def _convert(
        self, mapping: Mapping, get: Callable[[str], str], path: Path, where: str
    ) -> Iterator[Ticket]:
        try:
            yield self._ticket(mapping, get, path, where)
        except SourceError as exc:
            self.bad_record(exc)

    def _ticket(self, m: Mapping, get: Callable[[str], str], path: Path, where: str) -> Ticket:
        missing = m.missing_markers
        try:
            ticket_id = m.id_prefix + normalise_id(get(m.id))
        except ValueProblem as exc:
            raise SourceError(str(exc), path=path, record=where, field=m.id) from None
        where = f"{where} (id {ticket_id})"
        for column, pattern in m.checks.items():
            value = get(column)
            if not re.fullmatch(pattern, value.strip()):
                raise SourceError(
                    f"value '{one_line(value, 40)}' does not match the mapping check '{pattern}' "
                    "(a column-shifted row?)",
                    path=path,
                    record=where,
                    field=column,
                )
        flags: list[str] = []

        def plain(column: str) -> str:
            value = get(column) if column else ""
            return "" if is_missing(value, missing) else clean_text(value)

        def text(key: str) -> str:
            parts = [
                markdown(get(c), c, flags)
                for c in getattr(m, key)
                if not is_missing(get(c), missing)
            ]
            return "\n\n".join(p for p in parts if p)

        def when(key: str) -> dt.datetime | None:
            column = getattr(m, key)
            value = get(column) if column else ""
            if is_missing(value, missing):
                return None
            try:
                return parse_datetime(value, m.date_format or ISO_FORMATS)
            except ValueProblem as exc:
                raise SourceError(str(exc), path=path, record=where, field=column) from None

        problem = text("problem")
        title = plain(m.title) if m.title else _title_from(get(m.problem[0]) if m.problem else "")
        comments, dropped = self._comments(m, get, flags)
        ticket = Ticket(
            id=ticket_id,
            source=m.source_name,
            title=title,
            problem=problem,
            url=plain(m.url),
            environment=Environment(**{k: plain(v) for k, v in m.environment.items()}),
            cause=text("cause"),
            resolution=text("resolution"),
            prevention=text("prevention"),
            resolution_status=plain(m.resolution_status),
            status=plain(m.status),
            category=plain(m.category),
            subcategory=plain(m.subcategory),
            tags=[plain(c) for c in m.tags if plain(c)],
            priority=plain(m.priority),
            opened=when("opened"),
            resolved=when("resolved"),
            closed=when("closed"),
            comments=comments,
            private_dropped=dropped,
            flags=flags,
            metrics={k: plain(v) for k, v in m.metrics.items() if plain(v)},
        )
        language = m.language or detect_language(f"{title}\n{problem}")
        ticket.language = "zh" if language == "zh" else "en"
        return ticket

    def _comments(
        self, m: Mapping, get: Callable[[str], str], flags: list[str]
    ) -> tuple[list[Comment], int]:
        present = [c for c in m.comments if not is_missing(get(c), m.missing_markers)]
        if not present:
            return [], 0
        visibility = m.comment_visibility
        public_values = {str(v).strip().lower() for v in visibility.get("public_values", [])}
        if not visibility or get(str(visibility["column"])).strip().lower() not in public_values:
            if visibility:
                self.report.private_dropped += len(present)
            else:
                self.report.unknown_visibility += len(present)
            return [], len(present)
        return [Comment(markdown(get(c), c, flags), "other") for c in present], 0


def _getter(value: dict[str, Any]) -> Callable[[str], str]:
    return lambda column: _dig(value, column)


def _dig(value: dict[str, Any], path: str) -> str:
    """``fields.summary`` -> value["fields"]["summary"] as text ("" when absent)."""
    current: Any = value
    for part in path.split("."):
        if not isinstance(current, dict):
            return ""
        current = current.get(part)
    if current is None:
        return ""
    if isinstance(current, dict):
        current = current.get("name") or current.get("value") or current.get("display_value") or ""
    return str(current)


def _title_from(text: str) -> str:
    """No title column: the first sentence of the problem, cut short (Chinese or English)."""
    text = clean_text(text)
    first = re.split(r"(?<=[。！？!?])|\n|(?<=\.)\s", text, maxsplit=1)[0] if text else ""
    return one_line(first, 80)
