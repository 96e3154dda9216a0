"""Drafts onto review branches: one ``kb/<id>-<slug>`` branch per draft, created from main.

Every write happens in a throw-away ``git worktree`` under ``.kbgen/worktrees/``,
so the user's work tree, index and current branch are never touched. Commits
name their source tickets in ``Ticket:`` trailers, so ``git log`` is the audit
trail. Writing the same content twice makes no new commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kbgen.exceptions import ArticleError, ReviewError, UnsafePathError
from kbgen.kb.articles import parse_article
from kbgen.kb.git import (
    commit_message,
    ensure_no_index_lock,
    git_out,
    list_tree,
    ref_exists,
    remotes,
    rev_parse,
    run_git,
    show_file,
    show_files,
    temporary_worktree,
)
from kbgen.kb.ids import ID_PATTERN
from kbgen.kb.paths import ARTICLES_FOLDER
from kbgen.kb.repository import KnowledgeBase
from kbgen.models import Article

BRANCH_PREFIX = "kb/"
# The article id in a branch name, local (kb/KB-0001-x) or remote-tracking (origin/kb/KB-0001-x).
_BRANCH_ID = re.compile(rf"(?:[^/]+/)?{re.escape(BRANCH_PREFIX)}({ID_PATTERN})")

_SUBJECTS = {
    "new": "Draft {id}: {title}",
    "link": "Link tickets to {id}: {title}",
    "update": "Propose update to {id}: {title}",
}


@dataclass
class DraftChange:
    """Files for one article, as drafting produced them (KB-relative path -> content)."""

    article_id: str
    slug: str
    title: str
    tickets: list[str]
    files: dict[str, bytes]
    kind: str = "new"  # "new" | "link" | "update"

    @property
    def branch(self) -> str:
        return branch_name(self.article_id, self.slug)

    @property
    def subject(self) -> str:
        if self.kind not in _SUBJECTS:
            raise ValueError(
                f"DraftChange.kind must be one of {', '.join(_SUBJECTS)}, got {self.kind!r}"
            )
        return _SUBJECTS[self.kind].format(id=self.article_id, title=self.title)


@dataclass
class BranchResult:
    branch: str
    article_ids: list[str] = field(default_factory=list)
    commit: str = ""
    created: bool = False  # True when this run made a new commit

    def to_json(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "article_ids": self.article_ids,
            "commit": self.commit,
            "created": self.created,
        }


def branch_name(article_id: str, slug: str) -> str:
    return f"{BRANCH_PREFIX}{article_id}-{slug}" if slug else f"{BRANCH_PREFIX}{article_id}"


def commit_drafts(
    kb: KnowledgeBase, changes: list[DraftChange], *, batch_branch: str | None = None
) -> list[BranchResult]:
    """Commit each change onto its own branch (or all onto ``batch_branch``); see the module doc.

    The caller holds ``kb.lock(...)``. Branches are created from the base branch
    (``kb.base_branch`` in kbgen.yml), or continue from an existing local or
    remote-tracking branch of the same name.
    """
    if not changes:
        return []
    for change in changes:
        for rel in change.files:
            _check_relative(rel, change.article_id)
    ensure_no_index_lock(kb.root, "kbgen capture")
    base = kb.config.kb.base_branch
    if not ref_exists(kb.root, base):
        raise ReviewError(
            f"{kb.root}: base branch '{base}' does not exist; create it (git branch {base}) "
            f"or set kb.base_branch in site_config/kbgen.yml"
        )
    if batch_branch:
        name = (
            batch_branch if batch_branch.startswith(BRANCH_PREFIX) else BRANCH_PREFIX + batch_branch
        )
        return [_commit_onto(kb, name, changes)]
    return [_commit_onto(kb, change.branch, [change]) for change in changes]


def _check_relative(rel: str, article_id: str) -> None:
    """Drafting writes only inside the KB's content/ folder, never through ``..`` or absolute paths."""
    path = PurePosixPath(rel)
    if (
        path.is_absolute()
        or ".." in path.parts
        or "\\" in rel
        or not path.parts
        or path.parts[0] != "content"
    ):
        raise UnsafePathError(
            f"{article_id}: refusing to write '{rel}': draft files must be relative paths under content/"
        )


