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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kbgen.exceptions import GitError, LockedError

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
        if "index.lock" in proc.stderr and "File exists" in proc.stderr:
            lock = next(
                (w.strip("'") for w in proc.stderr.split() if w.endswith("index.lock'")),
                "index.lock",
            )
            raise LockedError(
                f"git {args[0]} failed in {cwd}: git's lock file {lock} exists: another git command "
                f"is running, or one crashed. If none is running, delete it and try again"
            )
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        message = detail[-1] if detail else f"exit code {proc.returncode}"
        for line in detail:
            if line.startswith(("fatal:", "error:")):
                message = line
                break
        raise GitError(f"git {args[0]} failed in {cwd}: {message}")
    return proc


def bot_identity(cwd: Path) -> dict[str, str]:
    """Commit as the user when git knows them, else as kbgen (so init works on a bare machine)."""
    env: dict[str, str] = {}
    for var, key, fallback in (
        ("GIT_AUTHOR_NAME", "user.name", "kbgen"),
        ("GIT_AUTHOR_EMAIL", "user.email", "kbgen@localhost"),
    ):
        if var in os.environ:
            continue
        env[var] = run_git(["config", "--get", key], cwd, check=False).stdout.strip() or fallback
    env.setdefault(
        "GIT_COMMITTER_NAME",
        os.environ.get("GIT_COMMITTER_NAME", env.get("GIT_AUTHOR_NAME", "kbgen")),
    )
    env.setdefault(
        "GIT_COMMITTER_EMAIL",
        os.environ.get("GIT_COMMITTER_EMAIL", env.get("GIT_AUTHOR_EMAIL", "kbgen@localhost")),
    )
    return env


def git_out(args: list[str], cwd: Path, **kwargs: object) -> str:
    """stdout of a git command, stripped."""
    return run_git(args, cwd, **kwargs).stdout.strip()  # type: ignore[arg-type]


# --- helpers used by branches, approval and submit ------------------------------


def ref_exists(cwd: Path, ref: str) -> bool:
    return (
        run_git(
            ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd, check=False
        ).returncode
        == 0
    )


def rev_parse(cwd: Path, ref: str) -> str:
    return git_out(["rev-parse", "--verify", f"{ref}^{{commit}}"], cwd)


def git_dir(cwd: Path) -> Path:
    """The common git directory (shared by all worktrees): where index.lock and refs live."""
    return Path(git_out(["rev-parse", "--path-format=absolute", "--git-common-dir"], cwd))


def remotes(cwd: Path) -> list[str]:
    return git_out(["remote"], cwd).split()


def show_file(cwd: Path, ref: str, path: str) -> bytes | None:
    """The bytes of ``path`` at ``ref``, or None when it does not exist there."""
    proc = subprocess.run(
        [git_executable(), "show", f"{ref}:{path}"],
        cwd=cwd,
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def list_tree(cwd: Path, ref: str, folder: str) -> list[str]:
    """Paths of the files under ``folder`` at ``ref`` (NUL-separated output, so any name is safe)."""
    out = run_git(["ls-tree", "-r", "-z", "--name-only", ref, "--", folder], cwd).stdout
    return [p for p in out.split("\0") if p]


def commit_message(subject: str, trailers: list[tuple[str, str]]) -> str:
    """``subject``, a blank line, then one ``Key: value`` trailer per line (git's trailer format)."""
    lines = [subject]
    if trailers:
        lines.append("")
        lines.extend(f"{key}: {value}" for key, value in trailers)
    return "\n".join(lines) + "\n"


def ensure_no_index_lock(cwd: Path, what: str) -> None:
    """Refuse to start while git's own ``index.lock`` exists.

    Git takes it with an exclusive create and has no timeout for it: either
    another git command is running right now, or one crashed and left it. kbgen
    never deletes it (that could corrupt a running command); the user decides.
    """
    lock = git_dir(cwd) / "index.lock"
    if lock.exists():
        raise LockedError(
            f"git's lock file {lock} exists: another git command is running, or one crashed. "
            f"If no git command is running, delete {lock} and run '{what}' again; nothing was changed"
        )


def worktree_for_branch(cwd: Path, branch: str) -> Path | None:
    """The work tree that has ``branch`` checked out, if any (git refuses to check it out twice)."""
    out = run_git(["worktree", "list", "--porcelain", "-z"], cwd).stdout
    current: Path | None = None
    for field in out.split("\0"):
        if field.startswith("worktree "):
            current = Path(field[len("worktree ") :])
        elif field == f"branch refs/heads/{branch}" and current is not None:
            return current
    return None


def changed_paths(cwd: Path) -> set[str]:
    """Paths with uncommitted changes (staged, unstaged or untracked) in the work tree at ``cwd``."""
    out = run_git(["status", "--porcelain", "-z", "--untracked-files=all"], cwd).stdout
    paths: set[str] = set()
    fields = out.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        if len(entry) > 3:
            paths.add(entry[3:])
            if entry[0] in "RC":  # a rename carries its source path in the next field
                i += 1
                if i < len(fields) and fields[i]:
                    paths.add(fields[i])
        i += 1
    return paths


@contextmanager
def temporary_worktree(
    repo: Path, name: str, branch: str, *, create_from: str | None = None, detach: bool = False
) -> Iterator[Path]:
    """Check ``branch`` out in ``<repo>/.kbgen/worktrees/<name>`` for the duration, then remove it.

    A separate worktree has its own index and files, so kbgen never touches the
    user's work tree, index or current branch. ``create_from`` creates the branch;
    ``detach`` checks out its commit read-only (works even if it is checked out elsewhere).
    """
    root = repo / ".kbgen" / "worktrees"
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    if path.exists():  # left by a killed run: git still knows it, so remove it through git
        run_git(["worktree", "remove", "--force", str(path)], repo, check=False)
        if path.exists():
            shutil.rmtree(path)
    run_git(["worktree", "prune"], repo, check=False)
    args = ["worktree", "add", "--quiet"]
    if create_from is not None:
        args += ["-b", branch, str(path), create_from]
    elif detach:
        args += ["--detach", str(path), branch]
    else:
        args += [str(path), branch]
    run_git(args, repo)
    try:
        yield path
    finally:
        run_git(["worktree", "remove", "--force", str(path)], repo, check=False)
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)
        run_git(["worktree", "prune"], repo, check=False)


def show_files(cwd: Path, ref: str, paths: list[str]) -> dict[str, bytes]:
    """Many files at ``ref`` through one ``git cat-file --batch`` (one process, not one per file)."""
    if not paths:
        return {}
    request = "".join(f"{ref}:{p}\n" for p in paths).encode("utf-8")
    proc = subprocess.run(
        [git_executable(), "cat-file", "--batch"],
        cwd=cwd,
        env={**os.environ, **_GIT_ENV},
        input=request,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(
            f"git cat-file failed in {cwd}: {proc.stderr.decode('utf-8', 'replace').strip()}"
        )
    out, pos, found = proc.stdout, 0, {}
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end]
        pos = end + 1
        if header.endswith((b" missing", b" ambiguous")):
            continue
        size = int(header.rsplit(b" ", 1)[1])
        found[path] = out[pos : pos + size]
        pos += size + 1  # content is followed by a newline
    return found
