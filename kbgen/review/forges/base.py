"""The forge interface: two verbs, and a fake that records both.

A :class:`Forge` opens pull requests (``kbgen review submit``) and files issues
(``kbgen gaps --open``). :class:`FakeForge` stands in for a real one in tests
and library use, the way ``sources.base.MemorySource`` stands in for an export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kbgen.exceptions import ForgeError


@dataclass
class PullRequest:
    url: str
    number: int
    created: bool = True  # False when an open one already existed

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "number": self.number, "created": self.created}


class Forge:
    """A git host. Subclasses implement both methods against one forge's API."""

    name = "forge"

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from ``branch`` into ``base``, or return the open one for it."""
        raise NotImplementedError

    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        """File an issue; return its web URL."""
        raise NotImplementedError


@dataclass
class FakeForge(Forge):
    """Records every call; numbers pull requests and issues 1, 2, ...; reuses pull requests per branch."""

    name = "fake"
    calls: list[dict[str, object]] = field(default_factory=list)
    opened: dict[str, PullRequest] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    fail_with: str | None = None  # simulate an unreachable forge

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        self.calls.append(
            {"verb": "pull_request", "branch": branch, "base": base, "title": title, "body": body}
        )
        if self.fail_with:
            raise ForgeError(self.fail_with)
        if branch in self.opened:
            existing = self.opened[branch]
            return PullRequest(existing.url, existing.number, created=False)
        number = len(self.opened) + 1
        self.opened[branch] = PullRequest(f"https://forge.invalid/pull/{number}", number)
        return self.opened[branch]

    def create_issue(self, title: str, body: str, labels: list[str]) -> str:
        self.calls.append({"verb": "issue", "title": title, "body": body, "labels": list(labels)})
        if self.fail_with:
            raise ForgeError(self.fail_with)
        self.issues.append(title)
        return f"https://forge.invalid/issues/{len(self.issues)}"
