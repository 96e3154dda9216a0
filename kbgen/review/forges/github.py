"""GitHub pull requests and issues through the REST API.

Pull requests (docs: "REST API endpoints for pull requests"):

Create: ``POST /repos/{owner}/{repo}/pulls`` with ``{"title", "head", "base", "body"}``,
answered with 201 and the pull request (``number``, ``html_url``). An open pull
request for the same head already exists -> 422, so kbgen looks first with
``GET /repos/{owner}/{repo}/pulls?head=owner:branch&base=main&state=open`` and
reuses what it finds: running ``kbgen review submit`` again is safe.

Issues (docs: "Create an issue"): ``POST /repos/{owner}/{repo}/issues`` with
``{"title", "body", "labels": [...]}``, answered with 201 and ``html_url``.
"""

from __future__ import annotations

import urllib.parse

from kbgen.exceptions import ForgeError
from kbgen.review.forges.base import Forge, PullRequest
from kbgen.review.forges.http import describe, post_json, request_json

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"


class GitHubForge(Forge):
    name = "github"

    def __init__(self, repository: str, token: str, api_url: str = "") -> None:
        if repository.count("/") != 1:
            raise ForgeError(
                f"review.repository must be 'owner/name' for GitHub, got {repository!r}"
            )
        self.repository = repository
        self.owner = repository.split("/")[0]
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": API_VERSION,
        }

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        pulls = f"{self.api_url}/repos/{self.repository}/pulls"
        query = urllib.parse.urlencode(
            {"head": f"{self.owner}:{branch}", "base": base, "state": "open"}
        )
        status, found = request_json("GET", f"{pulls}?{query}", headers=self.headers)
        if status == 200 and isinstance(found, list) and found:
            return PullRequest(
                url=found[0]["html_url"], number=int(found[0]["number"]), created=False
            )
        if status != 200:
            raise ForgeError(
                f"GitHub refused to list pull requests of {self.repository} (HTTP {status}: {describe(found)})"
            )
        payload = {"title": title, "head": branch, "base": base, "body": body}
        status, created = request_json("POST", pulls, headers=self.headers, payload=payload)
        if status != 201 or not isinstance(created, dict):
            raise ForgeError(
                f"GitHub refused to open a pull request for {branch} (HTTP {status}: {describe(created)})"
            )
        return PullRequest(url=created["html_url"], number=int(created["number"]), created=True)

    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        owner, _, name = self.repository.partition("/")
        url = (
            f"{self.api_url}/repos/{urllib.parse.quote(owner, safe='')}/"
            f"{urllib.parse.quote(name, safe='')}/issues"
        )
        answer = post_json(url, self.headers, {"title": title, "body": body, "labels": labels})
        return str(answer.get("html_url", ""))
