"""Freshdesk tickets and their conversations (API v2 JSON).

Accepted files (one file, or a folder of them; conversations may sit in the
same file or in others):

* ``/api/v2/tickets`` pages (arrays of tickets; ``include=description`` gives
  the problem), tickets with embedded ``conversations``
  (``?include=conversations``), or JSON Lines of either;
* ``/api/v2/tickets/{id}/conversations`` pages: arrays of conversation objects,
  each carrying its ``ticket_id``.

Privacy: a conversation with ``private: true`` is a private note (internal) and
is dropped; one without ``private`` has unknown visibility and is dropped too.
Conversation text is HTML (``body``), read through the HTML whitelist; the
plain ``body_text`` is used only when there is no HTML. Statuses 4 and 5 are
Resolved and Closed. Incoming messages (``incoming: true``) and messages by the
requester are the reporter's; messages by the ticket's agent (``responder_id``)
are the resolver's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Role, Ticket
from kbgen.sources.base import Source
from kbgen.sources.formats import to_markdown, to_plain
from kbgen.sources.joins import ChildIndex, child_index
from kbgen.sources.jsonstream import JsonValues
from kbgen.sources.posts import Post, attach_posts, names_of, set_language
from kbgen.sources.textio import files_to_read
from kbgen.sources.values import timestamp

STATUSES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITIES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}


def _is_conversation(value: Any) -> bool:
    return isinstance(value, dict) and "ticket_id" in value and "subject" not in value


def _body(raw: dict[str, Any], html_key: str, text_key: str) -> tuple[str, str]:
    if isinstance(raw.get(html_key), str) and raw[html_key].strip():
        return raw[html_key], "html"
    return str(raw.get(text_key) or ""), "plain"


class FreshdeskJsonSource(Source):
    name = "freshdesk-json"
    description = "Freshdesk tickets and conversations (API v2 JSON; private: true is internal)"
    reads_folders = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        ticket = '"requester_id"' in text and (
            '"responder_id"' in text or '"fr_escalated"' in text or '"description_text"' in text
        )
        conversation = '"ticket_id"' in text and '"incoming"' in text and '"private"' in text
        return ticket or conversation

    def read(self, path: Path) -> Iterator[Ticket]:
        files = files_to_read(path, "ticket")
        with child_index() as conversations:
            for file in files:  # pass 1: conversations, by ticket (private text is not kept)
                for item in JsonValues(file, ("tickets", "conversations"), self.encoding).items():
                    if _is_conversation(item.value):
                        self._remember(conversations, item.value)
            for file in files:  # pass 2: tickets
                for item in JsonValues(file, ("tickets", "conversations"), self.encoding).items():
                    if _is_conversation(item.value):
                        continue
                    where = f"item {item.index + 1}" + (f" of {file.name}" if path.is_dir() else "")
                    try:
                        ticket = self._ticket(item.value, conversations, file, where)
                    except SourceError as exc:
                        self.bad_record(exc)
                        continue
                    if ticket is not None:
                        yield ticket
            if orphans := conversations.unclaimed():
                self.report.note(
                    f"conversations of tickets that are not in the export were left out: {orphans}"
                )

    @staticmethod
    def _remember(index: ChildIndex, raw: dict[str, Any]) -> None:
        index.add(raw.get("ticket_id"), _conversation(raw), sort=str(raw.get("created_at") or ""))

    def _ticket(self, raw: Any, conversations: ChildIndex, path: Path, where: str) -> Ticket | None:
        if not isinstance(raw, dict) or "id" not in raw:
            raise SourceError(
                "not a Freshdesk ticket (no 'id'); check --format", path=path, record=where
            )
        ticket_id = str(raw.get("id"))
        where = f"{where} (ticket {ticket_id})"
        if raw.get("spam") is True or raw.get("deleted") is True:
            self.report.skip(where, "a spam or deleted ticket", ticket_id)
            return None
        flags: list[str] = []
        people: list[str] = []
        body, text_format = _body(raw, "description", "description_text")
        status = raw.get("status")
        ticket = Ticket(
            id=ticket_id,
            source=self.name,
            title=to_plain(raw.get("subject"), "plain"),
            problem=to_markdown(body, text_format, field="description", flags=flags, people=people),
            status=STATUSES.get(status, str(status or "")) if isinstance(status, int) else "",
            category=to_plain(raw.get("type"), "plain"),
            priority=PRIORITIES.get(int(raw["priority"]), "")
            if isinstance(raw.get("priority"), int)
            else "",
            tags=names_of(raw.get("tags")),
            opened=timestamp(raw.get("created_at"), path=path, record=where, field="created_at"),
            flags=flags,
            people=people,
        )
        requester = str(raw.get("requester_id") or "")
        responder = str(raw.get("responder_id") or "")
        thread = [
            _conversation(c) for c in raw.get("conversations") or [] if isinstance(c, dict)
        ] + conversations.children(ticket_id)
        posts = [
            Post(
                body=c["body"],
                text_format=c["format"],
                names=c["names"],
                role=_role(c, requester, responder),
                created=timestamp(
                    c["created"], path=path, record=where, field="conversation.created_at"
                ),
                visibility=c["visibility"],
            )
            for c in thread
        ]
        attach_posts(ticket, posts, self.report)
        return set_language(ticket)


def _conversation(raw: dict[str, Any]) -> dict[str, Any]:
    """What a conversation contributes; a private note keeps no text."""
    private = raw.get("private")
    visibility = "public" if private is False else "private" if private is True else "unknown"
    body, text_format = _body(raw, "body", "body_text") if visibility == "public" else ("", "plain")
    return {
        "body": body,
        "format": text_format,
        "user": str(raw.get("user_id") or ""),
        "incoming": raw.get("incoming") is True,
        "names": [str(raw["from_email"])] if isinstance(raw.get("from_email"), str) else [],
        "created": raw.get("created_at"),
        "visibility": visibility,
    }


def _role(conversation: dict[str, Any], requester: str, responder: str) -> Role:
    user = conversation["user"]
    if conversation["incoming"] or (user and user == requester):
        return "reporter"
    if user and user == responder:
        return "resolver"
    return "other"
