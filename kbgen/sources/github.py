"""GitHub Issues: REST JSON of issues and their comments, as ``gh api`` pages return them.

Accepted files (one file, or a folder of them; issues and comments may sit in
the same file or in different ones):

* ``gh api --paginate repos/O/R/issues?state=closed > issues.json`` in every
  shape gh writes: one merged array, arrays back to back (gh before 2.48),
  ``--slurp`` arrays of pages, ``--jq '.[]'`` one issue per line, search
  results (``{"items": [...]}``);
* comments from ``repos/O/R/issues/comments`` or ``.../issues/N/comments``:
  each carries ``issue_url`` and is joined to its issue (the join keeps memory
  bounded, see :mod:`kbgen.sources.joins`).

A closed issue with ``state_reason: completed`` is resolved; ``not_planned``
and ``duplicate`` say so. Labels become tags. Pull requests (items with a
``pull_request`` key) are skipped and listed. The issue's author is the
reporter; assignees and comments by the repository's owners, members and
collaborators (``author_association``) are resolvers. Bodies are Markdown.
GitHub has no private comments: the repository's own access is the boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Ticket
from kbgen.sources.base import Source, comments_incomplete_flag
from kbgen.sources.formats import to_markdown, to_plain
from kbgen.sources.joins import ChildIndex, child_index
from kbgen.sources.jsonstream import JsonValues
from kbgen.sources.posts import Post, attach_posts, names_of, set_language
from kbgen.sources.textio import files_to_read
from kbgen.sources.values import timestamp

RESOLVERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_ISSUE_URL = re.compile(r"/repos/([^/]+/[^/]+)/issues/(\d+)$")
_REASONS = {"completed": "completed", "not_planned": "not planned", "duplicate": "duplicate"}


def _login(user: Any) -> str:
    return str(user.get("login") or "") if isinstance(user, dict) else ""


def is_comment(item: Any) -> bool:
    return isinstance(item, dict) and "issue_url" in item and "title" not in item


def is_issue(item: Any) -> bool:
    return isinstance(item, dict) and "number" in item and "title" in item


class GitHubIssuesSource(Source):
    name = "github-json"
    description = "GitHub issues and comments, REST JSON as gh api writes it (any --paginate shape)"
    reads_folders = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        issue = '"comments_url"' in text and "/issues" in text
        comment = '"issue_url"' in text and '"author_association"' in text
        return issue or comment or '"state_reason"' in text

    def read(self, path: Path) -> Iterator[Ticket]:
        files = files_to_read(path, "issue")
        with child_index() as comments:
            for file in files:  # pass 1: comments, by the issue they belong to
                for item in JsonValues(file, ("items",), self.encoding).items():
                    if is_comment(item.value):
                        self._remember(comments, item.value)
            for file in files:  # pass 2: issues, each with its comments
                for item in JsonValues(file, ("items",), self.encoding).items():
                    where = f"item {item.index + 1}" + (f" of {file.name}" if path.is_dir() else "")
                    if is_comment(item.value):
                        continue
                    try:
                        ticket = self._issue(item.value, comments, file, where)
                    except SourceError as exc:
                        self.bad_record(exc)
                        continue
                    if ticket is not None:
                        yield ticket
            if comments.count == 0:
                self.report.note(
                    "the export holds no comments: export repos/OWNER/REPO/issues/comments "
                    "beside the issues to capture the conversations"
                )
            elif orphans := comments.unclaimed():
                self.report.note(f"{orphans} comments belong to issues that are not in the export")

    @staticmethod
    def _remember(index: ChildIndex, raw: dict[str, Any]) -> None:
        index.add(
            str(raw.get("issue_url") or ""),
            {
                "author": _login(raw.get("user")),
                "association": str(raw.get("author_association") or ""),
                "body": raw.get("body") if isinstance(raw.get("body"), str) else "",
                "created": raw.get("created_at"),
            },
            sort=str(raw.get("created_at") or ""),
        )

    def _issue(self, raw: Any, comments: ChildIndex, path: Path, where: str) -> Ticket | None:
        if not is_issue(raw):
            raise SourceError(
                "not a GitHub issue or comment (no 'number' and 'title'); check --format",
                path=path,
                record=where,
            )
        url = str(raw.get("url") or "")
        match = _ISSUE_URL.search(url)
        number = str(raw.get("number"))
        ticket_id = f"{match.group(1)}#{number}" if match else f"#{number}"
        where = f"{where} ({ticket_id})"
        if "pull_request" in raw:
            self.report.skip(where, "a pull request, not an issue", ticket_id)
            return None
        flags: list[str] = []
        people: list[str] = []
        author = _login(raw.get("user"))
        assignees = [_login(a) for a in raw.get("assignees") or [] if _login(a)]
        assignees += [_login(raw.get("assignee"))] if _login(raw.get("assignee")) else []
        state = str(raw.get("state") or "")
        reason = _REASONS.get(str(raw.get("state_reason") or ""), "")
        closed = timestamp(raw.get("closed_at"), path=path, record=where, field="closed_at")
        ticket = Ticket(
            id=ticket_id,
            source=self.name,
            title=to_plain(raw.get("title"), "plain"),
            problem=to_markdown(
                raw.get("body"), "markdown", field="body", flags=flags, people=people
            ),
            url=_web_url(raw.get("html_url")),
            resolution_status=reason if state == "closed" else "",
            status=state,
            tags=names_of(raw.get("labels")),
            opened=timestamp(raw.get("created_at"), path=path, record=where, field="created_at"),
            resolved=closed if reason == "completed" else None,
            closed=closed,
            flags=flags,
            people=people,
        )
        joined = comments.children(url) if url else []
        posts = [
            Post(
                body=c.get("body") or "",
                text_format="markdown",
                author=str(c.get("author") or ""),
                role="reporter"
                if c.get("author") and c.get("author") == author
                else "resolver"
                if c.get("association") in RESOLVERS
                else None,
                created=timestamp(
                    c.get("created"), path=path, record=where, field="comment.created_at"
                ),
            )
            for c in joined
        ]
        expected = raw.get("comments")
        if isinstance(expected, int) and not isinstance(expected, bool) and expected > len(posts):
            flags.append(
                self.incomplete(
                    SourceError(
                        f"the export holds {len(posts)} of {expected} comments; export the "
                        "issue's comments too (half a conversation is not captured)",
                        path=path,
                        record=where,
                        field="comments",
                    ),
                    comments_incomplete_flag(
                        len(posts), expected, why="the rest were not exported with the issues"
                    ),
                    "some issues hold fewer comments than their 'comments' count; they were "
                    "captured with the comments present and flagged for the reviewer "
                    "(--strict refuses them)",
                )
            )
        attach_posts(ticket, posts, self.report, reporters=[author], resolvers=assignees)
        return set_language(ticket)


def _web_url(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("https://") else ""
