"""Turning gaps into work: forge issues (GitHub, GitLab) or a backlog page.

The requests follow the forges' documented endpoints exactly:

* GitHub "Create an issue": ``POST {api}/repos/{owner}/{repo}/issues`` with
  ``Accept: application/vnd.github+json``, ``Authorization: Bearer <token>``,
  ``X-GitHub-Api-Version: 2022-11-28`` and a JSON body
  ``{"title", "body", "labels": [...]}``; the answer is 201 with ``html_url``.
* GitLab "New issue": ``POST {api}/projects/{url-encoded path}/issues`` with
  ``PRIVATE-TOKEN: <token>`` and a JSON body
  ``{"title", "description", "labels": "a,b"}``; the answer is 201 with ``web_url``.

Each opened gap is remembered in ``.kbgen/opened-gaps.json`` (gap key -> URL),
so running ``kbgen gaps --open`` twice never files the same issue twice.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from kbgen.config import ReviewSection
from kbgen.exceptions import ConfigError, ForgeError
from kbgen.kb import KnowledgeBase, atomic_write, today
from kbgen.loop.gaps import KIND_LABELS, Gap, evidence_line
from kbgen.text import escape_inline

GITHUB_API = "https://api.github.com"
GITLAB_API = "https://gitlab.com/api/v4"
GITHUB_API_VERSION = "2022-11-28"
ISSUE_LABEL = "kbgen-gap"
OPENED_FILE = "opened-gaps.json"
BACKLOG_NAME = "backlog.md"


@dataclass
class IssueTracker:
    """Files one issue per gap; subclasses know one forge's request shape."""

    repository: str
    token: str
    api_url: str

    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        raise NotImplementedError

    def _post(self, path: str, headers: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON with the review stage's HTTP helper; any non-2xx answer is a ForgeError."""
        from kbgen.review.http import describe, request_json

        url = self.api_url.rstrip("/") + path
        status, body = request_json("POST", url, headers=headers, payload=payload)
        if not 200 <= status < 300:
            raise ForgeError(
                f"POST {url} failed with HTTP {status}: {describe(body)}; "
                "check review.repository and that the token may create issues"
            )
        return dict(body) if isinstance(body, dict) else {}


class GitHubIssues(IssueTracker):
    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        owner, _, name = self.repository.partition("/")
        path = f"/repos/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}/issues"
        answer = self._post(
            path,
            {
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": GITHUB_API_VERSION,
            },
            {"title": title, "body": body, "labels": labels},
        )
        return str(answer.get("html_url", ""))


class GitLabIssues(IssueTracker):
    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        project = urllib.parse.quote(self.repository, safe="")
        answer = self._post(
            f"/projects/{project}/issues",
            {"PRIVATE-TOKEN": self.token},
            {"title": title, "description": body, "labels": ",".join(labels)},
        )
        return str(answer.get("web_url", ""))


def get_issue_tracker(review: ReviewSection) -> IssueTracker | None:
    """The tracker for ``review.forge``; None when the KB has no forge (use the backlog page)."""
    if review.forge == "none":
        return None
    if not review.repository or "/" not in review.repository:
        raise ConfigError(
            f"review.repository must be 'owner/name' to open issues on {review.forge}; "
            "set it in site_config/kbgen.yml"
        )
    token_env = review.token_env or ("GITHUB_TOKEN" if review.forge == "github" else "GITLAB_TOKEN")
    token = os.environ.get(token_env, "")
    if not token:
        raise ConfigError(
            f"{token_env} is not set; export a token that may create issues on {review.forge}"
        )
    if review.forge == "github":
        return GitHubIssues(review.repository, token, review.api_url or GITHUB_API)
    return GitLabIssues(review.repository, token, review.api_url or GITLAB_API)


def issue_title(gap: Gap) -> str:
    return f"[kbgen] {KIND_LABELS[gap.kind]}: {gap.title}"[:200]


def issue_body(gap: Gap) -> str:
    """Markdown for the issue: what to do, then the evidence, escaped as plain text."""
    lines = [
        f"kbgen found this **{KIND_LABELS[gap.kind]}** (demand {gap.demand}).",
        "",
        escape_inline(evidence_line(gap)),
        "",
        f"Next step: {NEXT_STEP[gap.kind]}",
        "",
        f"<!-- kbgen-gap: {gap.key} -->",
    ]
    return "\n".join(lines)


NEXT_STEP = {
    "failed_search": "write an article answering these searches, or add the words people use to an existing one.",
    "uncovered_problem": "review the draft kbgen captured from the best ticket, or write the article by hand.",
    "unhelpful_article": "read the comments and fix the article; mark it needs_update meanwhile.",
    "stale_article": "check the article is still right, then update `updated` and `review_by`.",
    "duplicate_articles": "merge the two articles and retire one with `redirect_to`.",
}


@dataclass
class OpenedGaps:
    """Gap keys already turned into work, persisted beside the other local state."""

    kb: KnowledgeBase
    opened: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, kb: KnowledgeBase) -> OpenedGaps:
        path = kb.state_dir / OPENED_FILE
        if not path.exists():
            return cls(kb)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ConfigError(
                f"{kb.relpath(path)} is not valid JSON; delete it to forget opened gaps"
            ) from None
        return cls(kb, {str(k): str(v) for k, v in dict(data).items()})

    def save(self) -> None:
        path = self.kb.state_dir / OPENED_FILE
        atomic_write(
            path, json.dumps(self.opened, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )


def open_issues(
    kb: KnowledgeBase, gaps: list[Gap], tracker: IssueTracker
) -> list[tuple[Gap, str, bool]]:
    """File an issue per gap not opened before; returns (gap, url, newly_opened)."""
    memory = OpenedGaps.load(kb)
    results = []
    try:
        for gap in gaps:
            if gap.key in memory.opened:
                results.append((gap, memory.opened[gap.key], False))
                continue
            url = tracker.create_issue(issue_title(gap), issue_body(gap), [ISSUE_LABEL, gap.kind])
            memory.opened[gap.key] = url
            results.append((gap, url, True))
    finally:
        memory.save()  # keep what was filed even when a later request fails
    return results


def backlog_markdown(gaps: list[Gap]) -> str:
    """The backlog page: the ranked gaps as a table, every cell escaped plain text."""
    lines = [
        "# Knowledge-base backlog",
        "",
        f"Generated by `kbgen gaps --open` on {today()}. Most demanded first.",
        "",
        "| # | kind | gap | demand | evidence |",
        "|---|---|---|---|---|",
    ]
    for rank, gap in enumerate(gaps, 1):
        lines.append(
            f"| {rank} | {KIND_LABELS[gap.kind]} | {escape_inline(gap.title)} | {gap.demand} "
            f"| {escape_inline(evidence_line(gap))} |"
        )
    return "\n".join(lines) + "\n"


def write_backlog(kb: KnowledgeBase, gaps: list[Gap]) -> str:
    """Write ``content/review-notes/backlog.md``; returns its path relative to the KB."""
    path = kb.notes_dir / BACKLOG_NAME
    atomic_write(path, backlog_markdown(gaps))
    return kb.relpath(path)
