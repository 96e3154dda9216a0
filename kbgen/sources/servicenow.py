"""ServiceNow incidents: Table API JSON (``{"result": [...]}``) and CSV list or event-log exports.

Privacy: ``comments`` ("Additional comments") are customer-visible; ``work_notes``
are internal and are only *counted* here, never read into a ticket. The merged
``comments_and_work_notes`` field is never read. ``close_notes`` (Resolution
notes) is the resolution text.

Event-log exports (the UCI incident log) have one row per update; rows of one
incident are reduced to the latest state (by ``sys_updated_at``, then
``sys_mod_count``, then file order). Dates are read with explicit formats only:
ISO, or ServiceNow's ``dd-mm-yyyy HH:MM``; ``mm-dd`` is never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Comment, Environment, Role, Ticket
from kbgen.sources.base import Source
from kbgen.sources.csvtable import CsvRecord, csv_header, csv_records
from kbgen.sources.jsonstream import JsonDocument
from kbgen.sources.values import ISO_FORMATS, ValueProblem, markdown, normalise_id, parse_datetime
from kbgen.text import clean_text, detect_language, is_missing

DATE_FORMATS = (*ISO_FORMATS, "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M")
TEXT_FIELDS = ("short_description", "description", "close_notes", "comments")
# Column labels of list exports -> field names (exports use either).
LABELS = {
    "short_description": "short_description",
    "resolution_notes": "close_notes",
    "resolution_code": "close_code",
    "additional_comments": "comments",
    "configuration_item": "cmdb_ci",
    "opened": "opened_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
    "caller": "caller_id",
    "assigned_to": "assigned_to",
    "resolved_by": "resolved_by",
    "incident_state": "incident_state",
    "number": "number",
}
_METRIC_INTS = ("reassignment_count", "reopen_count", "sys_mod_count")
_METRIC_BOOLS = ("made_sla", "knowledge", "active", "u_priority_confirmation")
_METRIC_TEXT = (
    "impact",
    "urgency",
    "contact_type",
    "assignment_group",
    "location",
    "u_symptom",
    "notify",
)
_PEOPLE = (
    "caller_id",
    "opened_by",
    "assigned_to",
    "resolved_by",
    "sys_created_by",
    "sys_updated_by",
)
JOURNAL_HEAD = re.compile(
    r"^(?P<when>\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4} \d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?) - "
    r"(?P<who>.+?) \((?P<kind>[^()]+)\)\s*$",
    re.MULTILINE,
)
_MISSING = {"?", ""}


def _key(header: str) -> str:
    key = re.sub(r"\W+", "_", header.strip().lower()).strip("_")
    return LABELS.get(key, key)


class _Incident:
    """Field access over one ServiceNow record (CSV row or JSON object), with ``?`` as missing."""

    def __init__(self, values: dict[str, Any], path: Path, where: str) -> None:
        self.values = values
        self.path = path
        self.where = where

    def text(self, name: str, *, raw: bool = False) -> str:
        """The display value (names, labels) unless ``raw``: then the stored value."""
        value = self.values.get(name)
        if isinstance(value, dict):  # reference or display_value=all
            first, second = ("value", "display_value") if raw else ("display_value", "value")
            value = value.get(first, value.get(second))
        value = "" if value is None else str(value)
        return "" if is_missing(value, _MISSING) else clean_text(value)

    def when(self, name: str) -> dt.datetime | None:
        # Stored datetimes are UTC ISO; display values follow the exporting user's locale.
        raw = self.text(name, raw=True)
        if not raw:
            return None
        try:
            return parse_datetime(raw, DATE_FORMATS)
        except ValueProblem as exc:
            raise SourceError(str(exc), path=self.path, record=self.where, field=name) from None

    def number(self, name: str) -> int | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            return int(normalise_id(raw))
        except (ValueProblem, ValueError):
            raise SourceError(
                f"'{raw}' is not a whole number", path=self.path, record=self.where, field=name
            ) from None


class _ServiceNowBase(Source):
    def _ticket(self, inc: _Incident, *, has_text: bool) -> Ticket:
        try:
            number = normalise_id(inc.text("number"))
        except ValueProblem as exc:
            raise SourceError(str(exc), path=inc.path, record=inc.where, field="number") from None
        flags: list[str] = []
        people = [inc.text(p) for p in _PEOPLE if inc.text(p)]
        comments = self._journal(inc, people, flags)
        metrics: dict[str, Any] = {}
        for name in _METRIC_INTS:
            if name in inc.values and inc.number(name) is not None:
                metrics[name] = inc.number(name)
        for name in _METRIC_BOOLS:
            if inc.text(name):
                metrics[name] = inc.text(name).lower() in ("true", "1", "yes")
        for name in _METRIC_TEXT:
            if inc.text(name):
                metrics[name] = inc.text(name)
        title = inc.text("short_description")
        problem = markdown(inc.text("description"), "description", flags)
        if not has_text:
            flags.append("no-free-text")
        ticket = Ticket(
            id=number,
            source=self.name,
            title=title,
            problem=problem,
            url=_record_url(inc),
            environment=Environment(product=inc.text("cmdb_ci")),
            resolution=markdown(inc.text("close_notes"), "close_notes", flags),
            resolution_status=inc.text("close_code") or inc.text("closed_code"),
            status=inc.text("incident_state") or inc.text("state"),
            category=inc.text("category"),
            subcategory=inc.text("subcategory"),
            priority=inc.text("priority"),
            opened=inc.when("opened_at"),
            resolved=inc.when("resolved_at"),
            closed=inc.when("closed_at"),
            comments=comments,
            flags=flags,
            metrics=metrics,
            people=sorted(set(people)),
        )
        ticket.private_dropped = self._dropped
        ticket.language = "zh" if detect_language(f"{title}\n{ticket.problem}") == "zh" else "en"
        return ticket

    def _journal(self, inc: _Incident, people: list[str], flags: list[str]) -> list[Comment]:
        """Public ``comments`` entries; ``work_notes`` entries are counted, never read."""
        self._dropped = 0
        notes = inc.text("work_notes")
        if notes:
            entries = max(1, len(JOURNAL_HEAD.findall(notes)))
            self._dropped += entries
            self.report.private_dropped += entries
        text = inc.text("comments")
        if not text:
            return []
        heads = list(JOURNAL_HEAD.finditer(text))
        if not heads:
            # One unlabelled blob: it is the comments field, so it is public.
            return [Comment(markdown(text, "comments", flags), "other")]
        reporter = {inc.text("caller_id")} - {""}
        resolvers = {inc.text("assigned_to"), inc.text("resolved_by")} - {""}
        comments: list[Comment] = []
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            body = text[head.end() : end].strip()
            who = head.group("who").strip()
            people.append(who)
            if "work note" in head.group("kind").lower():
                # A work note pasted into the comments journal is still internal.
                self._dropped += 1
                self.report.private_dropped += 1
                continue
            role: Role = (
                "reporter" if who in reporter else "resolver" if who in resolvers else "other"
            )
            try:
                created: dt.datetime | None = parse_datetime(head.group("when"), DATE_FORMATS)
            except ValueProblem:
                created = None  # journal dates follow the exporting user's locale: never guessed
            if body:
                comments.append(Comment(markdown(body, "comments", flags), role, created))
        # The journal lists the newest entry first; tickets keep comments oldest first.
        return comments[::-1]


class ServiceNowJsonSource(_ServiceNowBase):
    name = "servicenow-json"
    description = 'ServiceNow Table API JSON: {"result": [...]} or one {"result": {...}}'

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        return '"result"' in text and (
            '"number"' in text or '"short_description"' in text or '"sys_id"' in text
        )

    def read(self, path: Path) -> Iterator[Ticket]:
        doc = JsonDocument(path, ("result",), self.encoding)
        for item in doc.items():
            yield from self._one(item.value, path, f"result[{item.index}]")
        single = doc.envelope.get("result")
        if isinstance(single, dict):
            yield from self._one(single, path, "result")
        elif "result" not in doc.envelope.get("_arrays", []):
            raise SourceError(
                "not a ServiceNow Table API export: no 'result'; check --format", path=path
            )

    def _one(self, raw: Any, path: Path, where: str) -> Iterator[Ticket]:
        if not isinstance(raw, dict):
            self.bad_record(SourceError("not an incident object", path=path, record=where))
            return
        inc = _Incident(raw, path, where)
        if (
            "comments" in raw
            and "work_notes" in raw
            and not inc.text("comments")
            and not inc.text("work_notes")
        ):
            self.report.note(
                "journal fields (comments, work_notes) are empty: the Table API returns them only "
                "with sysparm_display_value=true, so public comments may be missing"
            )
        try:
            yield self._ticket(inc, has_text=any(inc.text(f) for f in TEXT_FIELDS))
        except SourceError as exc:
            self.bad_record(exc)


class ServiceNowCsvSource(_ServiceNowBase):
    name = "servicenow-csv"
    description = "ServiceNow CSV list export or incident event log (one row per update)"

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        keys = {_key(h) for h in csv_header(head)}
        return "number" in keys and bool(
            keys
            & {
                "incident_state",
                "state",
                "short_description",
                "sys_id",
                "close_code",
                "closed_code",
            }
        )

    def read(self, path: Path) -> Iterator[Ticket]:
        group: list[CsvRecord] = []
        seen: set[str] = set()
        keys: list[str] = []
        has_text = False
        for record in csv_records(self, path, required=()):
            if not keys:
                keys = [_key(h) for h in record.header]
                if "number" not in keys:
                    raise SourceError(
                        "column 'number' missing from the header; is this the right --format?",
                        path=path,
                        record="line 1",
                    )
                has_text = any(k in keys for k in TEXT_FIELDS)
                if not has_text:
                    self.report.note(
                        "no free-text fields in this export: tickets carry metadata only, no drafts"
                    )
                number_at = keys.index("number")
            number = record.cells[number_at].strip()
            if group and number != group[0].cells[number_at].strip():
                yield from self._reduce(group, keys, path, has_text)
                group = []
            if not group:
                if number in seen:
                    raise SourceError(
                        f"rows of incident {number} are not together; sort the export by number",
                        path=path,
                        record=record.where,
                        field="number",
                    )
                seen.add(number)
            group.append(record)
        if group:
            yield from self._reduce(group, keys, path, has_text)

    def _reduce(
        self, group: list[CsvRecord], keys: list[str], path: Path, has_text: bool
    ) -> Iterator[Ticket]:
        """The latest state of one incident: by sys_updated_at, then sys_mod_count, then row order."""
        incidents = [_Incident(dict(zip(keys, r.cells, strict=True)), path, r.where) for r in group]
        try:
            latest = max(
                enumerate(incidents),
                key=lambda p: (
                    p[1].when("sys_updated_at") or dt.datetime.min,
                    p[1].number("sys_mod_count") or 0,
                    p[0],
                ),
            )[1]
            ticket = self._ticket(latest, has_text=has_text)
        except SourceError as exc:
            self.bad_record(exc)
            return
        if len(group) > 1:
            ticket.metrics["events"] = len(group)
        yield ticket


def _record_url(inc: _Incident) -> str:
    """``https://INSTANCE/incident.do?sys_id=...`` when the export names its instance.

    Table API reference fields carry links to the instance; CSV exports carry none.
    """
    sys_id = inc.text("sys_id", raw=True)
    if not re.fullmatch(r"[0-9a-f]{32}", sys_id):
        return ""
    for value in inc.values.values():
        link = value.get("link") if isinstance(value, dict) else None
        if isinstance(link, str):
            match = re.match(r"(https://[A-Za-z0-9.-]+)/api/now/", link)
            if match:
                return f"{match.group(1)}/incident.do?sys_id={sys_id}"
    return ""
