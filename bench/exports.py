"""The synthetic tickets written in the newer source shapes, for the sources benchmark rows.

Discourse topics, a Stack Exchange ``Posts.xml`` dump, GitHub issues and
comments as ``gh api --paginate`` writes them, Freshdesk tickets with
conversations, and a folder of Markdown files read through the shipped
``markdown-jira-export.yml`` mapping. Each writer streams, like the Jira one.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import quoteattr

from bench.generate import SyntheticTicket, TicketGenerator
from bench.profile import Profile

KINDS = ("discourse", "stackexchange", "github", "freshdesk", "markdown")
LABELS = {
    "discourse": "Discourse JSON",
    "stackexchange": "Stack Exchange XML",
    "github": "GitHub JSON",
    "freshdesk": "Freshdesk JSON",
    "markdown": "Markdown folder",
}
_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())


def _tickets(n: int, seed: int, profile: Profile) -> Iterator[SyntheticTicket]:
    yield from TicketGenerator(profile, seed).tickets(n)


def write_export(kind: str, path: Path, n: int, seed: int, profile: Profile) -> Path:
    """Write ``n`` tickets of ``kind`` at ``path`` (a file, or a folder for github/markdown)."""
    writer = {"discourse": _discourse, "stackexchange": _stackexchange, "github": _github,
              "freshdesk": _freshdesk, "markdown": _markdown}[kind]  # fmt: skip
    writer(path, _tickets(n, seed, profile))
    return path


def _discourse(path: Path, tickets: Iterator[SyntheticTicket]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i, t in enumerate(tickets):
            posts = [{"id": i * 100, "post_number": 1, "post_type": 1, "username": "asker",
                      "cooked": _html(t.problem), "created_at": t.opened.strftime(_TIME)}]  # fmt: skip
            for j, c in enumerate(t.comments, 2):
                posts.append({"id": i * 100 + j, "post_number": j, "post_type": 4 if c.private else 1,
                              "username": "staff" if c.role == "assignee" else "asker",
                              "staff": c.role == "assignee", "cooked": _html(c.body),
                              "accepted_answer": j == 2, "created_at": c.created.strftime(_TIME)})  # fmt: skip
            topic = {"id": i + 1, "title": t.title, "created_at": t.opened.strftime(_TIME), "tags": [],
                     "post_stream": {"posts": posts, "stream": [p["id"] for p in posts]}}  # fmt: skip
            fh.write(("," if i else "") + json.dumps(topic, ensure_ascii=False))
        fh.write("]")


def _stackexchange(path: Path, tickets: Iterator[SyntheticTicket]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        number = 0
        for t in tickets:
            number += 1
            question = number
            answers = [c for c in t.comments if not c.private]
            accepted = f' AcceptedAnswerId="{question + 1}"' if answers else ""
            fh.write(f'  <row Id="{question}" PostTypeId="1"{accepted} CreationDate="{t.opened:%Y-%m-%dT%H:%M:%S}" '
                     f"Title={quoteattr(t.title)} Body={quoteattr(_html(t.problem))} Tags=\"|bench|\" />\n")  # fmt: skip
            for c in answers:
                number += 1
                fh.write(f'  <row Id="{number}" PostTypeId="2" ParentId="{question}" '
                         f'CreationDate="{c.created:%Y-%m-%dT%H:%M:%S}" Body={quoteattr(_html(c.body))} />\n')  # fmt: skip
        fh.write("</posts>\n")


def _github(path: Path, tickets: Iterator[SyntheticTicket]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    with (
        open(path / "issues.json", "w", encoding="utf-8") as issues,
        open(path / "comments.json", "w", encoding="utf-8") as comments,
    ):
        issues.write("[")
        comments.write("[")
        first_comment = True
        for i, t in enumerate(tickets, 1):
            url = f"https://api.github.com/repos/bench/kb/issues/{i}"
            public = [c for c in t.comments if not c.private]
            issue = {"url": url, "number": i, "title": t.title, "body": t.problem, "state": "closed",
                     "state_reason": "completed", "user": {"login": "asker"}, "labels": [{"name": "bench"}],
                     "comments": len(public), "comments_url": url + "/comments",
                     "created_at": t.opened.strftime(_TIME), "closed_at": t.resolved.strftime(_TIME)}  # fmt: skip
            issues.write(("," if i > 1 else "") + json.dumps(issue, ensure_ascii=False))
            for c in public:
                row = {"issue_url": url, "user": {"login": "staff" if c.role == "assignee" else "asker"},
                       "author_association": "MEMBER" if c.role == "assignee" else "NONE",
                       "body": c.body, "created_at": c.created.strftime(_TIME)}  # fmt: skip
                comments.write(("" if first_comment else ",") + json.dumps(row, ensure_ascii=False))
                first_comment = False
        issues.write(" ]")  # gh >= 2.48 leaves this space from an empty last page
        comments.write("]")


def _freshdesk(path: Path, tickets: Iterator[SyntheticTicket]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i, t in enumerate(tickets, 1):
            conversations = [{"ticket_id": i, "user_id": 7 if c.role == "assignee" else 9,
                              "incoming": c.role != "assignee", "private": c.private, "body": _html(c.body),
                              "created_at": c.created.strftime(_TIME)} for c in t.comments]  # fmt: skip
            ticket = {"id": i, "subject": t.title, "description": _html(t.problem), "status": 4,
                      "priority": 2, "requester_id": 9, "responder_id": 7, "fr_escalated": False,
                      "created_at": t.opened.strftime(_TIME), "conversations": conversations}  # fmt: skip
            fh.write(("," if i > 1 else "") + json.dumps(ticket, ensure_ascii=False))
        fh.write("]")


def _markdown(path: Path, tickets: Iterator[SyntheticTicket]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(tickets, 1):
        comments = "\n\n---\n\n".join(
            f"**{'Staff' if c.role == 'assignee' else 'Asker'}** - _{c.created:%Y-%m-%d %I:%M %p}_\n\n{c.body}"
            for c in t.comments
        )
        meta = {"key": f"BENCH-{i}", "summary": t.title, "status": "Done", "resolution": "Done",
                "created_at": t.opened.strftime("%Y-%m-%dT%H:%M:%S.000+0000")}  # fmt: skip
        text = "---\n" + "".join(
            f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items()
        )
        text += f"---\n\n# BENCH-{i}: {t.title}\n\n## Description\n\n{t.problem}\n\n## Comments\n\n{comments}\n"
        (path / f"BENCH-{i}.md").write_text(text, encoding="utf-8")
