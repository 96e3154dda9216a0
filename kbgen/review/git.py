"""Running git: list arguments (never a shell), clear errors carrying git's own words.

kbgen drives git through its command line for everything that writes (worktrees,
commits, merges, pushes): it is what users and CI run, its locking is the real
one, and it leaks no long-lived ``git cat-file`` processes (GitPython's known
problem in long-running processes). GitPython is used only for read-only
inspection where its object model helps, always as ``with git.Repo(...)``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from kbgen.exceptions import GitError

# Commits made by kbgen itself are reproducible and never pick up a user's
# hooks or signing prompts in the middle of a batch.
_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


def git_executable() -> str:
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed or not on PATH; install git and try again")
    return exe


def run_git(
    args: list[str],
    cwd: Path,
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git <args>`` in ``cwd``; raise :class:`GitError` with git's stderr on failure."""
    full_env = {**os.environ, **_GIT_ENV, **(env or {})}
    proc = subprocess.run(
        [git_executable(), *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        message = detail[-1] if detail else f"exit code {proc.returncode}"
        for line in detail:
            if line.startswith("fatal:") or line.startswith("error:"):
                message = line
                break
        raise GitError(f"git {args[0]} failed in {cwd}: {message}")
    return proc


def git_out(args: list[str], cwd: Path, **kwargs: object) -> str:
    """stdout of a git command, stripped."""
    return run_git(args, cwd, **kwargs).stdout.strip()  # type: ignore[arg-type]
