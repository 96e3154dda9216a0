"""Redacting a whole ticket, every text field, before anything is written anywhere."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable

from kbgen.drafting.stages import Redactor
from kbgen.models import Comment, Environment, Ticket

# The redactor works on Markdown and escapes its tokens ("\\[email\\]"); titles, tags and
# categories are plain text, where the token must read "[email]".
_ESCAPED_TOKEN = re.compile(r"\\\[([a-z][a-z-]*)\\\]")


def redact_ticket(
    ticket: Ticket, make_redactor: Callable[[], Redactor]
) -> tuple[Ticket, dict[str, int]]:
    """A copy of ``ticket`` with every text field redacted, and the counts per kind.

    The redactor is built on first use: a ticket without text needs none.
    ``people`` is emptied in the copy: the names were only needed to find them.
    """
    counts: Counter[str] = Counter()
    redactors: list[Redactor] = []

    def clean(text: str) -> str:
        if not text:
            return text
        if not redactors:
            redactors.append(make_redactor())
        result = redactors[0].redact(text)
        counts.update({str(k): int(v) for k, v in dict(result.counts).items() if v})
        return result.text

    def plain(text: str) -> str:
        return _ESCAPED_TOKEN.sub(r"[\1]", clean(text))

    env = ticket.environment
    redacted = dataclasses.replace(
        ticket,
        title=plain(ticket.title),
        problem=clean(ticket.problem),
        cause=clean(ticket.cause),
        resolution=clean(ticket.resolution),
        prevention=clean(ticket.prevention),
        url="",  # may name an internal host; articles list ticket ids, not links
        environment=Environment(
            product=plain(env.product), component=plain(env.component), version=plain(env.version)
        ),
        category=plain(ticket.category),
        subcategory=plain(ticket.subcategory),
        tags=[plain(t) for t in ticket.tags],
        comments=[
            Comment(body=clean(c.body), role=c.role, created=c.created) for c in ticket.comments
        ],
        people=[],
    )
    return redacted, dict(counts)


def redact_for_record(
    ticket: Ticket, make_redactor: Callable[[], Redactor]
) -> tuple[Ticket, dict[str, int]]:
    """Only what the ticket store keeps of a skipped ticket, redacted; the rest is dropped unread."""
    slim = dataclasses.replace(
        ticket, cause="", resolution="", prevention="", comments=[], environment=Environment()
    )
    return redact_ticket(slim, make_redactor)
