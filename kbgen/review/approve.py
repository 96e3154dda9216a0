"""Approval: the gate against the base, then publish, commit and merge exactly what was checked.

One story for every target, told in :func:`_publish`: judge the articles with
the gate (the base's rules, the whole change), publish them (status, the real
reviewer, the date and the digest of what readers will see; see
``kbgen.kb.approval``), and commit with ``Reviewed-by:`` and one ``Checked:``
trailer per path the gate judged. A branch is then merged ``--no-ff`` into the
base, by the commit that was checked (not by its name, which could move);
drafts already on main get one commit on main. A branch that changes anything
but articles is refused unless a maintainer passes ``allow_config``. The
user's uncommitted work is never overwritten.
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
    approval_state,
    base_articles,
    branch_article_paths,
    changed_paths,
    commit_message,
    ensure_no_index_lock,
    is_merged,
    iter_article_paths,
    iter_branch_articles,
    load_article,
    record_approval,
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
from kbgen.review.check import CheckReport, check_paths
from kbgen.review.gate import check_change
from kbgen.review.policy import base_policy

PENDING_STATUSES = ("draft", "needs_update")


@dataclass
class Approval:
    article_id: str
    title: str
    path: str
    branch: str | None  # None: the draft was already on main
    commit: str  # the merge commit, or the approval commit on main
    reviewer: str
    skipped: str = ""  # with --all: why this draft was left pending (nothing was changed for it)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def summary(self, base_branch: str = "main") -> str:
        """One line for people: what happened to this draft."""
        if self.skipped:
            return f"Skipped {self.article_id} ({self.path}): {self.skipped}"
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
    allow_config: bool = False,
) -> list[Approval]:
    """Publish the drafts on ``branch``, the drafts with ``ids``, or every pending draft (``all_``).

    ``push``: push the base branch to ``review.remote`` afterwards (default: when
    that remote exists). ``allow_config``: a maintainer also approves the
    branch's configuration changes (see ``kbgen check --base REF --allow-config``).
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
        for name in branches:
            approvals += _approve_branch(kb, name, reviewer, skip=all_, allow_config=allow_config)
        if on_main:
            approvals += _approve_on_main(kb, on_main, reviewer, skip=all_)
        remote = kb.config.review.remote
        pushing = push if push is not None else remote in remotes(kb.root)
        if pushing and any(not a.skipped for a in approvals):
            push_base(kb, remote)
    return approvals


def needs_approval(article: Article) -> bool:
    """A draft, an article flagged for update, or a published one changed since its approval."""
    return article.status in PENDING_STATUSES or (
        article.status == "published" and approval_state(article) == "changed"
    )


