"""GitHub pulls: closed issues of a repository by update time, and their comments.

``KBGEN_GITHUB_TOKEN`` (or ``GITHUB_TOKEN``), and ``KBGEN_GITHUB_URL`` for
GitHub Enterprise (default ``https://api.github.com``). Pages are followed by
their ``Link: rel="next"`` URL verbatim (it names ``/repositories/{id}``, not
the owner and name). ``since`` filters on ``updated_at``, so the mark is the
newest ``updated_at`` seen. Pull requests are not fetched further.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from kbgen.exceptions import SourceError
from kbgen.sources.pull.base import Page, Vendor, parse_since, required

API = "https://api.github.com"


class GitHubPull(Vendor):
    name = "github"
    reader = "github-json"

    @classmethod
    def headers(cls, env: Any) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {required(env, 'KBGEN_GITHUB_TOKEN', 'GITHUB_TOKEN')}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def base_url(self) -> str:
        return (self.env.get("KBGEN_GITHUB_URL") or API).rstrip("/")

    def first(self, mark: str) -> dict[str, Any]:
        owner_repo = self.spec.target
        if owner_repo.count("/") != 1 or not all(owner_repo.split("/")):
            raise SourceError(f"'github:{owner_repo}' must name OWNER/REPO")
        params = {
            "state": self.spec.query or "closed",
            "sort": "updated",
            "direction": "asc",
            "per_page": self.spec.page_size,
        }
        since = mark
        if not since and self.spec.since:
            since = parse_since(self.spec.since).strftime("%Y-%m-%dT%H:%M:%SZ")
        if since:
            params["since"] = since
        path = "/repos/" + "/".join(quote(p, safe="") for p in owner_repo.split("/"))
        return {
            "url": f"{self.base_url()}{path}/issues?{urlencode(params, quote_via=quote, safe=':')}"
        }

    def page(self, cursor: dict[str, Any]) -> Page:
        response = self.client.get(cursor["url"])
        if not isinstance(response.body, list):
            raise SourceError(
                f"GET {cursor['url'].split('?')[0]}: the answer is not a list of issues"
            )
        lines: list[dict[str, Any]] = []
        marks = []
        for issue in response.body:
            if not isinstance(issue, dict):
                continue
            lines.append(issue)
            if isinstance(issue.get("updated_at"), str):
                marks.append(issue["updated_at"])
            count = issue.get("comments")
            if "pull_request" not in issue and isinstance(count, int) and count > 0:
                lines.extend(self._comments(issue))
        following = response.link("next")
        return Page(lines, {"url": following} if following else None, marks)

    def _comments(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        url = str(issue.get("comments_url") or "")
        if not url.startswith(("https://", "http://")):
            return []
        url += ("&" if "?" in url else "?") + "per_page=100"
        found: list[dict[str, Any]] = []
        seen = set()
        while url and url not in seen:
            seen.add(url)
            response = self.client.get(url)
            found.extend(c for c in response.body or [] if isinstance(c, dict))
            url = response.link("next")
        return found
