"""Conversations as posts: the part of a ticket every threaded source shares.

Forums, Q&A sites, issue trackers, helpdesks with conversations and mapped
exports all hand over a ticket's conversation as a list of :class:`Post`
objects: raw text in a declared text format, the author, an explicit role or
none, the time, the visibility, and whether it is the accepted answer.
:func:`attach_posts` turns them into the ticket's comments:

* internal and unknown-visibility posts are counted and dropped; their text is
  never converted (a source should not even pass it: see :meth:`Post.private`);
* the role is the post's own, else ``reporter`` when the author is one of the
  ticket's reporters, ``resolver`` when one of its resolvers, else ``other``;
* the accepted answer becomes the ticket's resolution (and leaves the comments);
* every author name goes to ``Ticket.people``, for redaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kbgen.models import Comment, Role, Ticket
from kbgen.sources.formats import to_markdown
from kbgen.sources.report import ReadReport
from kbgen.text import clean_text, detect_language

Visibility = Literal["public", "private", "unknown"]


@dataclass
class Post:
    body: object  # raw text (or an ADF document) in ``text_format``
    text_format: str = "plain"
    author: str = ""
    role: Role | None = None
    created: dt.datetime | None = None
    visibility: Visibility = "public"
    accepted: bool = False
    names: list[str] = field(default_factory=list)  # more names of the author (login, email)

    @classmethod
    def private(cls, author: str = "", *, unknown: bool = False) -> Post:
        """An internal post: only its author is kept (for redaction), never its text."""
        return cls(body="", author=author, visibility="unknown" if unknown else "private")


def role_of(author: str, reporters: Iterable[str], resolvers: Iterable[str]) -> Role:
    key = author.strip().casefold()
    if key and key in {r.strip().casefold() for r in reporters if r}:
        return "reporter"
    if key and key in {r.strip().casefold() for r in resolvers if r}:
        return "resolver"
    return "other"


def attach_posts(
    ticket: Ticket,
    posts: Iterable[Post],
    report: ReadReport,
    *,
    reporters: Iterable[str] = (),
    resolvers: Iterable[str] = (),
) -> Ticket:
    """Fill ``ticket``'s comments, resolution, people and dropped count from its posts."""
    reporters, resolvers = list(reporters), list(resolvers)
    people = list(ticket.people) + [p for p in (*reporters, *resolvers) if p]
    for index, post in enumerate(posts):
        people.extend(n for n in (post.author, *post.names) if n)
        if post.visibility != "public":
            ticket.private_dropped += 1
            if post.visibility == "private":
                report.private_dropped += 1
            else:
                report.unknown_visibility += 1
            continue
        body = to_markdown(
            post.body,
            post.text_format,
            field=f"post {index + 1}",
            flags=ticket.flags,
            people=people,
        )
        if not body:
            continue
        if post.accepted and not ticket.resolution:
            ticket.resolution = body
            if ticket.resolved is None:
                ticket.resolved = post.created
            continue
        role = post.role or role_of(post.author, reporters, resolvers)
        ticket.comments.append(Comment(body=body, role=role, created=post.created))
    ticket.people = sorted({clean_text(p) for p in people if is_name(p)})
    return ticket


def is_name(value: str) -> bool:
    """A person's name or login worth redacting: not a numeric user id, not one character.

    Redacting "55" (a user id) would cut every "55" out of the ticket's text.
    """
    text = clean_text(value)
    return len(text) >= 2 and not text.replace("-", "").isdigit()


def set_language(ticket: Ticket, language: str = "") -> Ticket:
    """``language`` when the export says, else detected from the title and problem."""
    detected = language or detect_language(f"{ticket.title}\n{ticket.problem}")
    ticket.language = "zh" if detected == "zh" else "en"
    return ticket


def names_of(values: object) -> list[str]:
    """Tag or label names from a list of strings or of ``{"name": ...}`` objects."""
    names = []
    for value in values if isinstance(values, list) else []:
        name = value.get("name") if isinstance(value, dict) else value
        text = clean_text(name) if isinstance(name, str) else ""
        if text:
            names.append(text)
    return names
