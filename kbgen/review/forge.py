"""Forges (GitHub, GitLab) and ``kbgen review submit``: push a branch, open its pull request.

A forge is anything with one method, :meth:`Forge.open_pull_request`. The real
ones talk REST (github.py, gitlab.py); :class:`FakeForge` records calls for
tests and library users. ``submit`` pushes first: a rejected push or an
unreachable forge leaves the local branch exactly as it was and says so, and
running it again reuses the pull request it already opened.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from kbgen.exceptions import ConfigError, ForgeError, ReviewError
from kbgen.kb import KnowledgeBase


@dataclass
class PullRequest:
    url: str
    number: int
    created: bool = True  # False when an open one already existed

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "number": self.number, "created": self.created}


class Forge:
    """Where pull requests are opened. Subclasses implement one method."""

    name = "forge"

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from ``branch`` into ``base``, or return the open one for it."""
        raise NotImplementedError


@dataclass
class FakeForge(Forge):
    """Records every call; opens pull request 1, 2, ... and reuses them per branch."""

    name = "fake"
    calls: list[dict[str, str]] = field(default_factory=list)
    opened: dict[str, PullRequest] = field(default_factory=dict)
    fail_with: str | None = None  # simulate an unreachable forge

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        self.calls.append({"branch": branch, "base": base, "title": title, "body": body})
        if self.fail_with:
            raise ForgeError(self.fail_with)
        if branch in self.opened:
            existing = self.opened[branch]
            return PullRequest(existing.url, existing.number, created=False)
        number = len(self.opened) + 1
        self.opened[branch] = PullRequest(f"https://forge.invalid/pull/{number}", number)
        return self.opened[branch]


def get_forge(kb: KnowledgeBase) -> Forge | None:
    """The forge configured in ``review.forge``, with its token from the environment; None for ``none``."""
    review = kb.config.review
    if review.forge == "none":
        return None
    if not review.repository:
        raise ConfigError(
            f"site_config/kbgen.yml: review.forge is {review.forge} but review.repository is empty; "
            f"set it to owner/name (GitHub) or group/project (GitLab)"
        )
    env_var = review.token_env or ("GITHUB_TOKEN" if review.forge == "github" else "GITLAB_TOKEN")
    token = os.environ.get(env_var, "")
    if not token:
        raise ForgeError(
            f"no {review.forge} token: set the {env_var} environment variable (review.token_env)"
        )
    if review.forge == "github":
        from kbgen.review.github import GitHubForge

        return GitHubForge(review.repository, token, review.api_url)
    from kbgen.review.gitlab import GitLabForge

    return GitLabForge(review.repository, token, review.api_url)


@dataclass
class SubmitResult:
    branch: str
    remote: str
    commit: str
    forge: str  # "none" when no forge is configured
    pull_request: PullRequest | None = None

    def summary_lines(self) -> list[str]:
        lines = [f"Pushed {self.branch} ({self.commit[:7]}) to {self.remote}."]
        if self.pull_request is None:
            lines += [
                "No forge is configured (review.forge: none). Next:",
                f"  open a pull request for {self.branch} on your git host, or approve it here with:",
                f"  kbgen review approve {self.branch} --reviewer NAME",
            ]
        else:
            verb = "Opened" if self.pull_request.created else "Reused open"
            lines.append(
                f"{verb} pull request #{self.pull_request.number}: {self.pull_request.url}"
            )
        return lines

    def to_json(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "remote": self.remote,
            "commit": self.commit,
            "forge": self.forge,
            "pull_request": self.pull_request.to_json() if self.pull_request else None,
        }


def submit(kb: KnowledgeBase, branch: str, *, forge: Forge | None = None) -> SubmitResult:
    """Push ``branch`` to ``review.remote`` and open (or reuse) its pull request."""
    from kbgen.kb import is_merged, remotes, rev_parse, run_git
    from kbgen.review.approve import local_branch
    from kbgen.review.pr_body import pull_request_body, pull_request_title

    remote = kb.config.review.remote
    base = kb.config.kb.base_branch
    if remote not in remotes(kb.root):
        raise ReviewError(
            f"no git remote named '{remote}' in {kb.root}; add one (git remote add {remote} URL) "
            f"or set review.remote in site_config/kbgen.yml"
        )
    forge = forge if forge is not None else get_forge(kb)  # config errors before any push
    with kb.lock("kbgen review submit"):
        name = local_branch(kb, branch)
        if is_merged(kb, name):
            raise ReviewError(f"{name} is already merged into {base}; nothing to submit")
        commit = rev_parse(kb.root, name)
        proc = run_git(
            ["push", "--porcelain", "--set-upstream", remote, f"{name}:{name}"],
            kb.root,
            check=False,
        )
        if proc.returncode != 0:
            reason = _push_reason(proc.stdout + "\n" + proc.stderr)
            raise ReviewError(
                f"pushing {name} to {remote} was rejected ({reason}). Your local branch {name} is intact "
                f"at {commit[:7]}. Fetch and rebase it (git fetch {remote} && git rebase {remote}/{name} {name}), "
                f"then run 'kbgen review submit {name}' again"
            )
        if forge is None:
            return SubmitResult(name, remote, commit, "none")
        title = pull_request_title(kb, name)
        body = pull_request_body(kb, name)
        try:
            pull_request = forge.open_pull_request(name, base, title, body)
        except ForgeError as exc:
            raise ForgeError(
                f"{exc.message}. {name} is pushed to {remote} and intact; "
                f"run 'kbgen review submit {name}' again to open the pull request"
            ) from None
    return SubmitResult(name, remote, commit, forge.name, pull_request)


def _push_reason(output: str) -> str:
    """git's one-line reason: ``! [rejected] ... (non-fast-forward)``, a hook's message, or fatal: ..."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("!"):
            return line.split("\t")[-1].strip() if "\t" in line else line
    for line in lines:
        if line.startswith(("fatal:", "error:", "remote:")):
            return line
    return lines[-1] if lines else "no reason given"
