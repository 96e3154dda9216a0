"""Zendesk tickets with their comments, as JSON or incremental-export JSON Lines.

Accepted shapes:

* ``{"tickets": [...], "comments": [...]}``: comments carry ``ticket_id``
  (ticket-events export, or a script that fetched ``/tickets/{id}/comments``);
* tickets with their own ``comments`` array, in ``{"tickets": [...]}``, in a
  ``{"ticket": {...}, "comments": [...]}`` object, or one per line (JSON Lines).

Privacy: a comment with ``public: false`` is an internal note; a comment
without ``public`` has unknown visibility; both are dropped and counted.
``ticket.description`` is never read: it is a copy of the first comment, which
may itself be an internal note. Comment ``metadata`` (IP address, location) is
never read either. ``users`` sideloads only feed ``Ticket.people``.

Side-by-side ``comments`` arrays are joined to tickets with a first pass that
keeps only public comment text; tickets are then streamed in a second pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kbgen.exceptions import SourceError
from kbgen.models import Comment, Role, Ticket
from kbgen.sources.base import Source
from kbgen.sources.jsonstream import JsonDocument, iter_json_lines, looks_like_json_lines
from kbgen.sources.textio import read_head
from kbgen.sources.values import ValueProblem, markdown, normalise_id, optional_datetime
from kbgen.text import clean_text, detect_language

_RESOLVED = {"solved": "Solved", "closed": "Solved"}


class _PublicComment:
    __slots__ = ("author", "body", "created")

    def __init__(self, author: str, body: str, created: str) -> None:
        self.author = author
        self.body = body
        self.created = created


class ZendeskJsonSource(Source):
    name = "zendesk-json"
    description = (
        'Zendesk tickets with comments: JSON ({"tickets", "comments"}) or incremental JSON Lines'
    )

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        return ('"tickets"' in text or '"ticket"' in text or '"requester_id"' in text) and (
            '"subject"' in text or '"requester_id"' in text or '"comments"' in text
        )

    def read(self, path: Path) -> Iterator[Ticket]:
        self._users: dict[str, list[str]] = {}
        if path.suffix.lower() == ".jsonl" or looks_like_json_lines(read_head(path)):
            for line, raw in iter_json_lines(path, self.encoding):
                yield from self._entry(raw, {}, path, f"line {line}")
            return
        # Pass 1: side-loaded comments (public text only) and users.
        side: dict[str, list[Any]] = {}
        first = JsonDocument(path, ("comments", "users", "tickets"), self.encoding)
        for item in first.items():
            if item.key == "users" and isinstance(item.value, dict):
                self._remember_user(item.value)
            elif (
                item.key == "comments"
                and isinstance(item.value, dict)
                and "ticket_id" in item.value
            ):
                side.setdefault(str(item.value["ticket_id"]), []).append(
                    self._keep_public(item.value)
                )
        arrays = first.envelope.get("_arrays", [])
        if first.envelope.get("end_of_stream") is False or first.envelope.get("next_page"):
            self.report.note(
                "the export is one page of an incremental export (more pages follow); "
                "export until end_of_stream is true to capture every ticket"
            )
        if "tickets" in arrays:
            second = JsonDocument(path, ("tickets",), self.encoding)
            for item in second.items():
                yield from self._entry(item.value, side, path, f"tickets[{item.index}]")
        elif isinstance(first.envelope.get("ticket"), dict):
            single = dict(first.envelope)
            if "comments" in arrays:
                single.setdefault("_side", side.get(str(single["ticket"].get("id")), []))
            yield from self._entry(single, side, path, "ticket")
        else:
            raise SourceError(
                "not a Zendesk export: no 'tickets' array or 'ticket' object; check --format",
                path=path,
            )

    # --------------------------------------------------------------------------------
    def _remember_user(self, user: dict[str, Any]) -> None:
        names = [str(user[k]) for k in ("name", "email", "alias") if user.get(k)]
        self._users[str(user.get("id"))] = names

    def _keep_public(self, raw: dict[str, Any]) -> Any:
        """Private comments become a marker right away: their text is never kept."""
        public = raw.get("public")
        if public is True:
            body = (
                raw.get("plain_body") if isinstance(raw.get("plain_body"), str) else raw.get("body")
            )
            return _PublicComment(
                str(raw.get("author_id", "")), str(body or ""), str(raw.get("created_at") or "")
            )
        return "private" if public is False else "unknown"

    def _entry(
        self, raw: Any, side: dict[str, list[Any]], path: Path, where: str
    ) -> Iterator[Ticket]:
        try:
            if not isinstance(raw, dict):
                raise SourceError("not a ticket object", path=path, record=where)
            if isinstance(raw.get("ticket"), dict):
                ticket_raw = raw["ticket"]
                comments = [
                    self._keep_public(c) for c in raw.get("comments") or [] if isinstance(c, dict)
                ]
                comments += raw.get("_side", [])
            else:
                ticket_raw = raw
                embedded = ticket_raw.get("comments")
                comments = [self._keep_public(c) for c in embedded or [] if isinstance(c, dict)]
                comments += side.get(str(ticket_raw.get("id")), [])
            for user in raw.get("users") or []:
                if isinstance(user, dict):
                    self._remember_user(user)
            yield self._ticket(ticket_raw, comments, path, where)
        except SourceError as exc:
            self.bad_record(exc)

    def _ticket(self, raw: dict[str, Any], comments: list[Any], path: Path, where: str) -> Ticket:
        try:
            ticket_id = normalise_id(str(raw.get("id") or ""))
        except ValueProblem as exc:
            raise SourceError(str(exc), path=path, record=where, field="id") from None
        where = f"{where} (ticket {ticket_id})"
        if raw.get("status") == "deleted":
            raise SourceError(
                "the ticket is deleted; export with exclude_deleted=true",
                path=path,
                record=where,
                field="status",
            )
        requester, assignee = str(raw.get("requester_id") or ""), str(raw.get("assignee_id") or "")
        flags: list[str] = []
        public: list[Comment] = []
        dropped = 0
        first_public_body: str | None = None
        for index, comment in enumerate(comments):
            if comment == "private":
                dropped += 1
                self.report.private_dropped += 1
                continue
            if comment == "unknown":
                dropped += 1
                self.report.unknown_visibility += 1
                continue
            role: Role = (
                "reporter"
                if comment.author == requester
                else "resolver"
                if comment.author == assignee
                else "other"
            )
            try:
                created = optional_datetime(comment.created)
            except ValueProblem as exc:
                raise SourceError(
                    str(exc), path=path, record=where, field=f"comments[{index}].created_at"
                ) from None
            body = markdown(comment.body, "comment", flags)
            if index == 0:
                first_public_body = body  # the ticket's opening message: the problem statement
            elif body:
                public.append(Comment(body, role, created))
        if first_public_body is None and comments:
            flags.append("problem-internal-or-missing")

        def when(field: str) -> dt.datetime | None:
            value = raw.get(field)
            try:
                return optional_datetime(value if isinstance(value, str) else None)
            except ValueProblem as exc:
                raise SourceError(str(exc), path=path, record=where, field=field) from None

        status = clean_text(str(raw.get("status") or ""))
        title = clean_text(str(raw.get("subject") or raw.get("raw_subject") or ""))
        people: list[str] = []
        for key in ("requester_id", "submitter_id", "assignee_id"):
            people.extend(self._users.get(str(raw.get(key)), []))
        ticket = Ticket(
            id=ticket_id,
            source=self.name,
            title=title,
            problem=first_public_body or "",
            url=_agent_url(raw.get("url"), ticket_id),
            resolution_status=_RESOLVED.get(status.lower(), ""),
            status=status,
            category=clean_text(str(raw.get("type") or "")),
            tags=[clean_text(str(t)) for t in raw.get("tags") or [] if clean_text(str(t))],
            priority=clean_text(str(raw.get("priority") or "")),
            opened=when("created_at"),
            resolved=None,
            comments=public,
            private_dropped=dropped,
            flags=flags,
            people=sorted(set(people)),
        )
        ticket.language = "zh" if detect_language(f"{title}\n{ticket.problem}") == "zh" else "en"
        return ticket


def _agent_url(api_url: Any, ticket_id: str) -> str:
    if not isinstance(api_url, str) or not api_url.startswith("https://"):
        return ""
    return f"https://{urlsplit(api_url).netloc}/agent/tickets/{ticket_id}"
