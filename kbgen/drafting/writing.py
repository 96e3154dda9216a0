"""Where drafts go: straight into the work tree (``--no-branch``) or onto review branches.

Work-tree writes are atomic per file (``kbgen.kb.atomic_write``): a crash
mid-batch leaves every file either old or new. Every path is checked before the
first byte is written, so one hostile name stops the batch before it starts.
"""

from __future__ import annotations

from typing import Any

from kbgen.drafting.plan import FileChange
from kbgen.drafting.report import CaptureReport
from kbgen.drafting.stages import Stages
from kbgen.exceptions import UnsafePathError
from kbgen.kb import (
    ARTICLES_FOLDER,
    NOTES_FOLDER,
    DraftChange,
    KnowledgeBase,
    atomic_write,
    contained_path,
)

ALLOWED_FOLDERS = (f"{ARTICLES_FOLDER}/", f"{NOTES_FOLDER}/")


def _check(rel: str) -> None:
    if not rel.startswith(ALLOWED_FOLDERS):
        raise UnsafePathError(
            f"refusing to write {rel!r}: drafts go only under {' or '.join(ALLOWED_FOLDERS)}"
        )


def write_to_worktree(kb: KnowledgeBase, changes: list[FileChange], report: CaptureReport) -> None:
    targets = []
    for change in changes:
        if change.branch is not None:
            report.warn(
                f"{change.article_id} lives on branch {change.branch}, not in the work tree; "
                f"run capture with --branch to update it there"
            )
            continue
        for rel, data in change.files.items():
            _check(rel)
            targets.append((contained_path(kb.root, rel), data))
    for path, data in targets:
        if path.is_file() and path.read_bytes() == data:
            continue  # byte-identical: keep mtime, keep git quiet
        atomic_write(path, data)
    changes[:] = [c for c in changes if c.branch is None]


def commit_to_branches(
    kb: KnowledgeBase, changes: list[FileChange], batch_branch: str | None, stages: Stages
) -> list[dict[str, Any]]:
    for change in changes:
        for rel in change.files:
            _check(rel)
            contained_path(kb.root, rel)
    drafts = [
        DraftChange(
            article_id=c.article_id,
            slug=c.slug,
            title=c.title,
            tickets=c.tickets,
            files=c.files,
            kind="update" if c.kind == "proposal" else c.kind,
        )
        for c in changes
    ]
    results = stages.commit_drafts(kb, drafts, batch_branch=batch_branch)
    return [r.to_json() for r in results]