def _targets(
    kb: KnowledgeBase, branch: str | None, ids: list[str], all_: bool
) -> tuple[list[str], list[str]]:
    """(branches to merge, ids of articles on main that wait for approval)."""
    if branch is not None:
        return [local_branch(kb, branch)], []
    pending = {a.id: b for b, a in iter_branch_articles(kb)}
    waiting = {a.id for _, a in base_articles(kb).values() if needs_approval(a)}
    if all_:
        every = sorted({local_branch(kb, b) for b in pending.values()})
        return every, sorted(waiting - set(pending))
    branches: list[str] = []
    on_main: list[str] = []
    for article_id in ids:
        if article_id in pending:
            name = local_branch(kb, pending[article_id])
            if name not in branches:
                branches.append(name)
        elif article_id in waiting:
            on_main.append(article_id)
        else:
            raise ReviewError(
                f"{article_id}: no pending draft with this id (not on an unmerged kb/ branch, "
                f"and nothing waiting for approval on {kb.config.kb.base_branch}); "
                "see: kbgen review list"
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


# --- the one story: check, publish, commit ---------------------------------------


@dataclass
class _Published:
    approvals: list[Approval]  # published (commit filled in by the caller) and skipped
    commit: str  # the approval commit, "" when nothing was published


def _publish(
    tree: Path,
    kb: KnowledgeBase,
    report: CheckReport,
    rels: list[str],
    reviewer: str,
    *,
    branch: str | None,
    skip: bool,
    what: str,
) -> _Published:
    """Judge ``rels`` by ``report`` and the resolution marker, publish them, commit in ``tree``.

    Nothing is written when any article fails and ``skip`` is false. With
    ``skip`` the failing articles are left pending and reported; on a branch the
    whole branch waits (it is merged as one).
    """
    problems = _problems(tree, report, rels)
    if problems and not skip:
        raise CheckFailed(
            f"{what} cannot be approved; nothing was changed:\n"
            + "\n".join(f"{rel}: {reason}" for rel, reason in problems.items())
        )
    skipped = [_skipped(tree, rel, branch, reviewer, reason) for rel, reason in problems.items()]
    if skipped and branch is not None:
        return _Published(skipped, "")
    published: list[tuple[str, Article]] = []
    for rel in rels:
        if rel in problems:
            continue
        article = load_article(tree / rel)
        if article.status in PENDING_STATUSES or (
            article.status == "published" and approval_state(article) != "approved"
        ):
            # A draft, or an edit of a published article: this reviewer approves it now.
            # (Linked tickets alone change nothing a reader sees: the approval stands.)
            record_approval(article, reviewer, today())
            write_article(tree / rel, article)
        published.append((rel, article))
    if not published:
        return _Published(skipped, "")
    done = [rel for rel, _ in published]
    run_git(["add", "--", *done], tree)
    if run_git(["diff", "--cached", "--quiet", "--", *done], tree, check=False).returncode != 0:
        trailers = [("Reviewed-by", reviewer), *(("Checked", path) for path in report.checked)]
        message = commit_message(_subject([a for _, a in published]), trailers)
        run_git(
            ["commit", "--quiet", "--no-verify", "-F", "-", "--only", "--", *done],
            tree,
            input=message,
        )
    commit = rev_parse(tree, "HEAD")
    approvals = [Approval(a.id, a.title, rel, branch, commit, reviewer) for rel, a in published]
    return _Published(approvals + skipped, commit)


def _problems(tree: Path, report: CheckReport, rels: list[str]) -> dict[str, str]:
    """rel -> why it cannot be published: gate errors (one line each) or the resolution marker."""
    found: dict[str, list[str]] = {}
    for finding in report.errors:
        if finding.path in rels:
            found.setdefault(finding.path, []).append(
                f"line {finding.line}: [{finding.code}] {finding.message}"
            )
    for rel in rels:
        if rel not in found:
            try:
                reason = unpublishable(load_article(tree / rel))
            except ArticleError as exc:
                reason = exc.message
            if reason:
                found[rel] = [reason]
    return {rel: "; ".join(lines) for rel, lines in found.items()}


def _subject(articles: list[Article]) -> str:
    if len(articles) == 1:
        return f"Publish {articles[0].id}: {articles[0].title}"
    if len(articles) <= 5:
        return f"Publish {', '.join(a.id for a in articles)}"
    # A subject line stays short; the trailers list every file.
    shown = ", ".join(a.id for a in articles[:3])
    return f"Publish {len(articles)} articles: {shown} and {len(articles) - 3} more"


def _skipped(tree: Path, rel: str, branch: str | None, reviewer: str, reason: str) -> Approval:
    try:
        article = load_article(tree / rel)
        article_id, title = article.id, article.title
    except ArticleError:
        article_id, title = "?", rel
    return Approval(article_id, title, rel, branch, "", reviewer, skipped=reason)


# --- targets ---------------------------------------------------------------------


def _approve_branch(
    kb: KnowledgeBase, branch: str, reviewer: str, *, skip: bool, allow_config: bool
) -> list[Approval]:
    """Gate ``branch`` against the base, publish its articles there, merge that commit."""
    base = kb.config.kb.base_branch
    if is_merged(kb, branch):
        raise ReviewError(f"{branch} is already merged into {base}; nothing to approve")
    if worktree_for_branch(kb.root, branch) is not None:
        raise ReviewError(
            f"{branch} is checked out in {worktree_for_branch(kb.root, branch)}; "
            f"switch that work tree to another branch, then approve again"
        )
    rels = branch_article_paths(kb, branch)
    touched = _files_changed(kb, branch)
    with base_tree(kb, touched):
        pass  # refuse before changing anything when the user's main has edits in the way
    with temporary_worktree(kb.root, "approve-" + branch.replace("/", "-"), branch) as tree:
        report = check_change(
            KnowledgeBase(root=tree, config=kb.config), base, allow_config=allow_config
        )
        if report.config_changes and not allow_config:
            reason = (
                f"it changes configuration ({'; '.join(report.config_changes)}); a maintainer "
                f"reviews that with 'kbgen check --base {base} --allow-config' and approves it "
                "with --allow-config"
            )
            if skip:
                return [Approval("?", branch, branch, branch, "", reviewer, skipped=reason)]
            raise CheckFailed(f"{branch} cannot be approved; nothing was changed: {reason}")
        if not rels and not report.config_changes:
            raise ReviewError(
                f"{branch} changes no article under content/articles; nothing to approve"
            )
        outcome = _publish(tree, kb, report, rels, reviewer, branch=branch, skip=skip, what=branch)
        if not outcome.commit and rels:
            return outcome.approvals  # skipped: the branch waits as it is
        checked = rev_parse(tree, "HEAD")
        subject = (
            _subject([load_article(tree / a.path) for a in outcome.approvals])
            if rels
            else ("Configuration change")
        )
    merged = _merge(kb, branch, checked, subject, reviewer, report, touched)
    return [
        Approval(a.article_id, a.title, a.path, a.branch, merged, a.reviewer, a.skipped)
        if not a.skipped
        else a
        for a in outcome.approvals
    ] or [Approval("-", f"configuration of {branch}", branch, branch, merged, reviewer)]


def _merge(
    kb: KnowledgeBase,
    branch: str,
    commit: str,
    subject: str,
    reviewer: str,
    report: CheckReport,
    touched: list[str],
) -> str:
    """Merge exactly ``commit`` (what the gate judged and approval wrote) into the base."""
    base = kb.config.kb.base_branch
    subject = f"Merge {branch}: {subject}"
    trailers = "\n".join(
        [f"Reviewed-by: {reviewer}", *(f"Checked: {path}" for path in report.checked)]
    )
    with base_tree(kb, touched) as main_tree:
        proc = run_git(
            ["merge", "--no-ff", "--no-verify", "-m", subject, "-m", trailers, commit],
            main_tree,
            check=False,
        )
        if proc.returncode != 0:
            run_git(["merge", "--abort"], main_tree, check=False)
            raise ReviewError(
                f"merging {branch} into {base} conflicts "
                f"({(proc.stdout + proc.stderr).strip().splitlines()[-1]}); "
                f"{base} is unchanged. Rebase the branch (git rebase {base} {branch}), then approve again"
            )
        return rev_parse(main_tree, "HEAD")


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
    """Articles already on main that wait for approval: one approval commit on main."""
    base = kb.config.kb.base_branch
    wanted = set(ids)
    with base_tree(kb, []) as tree:
        rels: list[str] = []
        for path in iter_article_paths(tree / "content" / "articles"):
            try:
                article = load_article(path)
            except ArticleError:
                continue  # kbgen check reports it; it is not one of the drafts asked for
            if article.id in wanted and needs_approval(article):
                rels.append(Path(path).relative_to(tree).as_posix())
        clash = sorted(changed_paths(tree) & set(rels))
        if clash:
            raise ReviewError(
                f"{', '.join(clash)} has uncommitted changes in {tree}; commit or stash them, "
                f"then approve again (nothing was changed)"
            )
        # Decide everything before writing anything: main's work tree is the user's.
        report = check_paths(
            KnowledgeBase(root=tree, config=kb.config),
            [tree / r for r in rels],
            policy=base_policy(kb, base),
        )
        outcome = _publish(
            tree,
            kb,
            report,
            rels,
            reviewer,
            branch=None,
            skip=skip,
            what=f"{', '.join(sorted(wanted))} on {base}",
        )
    return outcome.approvals


def push_base(kb: KnowledgeBase, remote: str) -> None:
    base = kb.config.kb.base_branch
    proc = run_git(["push", "--quiet", remote, f"{base}:{base}"], kb.root, check=False)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ReviewError(
            f"the approval is committed on your local {base}, but pushing it to {remote} failed "
            f"({reason}). Nothing is lost: run 'git pull {remote} {base}' and then 'git push {remote} {base}'"
        )
