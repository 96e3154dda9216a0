"""Approval without a forge: check, publish in front-matter, merge with ``--no-ff`` and a trailer.

The approval itself is a commit on the draft's branch (status, reviewer, date)
and the merge commit carries ``Reviewed-by: NAME``, so ``git log`` shows who
approved what and when. Drafts written straight onto main (``--no-branch``) are
published by one commit on main. The user's uncommitted work is never
overwritten: kbgen refuses when it touches the same files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from kbgen.article_types import NEEDED_MARKER
from kbgen.exceptions import ArticleError, CheckFailed, ReviewError
from kbgen.kb import (
    BRANCH_PREFIX,
    KnowledgeBase,
    base_articles,
    branch_article_paths,
    changed_paths,
    commit_message,
    ensure_no_index_lock,
    is_merged,
    iter_article_paths,
    iter_branch_articles,
    load_article,
    ref_exists,
    remotes,
    rev_parse,
    run_git,
    temporary_worktree,
    today,
    worktree_for_branch,
    write_article,
)
from kbgen.models import Article
from kbgen.review.check import check_paths

PENDING_STATUSES = ("draft", "needs_update")


@dataclass
class Approval:
    article_id: str
    title: str
    path: str
    branch: str | None  # None: the draft was already on main
    commit: str  # the merge commit (or the approval commit on main or, unmerged, on the branch)
    reviewer: str
    merged: bool = True
    skipped: str = ""  # with --all: why this draft was left pending (nothing was changed for it)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self, base_branch: str = "main") -> str:
        """One line for people: what happened to this draft."""
        if self.skipped:
            return f"Skipped {self.article_id} ({self.path}): {self.skipped}"
        if not self.merged:
            return (
                f"Approved {self.article_id}: {self.title} (on {self.branch}, commit {self.commit[:7]}, "
                f"reviewed by {self.reviewer}); merge its pull request to publish it"
            )
        where = f"merged {self.branch}" if self.branch else f"on {base_branch}"
        return (
            f"Published {self.article_id}: {self.title} ({where}, commit {self.commit[:7]}, "
            f"reviewed by {self.reviewer})"
        )


def approve(
    kb: KnowledgeBase,
    *,
    branch: str | None,
    ids: list[str],
    all_: bool,
    reviewer: str,
    push: bool | None = None,
    merge: bool = True,
) -> list[Approval]:
    """Publish the drafts on ``branch``, the drafts with ``ids``, or every pending draft (``all_``).

    ``push``: push the result to ``review.remote`` (default: when that remote exists).
    ``merge=False`` (with a forge): commit the approval on each branch and push the
    branch; merging its pull request then publishes it.
    """
    chosen = sum([branch is not None, bool(ids), all_])
    if chosen != 1:
        raise ReviewError(
            "say what to approve: a BRANCH, one or more article IDs, or --all (exactly one)"
        )
    reviewer = reviewer.strip()
    if not reviewer or re.search(r"[\n\r<>]", reviewer):
        raise ReviewError("--reviewer must be a name on one line, without < or >")
    with kb.lock("kbgen review approve"):
        ensure_no_index_lock(kb.root, "kbgen review approve")
        branches, on_main = _targets(kb, branch, ids, all_)
        approvals: list[Approval] = []
        remote = kb.config.review.remote
        pushing = push if push is not None else remote in remotes(kb.root)
        for name in branches:
            done = _approve_branch(kb, name, reviewer, merge=merge, skip=all_)
            approvals += done
            if not merge and pushing and not any(a.skipped for a in done):
                push_branch(kb, remote, name)
        if on_main:
            approvals += _approve_on_main(kb, on_main, reviewer, skip=all_)
        changed = [a for a in approvals if not a.skipped]
        if changed and pushing and (merge or any(a.branch is None for a in changed)):
            push_base(kb, remote)
    return approvals


def _targets(
    kb: KnowledgeBase, branch: str | None, ids: list[str], all_: bool
) -> tuple[list[str], list[str]]:
    """(branches to merge, ids of drafts already on main)."""
    if branch is not None:
        return [local_branch(kb, branch)], []
    pending = {a.id: b for b, a in iter_branch_articles(kb)}
    main_drafts = {a.id for a in _main_articles(kb) if a.status in PENDING_STATUSES}
    branches: list[str] = []
    if all_:
        branches = sorted({local_branch(kb, b) for b in pending.values()})
        return branches, sorted(main_drafts - set(pending))
    on_main: list[str] = []
    for article_id in ids:
        if article_id in pending:
            name = local_branch(kb, pending[article_id])
            if name not in branches:
                branches.append(name)
        elif article_id in main_drafts:
            on_main.append(article_id)
        else:
            raise ReviewError(
                f"{article_id}: no pending draft with this id (not on an unmerged kb/ branch, "
                f"and not a draft on {kb.config.kb.base_branch}); see: kbgen review list"
            )
    return branches, on_main


def local_branch(kb: KnowledgeBase, name: str) -> str:
    """Accept ``kb/x`` or ``origin/kb/x``; create the local branch from the remote one if needed."""
    short = name
    for remote in remotes(kb.root):
        if name.startswith(f"{remote}/{BRANCH_PREFIX}"):
            short = name[len(remote) + 1 :]
    if ref_exists(kb.root, f"refs/heads/{short}"):
        return short
    for remote in remotes(kb.root):
        if ref_exists(kb.root, f"refs/remotes/{remote}/{short}"):
            run_git(["branch", "--quiet", "--track", short, f"{remote}/{short}"], kb.root)
            return short
    raise ReviewError(
        f"branch '{name}' does not exist here; fetch it (git fetch) or see: kbgen review list"
    )


def _main_articles(kb: KnowledgeBase) -> list[Article]:
    """Articles committed on main (never the work tree's uncommitted edits)."""
    return [article for _, article in base_articles(kb).values()]


def unpublishable(article: Article) -> str | None:
    """Why ``article`` cannot be published yet (capture's "needed" marker is still in it), or None."""
    marker = NEEDED_MARKER.search(article.body)
    if marker is None:
        return None
    return (
        f"cannot publish a draft with no resolution: the "
        f"{marker.group(0)[len('!!! warning ') :]} marker is still in the article. Write the "
        f"missing text, remove the marker, commit, then approve again"
    )


def publish_meta(article: Article, reviewer: str, rel: str) -> None:
    """Set the front-matter an approval writes; refuse a draft that still lacks its resolution."""
    meta = article.meta
    reason = unpublishable(article)
    if reason:
        raise ReviewError(f"{article.id} ({rel}): {reason}")
    if meta.get("confidence") == "wip":
        meta["confidence"] = "not_validated"
    meta["status"] = "published"
    meta["reviewed_by"] = reviewer
    meta["published_at"] = today()
    meta["updated"] = today()


def _subject(articles: list[Article]) -> str:
    if len(articles) == 1:
        return f"Publish {articles[0].id}: {articles[0].title}"
    if len(articles) <= 5:
        return f"Publish {', '.join(a.id for a in articles)}"
    # A subject line stays short; the diff lists every file.
    shown = ", ".join(a.id for a in articles[:3])
    return f"Publish {len(articles)} articles: {shown} and {len(articles) - 3} more"


def _problems(tree: Path, kb: KnowledgeBase, rels: list[str]) -> dict[str, str]:
    """rel -> why it cannot be published: check errors (one line each) or the resolution marker."""
    report = check_paths(KnowledgeBase(root=tree, config=kb.config), [tree / r for r in rels])
    problems: dict[str, list[str]] = {}
    for finding in report.errors:
        problems.setdefault(finding.path, []).append(
            f"line {finding.line}: [{finding.code}] {finding.message}"
        )
    for rel in rels:
        if rel not in problems:
            reason = unpublishable(load_article(tree / rel))
            if reason:
                problems[rel] = [reason]
    return {rel: "; ".join(found) for rel, found in problems.items()}


def _skipped(tree: Path, rel: str, branch: str | None, reviewer: str, reason: str) -> Approval:
    try:
        article = load_article(tree / rel)
        article_id, title = article.id, article.title
    except ArticleError:
        article_id, title = "?", rel
    return Approval(article_id, title, rel, branch, "", reviewer, merged=False, skipped=reason)


def _approve_branch(
    kb: KnowledgeBase, branch: str, reviewer: str, *, merge: bool = True, skip: bool = False
) -> list[Approval]:
    """Approve every article on ``branch``; with ``skip``, leave it pending instead of failing."""
    base = kb.config.kb.base_branch
    if is_merged(kb, branch):
        raise ReviewError(f"{branch} is already merged into {base}; nothing to approve")
    if worktree_for_branch(kb.root, branch) is not None:
        raise ReviewError(
            f"{branch} is checked out in {worktree_for_branch(kb.root, branch)}; "
            f"switch that work tree to another branch, then approve again"
        )
    rels = branch_article_paths(kb, branch)
    if not rels:
        raise ReviewError(f"{branch} changes no article under content/articles; nothing to approve")
    touched = _files_changed(kb, branch)
    if merge:  # refuse before changing anything when the user's main has edits in the way
        with base_tree(kb, touched):
            pass
    published: list[tuple[str, Article]] = []
    with temporary_worktree(kb.root, "approve-" + branch.replace("/", "-"), branch) as tree:
        problems = _problems(tree, kb, rels)
        if problems and skip:
            return [
                _skipped(tree, rel, branch, reviewer, reason) for rel, reason in problems.items()
            ]
        if problems:
            raise CheckFailed(
                f"{branch} cannot be approved; nothing was changed:\n"
                + "\n".join(f"{rel}: {reason}" for rel, reason in problems.items())
            )
        for rel in rels:
            article = load_article(tree / rel)
            if article.status in PENDING_STATUSES:
                publish_meta(article, reviewer, rel)
                write_article(tree / rel, article)
            published.append((rel, article))
        run_git(["add", "--", *rels], tree)
        if run_git(["diff", "--cached", "--quiet"], tree, check=False).returncode != 0:
            message = commit_message(
                _subject([a for _, a in published]), [("Reviewed-by", reviewer)]
            )
            run_git(["commit", "--quiet", "--no-verify", "-F", "-"], tree, input=message)
        approval_commit = rev_parse(tree, "HEAD")
    if not merge:
        return [
            Approval(a.id, a.title, rel, branch, approval_commit, reviewer, merged=False)
            for rel, a in published
        ]
    merge_subject = f"Merge {branch}: {_subject([a for _, a in published])}"
    with base_tree(kb, touched) as main_tree:
        proc = run_git(
            [
                "merge",
                "--no-ff",
                "--no-verify",
                "-m",
                merge_subject,
                "-m",
                f"Reviewed-by: {reviewer}",
                branch,
            ],
            main_tree,
            check=False,
        )
        if proc.returncode != 0:
            run_git(["merge", "--abort"], main_tree, check=False)
            raise ReviewError(
                f"merging {branch} into {base} conflicts ({(proc.stdout + proc.stderr).strip().splitlines()[-1]}); "
                f"{base} is unchanged. Rebase the branch (git rebase {base} {branch}), then approve again"
            )
        commit = rev_parse(main_tree, "HEAD")
    return [Approval(a.id, a.title, rel, branch, commit, reviewer) for rel, a in published]


def _files_changed(kb: KnowledgeBase, branch: str) -> list[str]:
    out = run_git(
        ["diff", "--name-only", "-z", f"{kb.config.kb.base_branch}...{branch}"], kb.root
    ).stdout
    return [p for p in out.split("\0") if p]


@contextmanager
def base_tree(kb: KnowledgeBase, touched: list[str]) -> Iterator[Path]:
    """The work tree where main is checked out (refusing if it has edits to ``touched``), or a temporary one."""
    base = kb.config.kb.base_branch
    tree = worktree_for_branch(kb.root, base)
    if tree is None:
        with temporary_worktree(kb.root, "approve-" + base.replace("/", "-"), base) as temp:
            yield temp
        return
    clash = sorted(changed_paths(tree) & set(touched))
    if clash:
        raise ReviewError(
            f"{', '.join(clash)} has uncommitted changes in {tree}; commit or stash them, "
            f"then approve again (nothing was merged)"
        )
    yield tree


def _approve_on_main(
    kb: KnowledgeBase, ids: list[str], reviewer: str, *, skip: bool = False
) -> list[Approval]:
    base = kb.config.kb.base_branch
    wanted = set(ids)
    with base_tree(kb, []) as tree:
        found: list[tuple[str, Article]] = []
        for path in iter_article_paths(tree / "content" / "articles"):
            try:
                article = load_article(path)
            except ArticleError:
                continue  # kbgen check reports it; it is not one of the drafts asked for
            if article.id in wanted and article.status in PENDING_STATUSES:
                found.append((Path(path).relative_to(tree).as_posix(), article))
        rels = [rel for rel, _ in found]
        clash = sorted(changed_paths(tree) & set(rels))
        if clash:
            raise ReviewError(
                f"{', '.join(clash)} has uncommitted changes in {tree}; commit or stash them, "
                f"then approve again (nothing was changed)"
            )
        # Decide everything before writing anything: main's work tree is the user's.
        problems = _problems(tree, kb, rels)
        if problems and not skip:
            raise CheckFailed(
                f"{', '.join(sorted(wanted))} on {base} cannot be approved; nothing was changed:\n"
                + "\n".join(f"{rel}: {reason}" for rel, reason in problems.items())
            )
        skipped = [_skipped(tree, rel, None, reviewer, reason) for rel, reason in problems.items()]
        found = [(rel, article) for rel, article in found if rel not in problems]
        if not found:
            return skipped
        for rel, article in found:
            publish_meta(article, reviewer, rel)
            write_article(tree / rel, article)
        message = commit_message(_subject([a for _, a in found]), [("Reviewed-by", reviewer)])
        rels = [rel for rel, _ in found]
        run_git(
            ["commit", "--quiet", "--no-verify", "-F", "-", "--only", "--", *rels],
            tree,
            input=message,
        )
        commit = rev_parse(tree, "HEAD")
    return [Approval(a.id, a.title, rel, None, commit, reviewer) for rel, a in found] + skipped


def push_branch(kb: KnowledgeBase, remote: str, branch: str) -> None:
    proc = run_git(["push", "--quiet", remote, f"{branch}:{branch}"], kb.root, check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ReviewError(
            f"the approval is committed on your local {branch}, but pushing it to {remote} failed "
            f"({reason}). Nothing is lost: fetch, rebase and push {branch}, or approve again"
        )


def push_base(kb: KnowledgeBase, remote: str) -> None:
    base = kb.config.kb.base_branch
    proc = run_git(["push", "--quiet", remote, f"{base}:{base}"], kb.root, check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ReviewError(
            f"the approval is committed on your local {base}, but pushing it to {remote} failed "
            f"({reason}). Nothing is lost: run 'git pull {remote} {base}' and then 'git push {remote} {base}'"
        )
