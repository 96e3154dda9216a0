"""The mapping file: which column or JSON path holds each Ticket field, validated all at once.

A mapping is YAML (see docs/sources/mapping.md). Besides one column per field
it can say how the conversation is laid out:

* ``comments``: a list of columns (each cell one comment), or a block that
  names a JSON path to a list of comments or posts with, per comment, its
  ``body``, ``author``, ``created``, ``role``, visibility and whether it is the
  accepted answer; a text path can be ``split`` into comments by a pattern;
* ``children``: records that point at their ticket (answers at question ids),
  in the same file or another one; they are read with the ``comments`` block;
* ``text_format``: plain, markdown, html or jira, for every text field or per field;
* ``people``, ``reporter``, ``assignee``: the people of a ticket, for redaction
  and for comment roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, cast

import yaml

from kbgen.exceptions import ConfigError
from kbgen.models import Role
from kbgen.sources.formats import TEXT_FORMATS
from kbgen.text import DEFAULT_MISSING

TEXT_KEYS = ("problem", "cause", "resolution", "prevention")
PLAIN_KEYS = ("title", "category", "subcategory", "priority", "status", "resolution_status", "url")
FORMATS = ("csv", "json", "markdown")
ROLES: tuple[Role, ...] = ("reporter", "resolver", "other")
_TEXT_FORMAT_FIELDS = ("default", "title", *TEXT_KEYS, "comments")


@dataclass(frozen=True)
class Condition:
    """``{path: P, values: [...]}``: true when the value at P is one of the values (as text)."""

    path: str
    values: frozenset[str]

    def test(self, value: Any) -> bool:
        return _as_key(value) in self.values


@dataclass(frozen=True)
class RoleRule:
    """A fixed role, or ``{path: P, values: {raw value: role}}``."""

    fixed: Role | None = None
    path: str = ""
    values: tuple[tuple[str, Role], ...] = ()

    def role(self, value: Any) -> Role | None:
        if self.fixed:
            return self.fixed
        return dict(self.values).get(_as_key(value))


@dataclass
class CommentSpec:
    columns: list[str] = field(
        default_factory=list
    )  # each cell one comment (the record is the comment)
    path: str = ""  # a list of comments inside each record, or a text to split
    split: str = ""  # a regular expression between comments of a text
    header: str = ""  # a pattern at each split comment's start: (?P<author>...) (?P<created>...)
    body: str = "body"
    author: str = ""
    created: str = ""
    id: str = ""
    text_format: str = ""
    visibility: str = ""  # "public": the export holds only public comments
    public: Condition | None = None
    private: Condition | None = None
    role: RoleRule | None = None
    accepted: Condition | None = None


@dataclass
class ChildrenSpec:
    parent: str  # the child's field holding its ticket's id
    file: str = ""  # another file, relative to the export; "": the same file
    records: str = ""  # json: the key of the child records' array in that file
    when: Condition | None = None  # which records are children (same file)


@dataclass
class Mapping:
    """A validated mapping file. Column references are strings or lists of strings."""

    path: Path
    id: str
    format: str = "csv"
    source_name: str = "mapping"
    id_prefix: str = ""
    records: str = ""  # JSON: the key holding the array of records ("" = top-level values)
    encoding: str = ""
    delimiter: str = ""  # CSV: "" = detected
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
    comments: Any = field(default_factory=list)  # list of columns, or a comments block
    comment_visibility: dict[str, Any] = field(default_factory=dict)
    text_format: Any = ""  # one format for every text field, or {field: format}
    people: list[str] = field(default_factory=list)
    reporter: str = ""
    assignee: list[str] = field(default_factory=list)
    accepted_answer: str = ""  # the ticket's field holding the accepted comment's id
    children: dict[str, Any] = field(default_factory=dict)
    ticket_when: dict[str, Any] = field(default_factory=dict)
    # Filled by load_mapping from the raw blocks above.
    comment_spec: CommentSpec | None = field(default=None, repr=False)
    children_spec: ChildrenSpec | None = field(default=None, repr=False)
    ticket_filter: Condition | None = field(default=None, repr=False)

    @property
    def missing_markers(self) -> set[str]:
        return set(DEFAULT_MISSING) | set(self.missing)

    def format_of(self, key: str) -> str:
        """The text format of a field (``default`` when the mapping does not name it)."""
        formats = self.text_format if isinstance(self.text_format, dict) else {}
        default = self.text_format if isinstance(self.text_format, str) else ""
        default = formats.get("default") or default
        fallback = "markdown" if self.format == "markdown" and key != "title" else "plain"
        return str(formats.get(key) or default or fallback)

    def columns(self) -> list[tuple[str, str]]:
        """(mapping key, column) for every top-level column the mapping reads (CSV header check)."""
        out: list[tuple[str, str]] = [("id", self.id)]
        for key in (*PLAIN_KEYS, "opened", "resolved", "closed", "reporter", "accepted_answer"):
            if getattr(self, key):
                out.append((key, getattr(self, key)))
        for key in (*TEXT_KEYS, "tags", "people", "assignee"):
            out.extend((key, column) for column in getattr(self, key))
        spec = self.comment_spec
        if spec is not None:
            out.extend(("comments", column) for column in spec.columns)
            if spec.path and not spec.columns:
                out.append(("comments.path", spec.path))
        out.extend((f"environment.{k}", v) for k, v in self.environment.items())
        out.extend((f"metrics.{k}", v) for k, v in self.metrics.items())
        out.extend((f"checks.{k}", k) for k in self.checks)
        if self.comment_visibility:
            out.append(
                ("comment_visibility.column", str(self.comment_visibility.get("column", "")))
            )
        if self.ticket_filter is not None:
            out.append(("ticket_when.path", self.ticket_filter.path))
        return out

    def child_columns(self) -> list[tuple[str, str]]:
        """(mapping key, column) a CSV file of children must have."""
        spec, children = self.comment_spec, self.children_spec
        out: list[tuple[str, str]] = [("children.parent", children.parent)] if children else []
        if spec is not None:
            for key in ("body", "author", "created", "id"):
                if getattr(spec, key):
                    out.append((f"comments.{key}", getattr(spec, key)))
            for key in ("public", "private", "accepted"):
                condition = getattr(spec, key)
                if condition is not None:
                    out.append((f"comments.{key}.path", condition.path))
        return out


_SPECIAL = {"comments", "comment_visibility", "text_format", "children", "ticket_when"}
_INTERNAL = {"path", "comment_spec", "children_spec", "ticket_filter"}


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
    known = {f.name: f for f in fields(Mapping) if f.name not in _INTERNAL}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            errors.append(f"{path}: unknown key '{key}' (known: {', '.join(known)})")
            continue
        if key in _SPECIAL:
            values[key] = value
            continue
        default = _default(known[key])
        if isinstance(default, list):
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(f"{path}: '{key}' must be a column name or a list of column names")
                continue
        elif isinstance(default, dict):
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                errors.append(f"{path}: every value under '{key}' must be text")
                continue
        elif not isinstance(value, str):
            errors.append(f"{path}: '{key}' must be text, got {value!r}")
            continue
        values[key] = value
    if "id" not in values and "id" not in [e.split("'")[1] for e in errors if "'" in e]:
        errors.append(f"{path}: 'id' is required: the column holding each ticket's id")
    if values.get("format", "csv") not in FORMATS:
        errors.append(f"{path}: 'format' must be csv, json or markdown, got {values['format']!r}")
    if len(values.get("delimiter", ",") or ",") != 1:
        errors.append(f"{path}: 'delimiter' must be one character, got {values['delimiter']!r}")
    if not values.get("problem") and not values.get("title"):
        errors.append(f"{path}: map at least 'problem' or 'title' to a column")
    for key in values.get("environment", {}):
        if key not in ("product", "component", "version"):
            errors.append(f"{path}: 'environment.{key}' is not one of product, component, version")
    for column, pattern in values.get("checks", {}).items():
        _check_regex(pattern, f"checks.{column}", path, errors)
    visibility = values.get("comment_visibility", {})
    if visibility and (
        not isinstance(visibility, dict)
        or not isinstance(visibility.get("column"), str)
        or not isinstance(visibility.get("public_values"), list)
    ):
        errors.append(f"{path}: 'comment_visibility' needs 'column' and a list 'public_values'")
    _check_text_format(values.get("text_format", ""), path, errors)
    mapping_values = {k: v for k, v in values.items()}
    comment_spec = _comment_spec(values, path, errors)
    children_spec = _children_spec(values.get("children"), path, errors)
    ticket_filter = (
        _condition(values["ticket_when"], "ticket_when", path, errors)
        if values.get("ticket_when")
        else None
    )
    if children_spec is not None and comment_spec is None:
        errors.append(f"{path}: 'children' needs a 'comments' block saying how to read them")
    if errors:
        raise ConfigError("\n".join(errors))
    mapping = Mapping(path=path, **mapping_values)
    mapping.comment_spec = comment_spec
    mapping.children_spec = children_spec
    mapping.ticket_filter = ticket_filter
    return mapping


def _check_regex(pattern: Any, key: str, path: Path, errors: list[str]) -> None:
    try:
        re.compile(str(pattern))
    except re.error as exc:
        errors.append(f"{path}: '{key}' is not a valid regular expression ({exc})")


def _check_text_format(value: Any, path: Path, errors: list[str]) -> None:
    formats = value if isinstance(value, dict) else {"default": value} if value else {}
    if not isinstance(value, dict | str):
        errors.append(
            f"{path}: 'text_format' must be one of {', '.join(TEXT_FORMATS)} or a mapping"
        )
        return
    for key, fmt in formats.items():
        if key not in _TEXT_FORMAT_FIELDS:
            errors.append(
                f"{path}: 'text_format.{key}' is not one of {', '.join(_TEXT_FORMAT_FIELDS)}"
            )
        elif fmt not in TEXT_FORMATS:
            errors.append(f"{path}: text format {fmt!r} is not one of {', '.join(TEXT_FORMATS)}")


def _condition(raw: Any, key: str, path: Path, errors: list[str]) -> Condition | None:
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("path"), str)
        or not isinstance(raw.get("values"), list)
    ):
        errors.append(f"{path}: '{key}' needs 'path' and a list 'values'")
        return None
    return Condition(raw["path"], frozenset(_as_key(v) for v in raw["values"]))


def _role_rule(raw: Any, path: Path, errors: list[str]) -> RoleRule | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw in ROLES:
        return RoleRule(fixed=raw)
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("path"), str)
        and isinstance(raw.get("values"), dict)
    ):
        pairs = [(_as_key(k), v) for k, v in raw["values"].items()]
        bad = [v for _, v in pairs if v not in ROLES]
        if not bad:
            return RoleRule(path=raw["path"], values=tuple((k, cast(Role, v)) for k, v in pairs))
    errors.append(
        f"{path}: 'comments.role' must be reporter, resolver or other, or "
        "{path: ..., values: {value: role}} with those roles"
    )
    return None


def _comment_spec(values: dict[str, Any], path: Path, errors: list[str]) -> CommentSpec | None:
    raw = values.get("comments")
    if raw is None or raw == []:
        return None
    if isinstance(raw, str | list):  # columns, the first mapping form
        columns = [raw] if isinstance(raw, str) else raw
        if not all(isinstance(c, str) for c in columns):
            errors.append(f"{path}: 'comments' must be a column name or a list of column names")
            return None
        visibility = values.get("comment_visibility") or {}
        public = None
        if isinstance(visibility, dict) and isinstance(visibility.get("column"), str):
            public = Condition(
                visibility["column"],
                frozenset(_as_key(v) for v in visibility.get("public_values") or []),
            )
        return CommentSpec(columns=list(columns), public=public)
    if not isinstance(raw, dict):
        errors.append(f"{path}: 'comments' must be a list of columns or a mapping")
        return None
    known = {f.name for f in fields(CommentSpec)}
    for key in raw:
        if key not in known:
            errors.append(
                f"{path}: unknown key 'comments.{key}' (known: {', '.join(sorted(known))})"
            )
    spec = CommentSpec()
    for key in (
        "path",
        "split",
        "header",
        "body",
        "author",
        "created",
        "id",
        "text_format",
        "visibility",
    ):
        if key in raw:
            if not isinstance(raw[key], str):
                errors.append(f"{path}: 'comments.{key}' must be text")
            else:
                setattr(spec, key, raw[key])
    if isinstance(raw.get("columns"), list):
        spec.columns = [str(c) for c in raw["columns"]]
    for key in ("split", "header"):
        if spec.__dict__[key]:
            _check_regex(spec.__dict__[key], f"comments.{key}", path, errors)
    if spec.text_format and spec.text_format not in TEXT_FORMATS:
        errors.append(f"{path}: 'comments.text_format' must be one of {', '.join(TEXT_FORMATS)}")
    if spec.visibility and spec.visibility != "public":
        errors.append(f"{path}: 'comments.visibility' can only be 'public'")
    for key in ("public", "private", "accepted"):
        if key in raw:
            setattr(spec, key, _condition(raw[key], f"comments.{key}", path, errors))
    spec.role = _role_rule(raw.get("role"), path, errors)
    if sum(bool(x) for x in (spec.visibility, spec.public, spec.private)) > 1:
        errors.append(f"{path}: give only one of comments.visibility, .public and .private")
    return spec


def _children_spec(raw: Any, path: Path, errors: list[str]) -> ChildrenSpec | None:
    if not raw:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("parent"), str):
        errors.append(
            f"{path}: 'children' needs 'parent': the child's field holding its ticket's id"
        )
        return None
    when = _condition(raw["when"], "children.when", path, errors) if raw.get("when") else None
    if not raw.get("file") and when is None:
        errors.append(
            f"{path}: 'children' in the same file need 'when' (which records are children)"
        )
    return ChildrenSpec(
        parent=raw["parent"],
        file=str(raw.get("file") or ""),
        records=str(raw.get("records") or ""),
        when=when,
    )


def _as_key(value: Any) -> str:
    """Values compare as lower-case text: true, "True" and "true" are one value; 2 and "2.0" too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower() if value is not None else ""
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text
