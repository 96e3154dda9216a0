"""``kbgen review submit``: push a branch, open its pull request on the forge.

``submit`` pushes first: a rejected push or an unreachable forge leaves the
local branch exactly as it was and says so, and running it again reuses the
pull request it already opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbgen.exceptions import ForgeError, ReviewError
from kbgen.kb import KnowledgeBase, is_merged, remotes, rev_parse, run_git
from kbgen.review.approve import local_branch
from kbgen.review.forges import Forge, PullRequest, get_forge
from kbgen.review.pr_body import pull_request_body, pull_request_title


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
    remote = kb.config.review.remote
    base = kb.config.kb.base_branch
    if remote not in remotes(kb.root):
        raise ReviewError(
            f"no git remote named '{remote}' in {kb.root}; add one (git remote add {remote} URL) "
            f"or set review.remote in site_config/kbgen.yml"
        )
    forge = (
        forge if forge is not None else get_forge(kb.config.review)
    )  # config errors before any push
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