def _commit_onto(kb: KnowledgeBase, branch: str, changes: list[DraftChange]) -> BranchResult:
    ids = [c.article_id for c in changes]
    start = _start_point(kb, branch)
    worktree_name = branch.replace("/", "-")
    create_from = None if ref_exists(kb.root, f"refs/heads/{branch}") else start
    with temporary_worktree(kb.root, worktree_name, branch, create_from=create_from) as tree:
        created = False
        for change in changes:
            for rel, data in change.files.items():
                target = tree / rel
                if target.is_symlink() or any(p.is_symlink() for p in target.parents if p != tree):
                    raise UnsafePathError(
                        f"{change.article_id}: '{rel}' goes through a symlink; refusing to write"
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists() and target.read_bytes() == data:
                    continue
                target.write_bytes(data)
            run_git(["add", "--", *change.files], tree)
            if run_git(["diff", "--cached", "--quiet"], tree, check=False).returncode == 0:
                continue  # identical content: idempotent, no commit
            trailers = [("Ticket", t) for t in change.tickets]
            run_git(
                ["commit", "--quiet", "--no-verify", "-F", "-"],
                tree,
                input=commit_message(change.subject, trailers),
            )
            created = True
        commit = rev_parse(tree, "HEAD")
    return BranchResult(branch=branch, article_ids=ids, commit=commit, created=created)


def _start_point(kb: KnowledgeBase, branch: str) -> str:
    """Continue a branch that exists locally or on the remote (a reviewer's clone), else start at base."""
    if ref_exists(kb.root, f"refs/heads/{branch}"):
        return f"refs/heads/{branch}"
    for remote in remotes(kb.root):
        if ref_exists(kb.root, f"refs/remotes/{remote}/{branch}"):
            return f"refs/remotes/{remote}/{branch}"
    return kb.config.kb.base_branch


def list_kb_branches(kb: KnowledgeBase) -> list[str]:
    """Local ``kb/*`` branches and remote-tracking ones (``origin/kb/*``), sorted, without duplicates.

    A remote-tracking branch whose local twin exists is listed once, by its local name.
    """
    out = git_out(
        ["for-each-ref", "--format=%(refname)", f"refs/heads/{BRANCH_PREFIX}", "refs/remotes/"],
        kb.root,
    )
    local: set[str] = set()
    remote: dict[str, str] = {}
    for ref in out.splitlines():
        if ref.startswith("refs/heads/"):
            local.add(ref[len("refs/heads/") :])
        else:
            name = ref[len("refs/remotes/") :]
            remote_name, _, short = name.partition("/")
            if short.startswith(BRANCH_PREFIX):
                remote.setdefault(short, name)
    names = sorted(local) + sorted(full for short, full in remote.items() if short not in local)
    return names


def branch_article_id(ref: str) -> str | None:
    """The article id a ``kb/<ID>-<slug>`` branch name carries, if any."""
    match = _BRANCH_ID.match(ref)
    return match.group(1) if match else None


def is_merged(kb: KnowledgeBase, branch: str) -> bool:
    base = kb.config.kb.base_branch
    return (
        run_git(["merge-base", "--is-ancestor", branch, base], kb.root, check=False).returncode == 0
    )


def branch_article_paths(kb: KnowledgeBase, branch: str) -> list[str]:
    """Article files that ``branch`` adds or changes compared with the base branch."""
    base = kb.config.kb.base_branch
    out = run_git(
        ["diff", "--name-only", "-z", "--no-renames", f"{base}...{branch}", "--", ARTICLES_FOLDER],
        kb.root,
    ).stdout
    return [p for p in out.split("\0") if p.endswith(".md")]


def iter_branch_articles(kb: KnowledgeBase) -> Iterator[tuple[str, Article]]:
    """(branch, article) for each article a not-yet-merged ``kb/`` branch adds or changes.

    Read with ``git show`` (no checkout). A file that does not parse is skipped:
    ``kbgen check`` reports it on that branch's pull request.
    """
    for branch in list_kb_branches(kb):
        if is_merged(kb, branch):
            continue
        for rel in branch_article_paths(kb, branch):
            data = show_file(kb.root, branch, rel)
            if data is None:  # deleted on the branch
                continue
            try:
                article = parse_article(data.decode("utf-8"), rel)
            except (ArticleError, UnicodeDecodeError):
                continue
            article.path = Path(rel)
            yield branch, article


def base_articles(kb: KnowledgeBase, ref: str | None = None) -> dict[str, tuple[str, Article]]:
    """Articles on the base branch (or ``ref``) by id: id -> (path, article). Unparsable files are skipped."""
    ref = ref or kb.config.kb.base_branch
    found: dict[str, tuple[str, Article]] = {}
    if not ref_exists(kb.root, ref):
        return found
    paths = [rel for rel in list_tree(kb.root, ref, ARTICLES_FOLDER) if rel.endswith(".md")]
    for rel, data in show_files(kb.root, ref, paths).items():
        try:
            article = parse_article(data.decode("utf-8"), rel)
        except (ArticleError, UnicodeDecodeError):
            continue
        if article.id:
            found.setdefault(article.id, (rel, article))
    return found
