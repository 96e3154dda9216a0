"""Any CSV, JSON or Markdown-folder export, read through a mapping file (``--mapping NAME.yml``).

The mapping (validated in :mod:`kbgen.sources.mapping_spec`, documented in
docs/sources/mapping.md) names the column, JSON path or front-matter key of
each Ticket field, the text format of each text field, the people of a ticket,
and how its conversation is laid out: comment columns, a list of comments
inside each record, a text split into comments, or child records (answers)
that point at their ticket in the same file or another. Comments are public
only when the mapping says how to tell (``visibility``, ``public`` or
``private``); otherwise every comment is treated as internal and counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Environment, Ticket
from kbgen.sources.base import Source
from kbgen.sources.csvtable import csv_records
from kbgen.sources.formats import to_markdown, to_plain
from kbgen.sources.joins import ChildIndex, child_index
from kbgen.sources.jsonstream import JsonValues
from kbgen.sources.mapping_spec import CommentSpec, Mapping, load_mapping
from kbgen.sources.posts import Post, attach_posts, set_language
from kbgen.sources.records import as_list, as_text, dig, markdown_records
from kbgen.sources.values import ISO_FORMATS, ValueProblem, normalise_id, parse_datetime
from kbgen.text import is_missing, one_line

__all__ = ["Mapping", "MappingSource", "load_mapping"]

Record = dict[str, Any]


class MappingSource(Source):
    name = "mapping"
    description = "any CSV, JSON or Markdown-folder export, with --mapping MAPPING.yml"
    needs_mapping = True
    reads_folders = True

    def read(self, path: Path) -> Iterator[Ticket]:
        if self.mapping is None:
            raise SourceError("format 'mapping' needs --mapping MAPPING.yml", path=path)
        m = load_mapping(self.mapping)
        self.report.format = f"mapping:{self.mapping.stem}"
        if self.encoding is None and m.encoding:
            self.encoding = m.encoding
        self._notes(m)
        not_tickets = 0
        with child_index() as children:
            spec = m.children_spec
            if spec is not None:
                source = path if not spec.file else _beside(path, spec.file)
                for _, record in self._records(m, source, spec.records or m.records, child=True):
                    if spec.file or (
                        spec.when is not None and spec.when.test(dig(record, spec.when.path))
                    ):
                        self._remember_child(m, children, record)
            for where, record in self._records(m, path, m.records):
                if _is_child(spec, record):
                    continue  # read in the first pass
                if m.ticket_filter is not None and not m.ticket_filter.test(
                    dig(record, m.ticket_filter.path)
                ):
                    not_tickets += 1
                    continue
                try:
                    yield self._ticket(m, record, children, path, where)
                except SourceError as exc:
                    self.bad_record(exc)
            if spec is not None and (orphans := children.unclaimed()):
                self.report.note(
                    f"child records whose ticket is not in the export were left out: {orphans}"
                )
        if not_tickets:
            self.report.note(
                f"records that are not tickets (ticket_when) were left out: {not_tickets}"
            )

    def _notes(self, m: Mapping) -> None:
        if not any((m.problem, m.cause, m.resolution, m.prevention)):
            self.report.note(
                "no free-text fields in this mapping: tickets carry metadata only, no drafts"
            )
        if not m.resolution_status and not m.accepted_answer and not _accepts(m.comment_spec):
            self.report.note(
                "this export has no resolution-status field: drafting counts a ticket as "
                "resolved only by a closed status or a resolved time"
            )
        spec = m.comment_spec
        if spec is not None and not (spec.visibility or spec.public or spec.private):
            self.report.note(
                "the mapping names comment columns but no comment_visibility, so every comment "
                "was treated as internal and dropped"
                if spec.columns
                else "the mapping's comments have no visibility rule (comments.visibility, "
                ".public or .private), so every comment was treated as internal and dropped"
            )

    # --- records ---------------------------------------------------------------
    def _records(
        self, m: Mapping, path: Path, records: str, *, child: bool = False
    ) -> Iterator[tuple[str, Record]]:
        if m.format == "markdown":
            for where, document in markdown_records(path, self.encoding):
                if isinstance(document, SourceError):
                    self.bad_record(document)
                else:
                    yield where, document
            return
        if m.format == "json":
            values = JsonValues(path, (records,) if records else (), self.encoding)
            found = False
            for item in values.items():
                if records and item.key != records:
                    continue
                found = True
                where = f"{item.key or 'record'}[{item.index}]"
                if isinstance(item.value, dict):
                    yield where, item.value
                else:
                    self.bad_record(SourceError("not an object", path=path, record=where))
            if records and not found and not values.envelopes:
                raise SourceError(f"no '{records}' array (the mapping's 'records' key)", path=path)
            return
        checked = False
        for row in csv_records(self, path, delimiter=m.delimiter or None):
            if not checked:
                self._check_header(m, row.header, path, child)
                checked = True
            record: Record = {}
            for name, cell in zip(row.header, row.cells, strict=True):
                record.setdefault(name, cell)
            yield row.where, record

    @staticmethod
    def _check_header(m: Mapping, header: list[str], path: Path, child: bool) -> None:
        wanted = m.child_columns() if child else m.columns()
        absent = [(k, c) for k, c in wanted if c not in header and not c.startswith("$")]
        if absent:
            key, column = absent[0]
            raise SourceError(
                f"column '{column}' (mapping key '{key}' in {m.path.name}) is not in the "
                "header; fix the mapping or the export",
                path=path,
                record="line 1",
            )

    # --- the conversation --------------------------------------------------------
    def _remember_child(self, m: Mapping, index: ChildIndex, record: Record) -> None:
        assert m.comment_spec is not None and m.children_spec is not None
        fields = _comment_fields(m, m.comment_spec, record, record, m.comment_spec.body)
        index.add(dig(record, m.children_spec.parent), fields, sort=str(fields["created"] or ""))

    def _posts(
        self, m: Mapping, record: Record, children: ChildIndex, ticket_id: Any
    ) -> list[Record]:
        spec = m.comment_spec
        if spec is None:
            return []
        items: list[Record] = []
        if spec.columns:
            items = [
                _comment_fields(m, spec, record, {"body": record.get(c)}, "body")
                for c in spec.columns
            ]
        elif spec.path:
            value = dig(record, spec.path)
            if isinstance(value, str) and spec.split:
                value = _split(value, spec)
            for item in value if isinstance(value, list) else []:
                if isinstance(item, dict):
                    items.append(_comment_fields(m, spec, record, item, spec.body))
                elif isinstance(item, str):
                    items.append(_comment_fields(m, spec, record, {"body": item}, "body"))
        if m.children_spec is not None:
            items.extend(children.children(ticket_id))
        return [
            i
            for i in items
            if i["visibility"] != "public" or not is_missing(i["body"], m.missing_markers)
        ]

    # --- one ticket ------------------------------------------------------------------
    def _ticket(
        self, m: Mapping, record: Record, children: ChildIndex, path: Path, where: str
    ) -> Ticket:
        missing = m.missing_markers
        raw_id = dig(record, m.id)
        try:
            ticket_id = m.id_prefix + normalise_id(as_text(raw_id))
        except ValueProblem as exc:
            raise SourceError(str(exc), path=path, record=where, field=m.id) from None
        where = f"{where} (id {ticket_id})"
        for column, pattern in m.checks.items():
            value = as_text(dig(record, column))
            if not re.fullmatch(pattern, value.strip()):
                raise SourceError(
                    f"value '{one_line(value, 40)}' does not match the mapping check '{pattern}' "
                    "(a column-shifted row?)",
                    path=path,
                    record=where,
                    field=column,
                )
        flags: list[str] = []
        people: list[str] = []

        def plain(key: str, column: str) -> str:
            value = as_text(dig(record, column)) if column else ""
            return "" if is_missing(value, missing) else to_plain(value, m.format_of(key))

        def text(key: str) -> str:
            parts = []
            for column in getattr(m, key):
                value = dig(record, column)
                if not is_missing(as_text(value), missing):
                    fmt = m.format_of(key)
                    parts.append(to_markdown(value, fmt, field=column, flags=flags, people=people))
            return "\n\n".join(p for p in parts if p)

        def when(key: str) -> dt.datetime | None:
            column = getattr(m, key)
            return _when(m, dig(record, column) if column else None, path, where, column)

        problem = text("problem")
        title = plain("title", m.title) if m.title else _title_from(problem)
        reporters = as_list(dig(record, m.reporter)) if m.reporter else []
        resolvers = [n for column in m.assignee for n in as_list(dig(record, column))]
        for column in m.people:
            people.extend(as_list(dig(record, column)))
        ticket = Ticket(
            id=ticket_id,
            source=m.source_name,
            title=title,
            problem=problem,
            url=plain("url", m.url),
            environment=Environment(**{k: plain(k, v) for k, v in m.environment.items()}),
            cause=text("cause"),
            resolution=text("resolution"),
            prevention=text("prevention"),
            resolution_status=plain("resolution_status", m.resolution_status),
            status=plain("status", m.status),
            category=plain("category", m.category),
            subcategory=plain("subcategory", m.subcategory),
            tags=[t for c in m.tags for t in as_list(dig(record, c)) if not is_missing(t, missing)],
            priority=plain("priority", m.priority),
            opened=when("opened"),
            resolved=when("resolved"),
            closed=when("closed"),
            flags=flags,
            metrics={k: plain(k, v) for k, v in m.metrics.items() if plain(k, v)},
            people=people,
        )
        accepted_id = as_text(dig(record, m.accepted_answer)) if m.accepted_answer else ""
        posts = [
            Post(
                body=c["body"],
                text_format=c["format"],
                author=c["author"],
                role=c["role"],
                created=_when(m, c["created"], path, where, "comments.created"),
                visibility=c["visibility"],
                accepted=c["accepted"] or (bool(accepted_id) and c["id"] == accepted_id),
            )
            for c in self._posts(m, record, children, raw_id)
        ]
        attach_posts(ticket, posts, self.report, reporters=reporters, resolvers=resolvers)
        if ticket.resolution and not ticket.resolution_status and any(p.accepted for p in posts):
            ticket.resolution_status = "answered"
        return set_language(ticket, m.language)


def _comment_fields(
    m: Mapping, spec: CommentSpec, record: Record, item: Record, body_path: str
) -> Record:
    """What one comment contributes; a comment that is not public keeps no text.

    Conditions (``public``, ``private``) are read on the comment, or on the record
    for comment columns (the record is then the comment's only context).
    """
    context = record if spec.columns else item
    if spec.visibility == "public":
        visibility = "public"
    elif spec.public is not None:
        visibility = "public" if spec.public.test(dig(context, spec.public.path)) else "private"
    elif spec.private is not None:
        visibility = "private" if spec.private.test(dig(context, spec.private.path)) else "public"
    else:
        visibility = "unknown"
    role = spec.role.role(dig(context, spec.role.path)) if spec.role is not None else None
    return {
        "body": dig(item, body_path) if visibility == "public" else "",
        "format": spec.text_format or m.format_of("comments"),
        "author": as_text(dig(item, spec.author)) if spec.author else "",
        "created": as_text(dig(item, spec.created)) if spec.created else "",
        "id": as_text(dig(item, spec.id)) if spec.id else "",
        "role": role,
        "accepted": bool(spec.accepted and spec.accepted.test(dig(item, spec.accepted.path))),
        "visibility": visibility,
    }


def _split(text: str, spec: CommentSpec) -> list[Record]:
    """A text holding several comments -> one item each (author and time from ``header``)."""
    items: list[Record] = []
    for part in re.split(spec.split, text, flags=re.MULTILINE):
        part = part.strip("\n")
        if not part.strip():
            continue
        item: Record = {"body": part}
        if spec.header:
            match = re.match(spec.header, part.lstrip("\n"), flags=re.MULTILINE)
            if match:
                item.update({k: v for k, v in match.groupdict().items() if v})
                item["body"] = part.lstrip("\n")[match.end() :].strip("\n")
        items.append(item)
    return items


def _when(m: Mapping, value: Any, path: Path, where: str, column: str) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    text = as_text(value)
    if is_missing(text, m.missing_markers):
        return None
    try:
        return parse_datetime(text, m.date_format or ISO_FORMATS)
    except ValueProblem as exc:
        raise SourceError(str(exc), path=path, record=where, field=column) from None


def _is_child(spec: Any, record: Record) -> bool:
    """A record of the tickets' own file that is a child (answers beside their questions)."""
    return (
        spec is not None
        and not spec.file
        and spec.when is not None
        and spec.when.test(dig(record, spec.when.path))
    )


def _accepts(spec: CommentSpec | None) -> bool:
    return spec is not None and spec.accepted is not None


def _beside(path: Path, name: str) -> Path:
    folder = path if path.is_dir() else path.parent
    other = (folder / name).resolve()
    if not other.exists():
        raise SourceError(
            f"the children file '{name}' (mapping key children.file) does not exist", path=other
        )
    return other


def _title_from(problem: str) -> str:
    """No title column: the first sentence of the problem, cut short (Chinese or English)."""
    text = to_plain(problem, "markdown")
    first = re.split(r"(?<=[。！？!?])|\n|(?<=\.)\s", text, maxsplit=1)[0] if text else ""
    return one_line(first, 80)
