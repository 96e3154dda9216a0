"""GitLab merge requests and issues through the REST API.

Merge requests (docs: "Merge requests API", "Create MR"):

Create: ``POST /projects/:id/merge_requests`` with ``{"source_branch",
"target_branch", "title", "description"}`` and the ``PRIVATE-TOKEN`` header;
``:id`` may be the URL-encoded ``group/project`` path. GitLab answers 201 with
``iid`` and ``web_url``, or 409 when an open MR for the branch exists, so kbgen
looks first (``GET .../merge_requests?source_branch=...&state=opened``) and
reuses it.

Issues (docs: "New issue"): ``POST /projects/:id/issues`` with ``{"title",
"description", "labels": "a,b"}``, answered with 201 and ``web_url``.
"""

from __future__ import annotations

import urllib.parse

from kbgen.exceptions import ForgeError
from kbgen.review.forges.base import Forge, PullRequest
from kbgen.review.forges.http import describe, post_json, request_json

DEFAULT_API_URL = "https://gitlab.com/api/v4"


class GitLabForge(Forge):
    name = "gitlab"

    def __init__(self, repository: str, token: str, api_url: str = "") -> None:
        if "/" not in repository:
            raise ForgeError(
                f"review.repository must be 'group/project' for GitLab, got {repository!r}"
            )
        self.repository = repository
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.headers = {"PRIVATE-TOKEN": token}

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        project = urllib.parse.quote(self.repository, safe="")
        mrs = f"{self.api_url}/projects/{project}/merge_requests"
        query = urllib.parse.urlencode(
            {"source_branch": branch, "target_branch": base, "state": "opened"}
        )
        status, found = request_json("GET", f"{mrs}?{query}", headers=self.headers)
        if status == 200 and isinstance(found, list) and found:
            return PullRequest(url=found[0]["web_url"], number=int(found[0]["iid"]), created=False)
        if status != 200:
            raise ForgeError(
                f"GitLab refused to list merge requests of {self.repository} (HTTP {status}: {describe(found)})"
            )
        payload = {
            "source_branch": branch,
            "target_branch": base,
            "title": title,
            "description": body,
        }
        status, created = request_json("POST", mrs, headers=self.headers, payload=payload)
        if status != 201 or not isinstance(created, dict):
            raise ForgeError(
                f"GitLab refused to open a merge request for {branch} (HTTP {status}: {describe(created)})"
            )
        return PullRequest(url=created["web_url"], number=int(created["iid"]), created=True)

    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        project = urllib.parse.quote(self.repository, safe="")
        answer = post_json(
            f"{self.api_url}/projects/{project}/issues",
            self.headers,
            {"title": title, "description": body, "labels": ",".join(labels)},
        )
        return str(answer.get("web_url", ""))
