"""Jira REST JSON (v2 wiki markup and v3 ADF): search responses, single issues, folders, JSON Lines.

Internal content is dropped here, structurally:

* a comment with ``visibility`` (restricted to a role or group) is internal;
* ``jsdPublic: false`` (or ``public: false`` from the servicedeskapi) marks a Jira
  Service Management internal note;
* the Server/DC comment property ``sd.public.comment`` with ``internal: true`` too;
* an issue with an issue security level (``fields.security``) is skipped whole.

An issue whose export holds fewer comments than its ``comment.total`` is
captured with the comments it has and flagged for the reviewer: comments can be
deleted or restricted, so real exports often fall short. ``--strict`` makes such
an issue a bad record again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kbgen.exceptions import SourceError
from kbgen.models import Comment, Environment, Role, Ticket
from kbgen.sources.base import Source, comments_incomplete_flag
from kbgen.sources.formats import to_markdown
from kbgen.sources.jsonstream import JsonDocument, iter_json_lines, looks_like_json_lines
from kbgen.sources.textio import export_files, read_head
from kbgen.sources.values import ValueProblem, optional_datetime
from kbgen.text import clean_text, detect_language


class JiraJsonSource(Source):
    name = "jira-json"
    reads_folders = True
    description = (
        "Jira REST v2/v3 JSON: search response, one issue, a folder of issues, or JSON Lines"
    )

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        return '"fields"' in text and ('"issues"' in text or '"key"' in text)

    def read(self, path: Path) -> Iterator[Ticket]:
        if path.is_dir():
            files = [p for p in export_files(path) if p.suffix.lower() in (".json", ".jsonl")]
            if not files:
                raise SourceError("the folder holds no .json issue files", path=path)
            for file in files:
                yield from self._read_file(file)
        else:
            yield from self._read_file(path)

    def _read_file(self, path: Path) -> Iterator[Ticket]:
        if path.suffix.lower() == ".jsonl" or looks_like_json_lines(read_head(path)):
            for line, raw in iter_json_lines(path, self.encoding):
                ticket = self._convert(raw, path, f"line {line}")
                if ticket:
                    yield ticket
            return
        doc = JsonDocument(path, ("issues",), self.encoding)
        count = 0
        for item in doc.items():
            count += 1
            if item.key is None and doc.top_level == "array":
                record = f"issue {item.index + 1}"
            else:
                record = f"issues[{item.index}]"
            ticket = self._convert(item.value, path, record)
            if ticket:
                yield ticket
        if "issues" not in doc.envelope.get("_arrays", []) and doc.top_level == "object":
            # A single issue object: the whole document was the envelope.
            single = {k: v for k, v in doc.envelope.items() if k != "_arrays"}
            if "fields" not in single:
                raise SourceError(
                    "not a Jira export: no 'issues' array and no issue 'fields'; check --format",
                    path=path,
                )
            ticket = self._convert(single, path, "issue")
            if ticket:
                yield ticket
        self._note_pagination(doc.envelope, count)

    def _note_pagination(self, envelope: dict[str, Any], count: int) -> None:
        total, start = envelope.get("total"), envelope.get("startAt", 0)
        if isinstance(total, int) and isinstance(start, int) and total > start + count:
            self.report.note(
                f"the export is one page of a larger search (total {total}); "
                "export the remaining pages to capture them too"
            )

    def _convert(self, raw: Any, path: Path, record: str) -> Ticket | None:
        try:
            return self._issue(raw, path, record)
        except SourceError as exc:
            self.bad_record(exc)
            return None

    def _issue(self, raw: Any, path: Path, record: str) -> Ticket | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("fields"), dict):
            raise SourceError("not a Jira issue (no 'fields' object)", path=path, record=record)
        key = clean_text(str(raw.get("key") or raw.get("id") or ""))
        if not key:
            raise SourceError("the issue has no key", path=path, record=record, field="key")
        where = f"{record} ({key})"
        fields: dict[str, Any] = raw["fields"]
        if fields.get("security"):
            self.report.note("issues with an issue security level were skipped as internal")
            self.report.private_dropped += 1
            self.report.skip(record, "the issue has a security level (internal)", key)
            return None
        flags: list[str] = []
        people: list[str] = []
        for user_field in ("reporter", "assignee", "creator"):
            people.extend(_user_names(fields.get(user_field)))

        def text(value: Any, field: str) -> str:
            return to_markdown(value, "jira", field=field, flags=flags, people=people)

        def when(field: str) -> Any:
            value = fields.get(field)
            try:
                return optional_datetime(value if isinstance(value, str) else None)
            except ValueProblem as exc:
                raise SourceError(str(exc), path=path, record=where, field=field) from None

        self._flags = flags
        comments = self._comments(fields, path, where, text, people)
        components = [
            clean_text(c.get("name")) for c in fields.get("components") or [] if isinstance(c, dict)
        ]
        versions = [
            clean_text(v.get("name")) for v in fields.get("versions") or [] if isinstance(v, dict)
        ]
        title = clean_text(str(fields.get("summary") or ""))
        problem = text(fields.get("description"), "description")
        ticket = Ticket(
            id=key,
            source=self.name,
            title=title,
            problem=problem,
            url=_browse_url(raw.get("self"), key),
            environment=Environment(
                product=_name(fields.get("project")),
                component=", ".join(c for c in components if c),
                version=", ".join(v for v in versions if v),
            ),
            resolution_status=_name(fields.get("resolution")),
            status=_name(fields.get("status")),
            category=_name(fields.get("issuetype")),
            tags=[
                clean_text(str(label))
                for label in fields.get("labels") or []
                if clean_text(str(label))
            ],
            priority=_name(fields.get("priority")),
            opened=when("created"),
            resolved=when("resolutiondate"),
            closed=None,
            comments=comments,
            flags=flags,
            people=sorted(set(p for p in people if p)),
        )
        if isinstance(fields.get("environment"), str) and clean_text(fields["environment"]):
            ticket.metrics["environment_text"] = clean_text(fields["environment"])
        ticket.private_dropped = self._dropped
        ticket.language = "zh" if detect_language(title + "\n" + problem) == "zh" else "en"
        return ticket

    def _comments(
        self, fields: dict[str, Any], path: Path, where: str, text: Any, people: list[str]
    ) -> list[Comment]:
        self._dropped = 0
        block = fields.get("comment")
        if not isinstance(block, dict):
            return []
        raw_comments = [c for c in block.get("comments") or [] if isinstance(c, dict)]
        total = block.get("total")
        if isinstance(total, int) and not isinstance(total, bool) and total > len(raw_comments):
            self._flags.append(
                self.incomplete(
                    SourceError(
                        f"the export holds {len(raw_comments)} of {total} comments; export the "
                        "issue with all its comments (half a conversation is not captured)",
                        path=path,
                        record=where,
                        field="comment",
                    ),
                    comments_incomplete_flag(len(raw_comments), total),
                    "some issues hold fewer comments than their comment.total (restricted or "
                    "deleted comments); they were captured with the comments present and flagged "
                    "for the reviewer (--strict refuses them)",
                )
            )
        reporter = _user_ids(fields.get("reporter"))
        resolvers = _user_ids(fields.get("assignee"))
        comments: list[Comment] = []
        for index, raw in enumerate(raw_comments):
            people.extend(_user_names(raw.get("author")))
            people.extend(_user_names(raw.get("updateAuthor")))
            if is_internal_comment(raw):
                self._dropped += 1
                self.report.private_dropped += 1
                continue
            body = text(raw.get("body"), f"comment {index + 1}")
            if not body:
                continue
            author = _user_ids(raw.get("author"))
            role: Role = (
                "reporter" if author & reporter else "resolver" if author & resolvers else "other"
            )
            try:
                created = optional_datetime(
                    raw.get("created") if isinstance(raw.get("created"), str) else None
                )
            except ValueProblem as exc:
                raise SourceError(
                    str(exc), path=path, record=where, field=f"comment {index + 1}.created"
                ) from None
            comments.append(Comment(body=body, role=role, created=created))
        return comments


def is_internal_comment(comment: dict[str, Any]) -> bool:
    """Restricted, a JSM internal note, or the DC internal property: never published."""
    if comment.get("visibility"):
        return True
    if comment.get("jsdPublic") is False or comment.get("public") is False:
        return True  # Cloud JSM flag, and the servicedeskapi comment's own flag
    for prop in comment.get("properties") or []:
        if isinstance(prop, dict) and prop.get("key") == "sd.public.comment":
            value = prop.get("value")
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    return True  # cannot tell: fail closed
            if not isinstance(value, dict) or value.get("internal") is not False:
                return True
    return False


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return clean_text(str(value.get("name") or value.get("value") or ""))
    return clean_text(value) if isinstance(value, str) else ""


def _user_ids(user: Any) -> set[str]:
    if not isinstance(user, dict):
        return set()
    return {str(user[k]) for k in ("accountId", "name", "key", "emailAddress") if user.get(k)}


def _user_names(user: Any) -> list[str]:
    if not isinstance(user, dict):
        return []
    return [str(user[k]) for k in ("displayName", "name", "key", "emailAddress") if user.get(k)]


def _browse_url(self_url: Any, key: str) -> str:
    if not isinstance(self_url, str) or not self_url.startswith(("http://", "https://")):
        return ""
    parts = urlsplit(self_url)
    prefix = parts.path.split("/rest/api/")[0]
    return f"{parts.scheme}://{parts.netloc}{prefix}/browse/{key}"
