"""What a branch changes, path by path: the raw material of the gate.

``git diff --raw -z --find-renames <merge-base>`` lists every path changed
between the base and the work tree (committed or not), with its old and new
mode, so symlinks (mode 120000), executables and deletions are visible; files
git does not track yet are added from ``git ls-files --others``. Each path is
then an *article* path (``content/articles/**`` and ``content/review-notes/**``,
what drafting writes) or a *configuration* path: everything else, which changes
how every article is published and needs a maintainer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from kbgen.exceptions import ConfigError
from kbgen.kb import ARTICLES_FOLDER, NOTES_FOLDER, KnowledgeBase, git_out, ref_exists, run_git

SYMLINK_MODE = "120000"
FILE_MODE = "100644"
STATUS_NAMES = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "T": "type changed"}


@dataclass(frozen=True)
class PathChange:
    status: str  # A, M, D, R or T (git's letters)
    path: str  # the new path (the old one for deletions)
    old_path: str | None = None  # renames only
    old_mode: str = ""
    new_mode: str = ""

    @property
    def kind(self) -> str:
        return "article" if is_article_path(self.path) else "config"

    @property
    def is_symlink(self) -> bool:
        return self.new_mode == SYMLINK_MODE

    @property
    def mode_changed(self) -> bool:
        return bool(self.old_mode and self.new_mode) and self.old_mode != self.new_mode

    def describe(self) -> str:
        what = STATUS_NAMES.get(self.status, self.status)
        if self.old_path:
            return f"{what} {self.old_path} -> {self.path}"
        if self.mode_changed:
            return f"{what} {self.path} (mode {self.old_mode} -> {self.new_mode})"
        return f"{what} {self.path}"


def is_article_path(path: str) -> bool:
    """Paths drafting and reviewers change: the articles folder and the review notes.

    Files in the articles folder that are not articles or images are still
    article paths here: ``kbgen check`` refuses them by name (``not-an-article``).
    """
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or ".." in parts:
        return False
    return "/".join(parts[:2]) in (ARTICLES_FOLDER, NOTES_FOLDER)


def merge_base(kb: KnowledgeBase, base_ref: str) -> str:
    if not ref_exists(kb.root, base_ref):
        raise ConfigError(
            f"--base {base_ref}: no such branch or commit in {kb.root}; fetch it first"
        )
    return git_out(["merge-base", base_ref, "HEAD"], kb.root)


def changed_paths(kb: KnowledgeBase, base_ref: str) -> list[PathChange]:
    """Every path the work tree changes compared with where it left ``base_ref``."""
    fork_point = merge_base(kb, base_ref)
    out = run_git(
        ["diff", "--raw", "-z", "--find-renames", "--no-abbrev", fork_point, "--"], kb.root
    ).stdout
    changes = _parse_raw(out)
    untracked = run_git(["ls-files", "--others", "--exclude-standard", "-z"], kb.root).stdout
    for path in filter(None, untracked.split("\0")):
        mode = SYMLINK_MODE if (kb.root / path).is_symlink() else FILE_MODE
        changes.append(PathChange("A", path, None, "", mode))
    return sorted(changes, key=lambda c: c.path)


def changes_between(kb: KnowledgeBase, base_ref: str, head: str) -> list[PathChange]:
    """What committed ``head`` changes since it left ``base_ref`` (for pull-request bodies)."""
    out = run_git(
        ["diff", "--raw", "-z", "--find-renames", "--no-abbrev", f"{base_ref}...{head}", "--"],
        kb.root,
    ).stdout
    return sorted(_parse_raw(out), key=lambda c: c.path)


def _parse_raw(out: str) -> list[PathChange]:
    """``:oldmode newmode oldsha newsha STATUS\\0path\\0[newpath\\0]`` records."""
    fields = out.split("\0")
    changes: list[PathChange] = []
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        old_mode, new_mode, _, _, status = fields[i][1:].split(" ")
        letter = status[0]
        if letter in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if letter == "C":  # a copy adds the new path; the old one is untouched
                changes.append(PathChange("A", new, None, "", new_mode))
            else:
                changes.append(PathChange("R", new, old, old_mode, new_mode))
            continue
        path = fields[i + 1]
        i += 2
        if letter == "D":
            changes.append(PathChange("D", path, None, old_mode, ""))
        else:
            changes.append(
                PathChange(letter, path, None, old_mode if letter != "A" else "", new_mode)
            )
    return changes


def config_diff(kb: KnowledgeBase, base_ref: str, paths: list[str]) -> str:
    """The unified diff of configuration paths, for a maintainer's configuration review."""
    if not paths:
        return ""
    fork_point = merge_base(kb, base_ref)
    tracked = run_git(["diff", "--no-color", "--no-ext-diff", fork_point, "--", *paths], kb.root)
    text = tracked.stdout
    for path in paths:  # untracked files: show them whole
        target = kb.root / path
        if (
            run_git(["ls-files", "--error-unmatch", "--", path], kb.root, check=False).returncode
            != 0
            and target.is_file()
            and not target.is_symlink()
        ):
            body = target.read_text(encoding="utf-8", errors="replace")
            lines = "".join(f"+{line}\n" for line in body.splitlines())
            text += f"--- /dev/null\n+++ b/{path}\n{lines}"
    return text
