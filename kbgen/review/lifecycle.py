"""The article lifecycle after publication, and the list of what waits for review.

Every state change is one commit on main whose trailers say why and who
(``Reason:``, ``Reviewed-by:``), so ``git log -- content/articles/x.md`` is the
article's history. ``needs_update`` keeps an article online with a notice;
``retired`` takes it off the site, and the site leaves a tombstone (or a
redirect when ``redirect_to`` names the replacement) so old links still work.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kbgen.exceptions import ArticleError, ReviewError
from kbgen.kb import (
    KnowledgeBase,
    branch_article_paths,
    changed_paths,
    commit_message,
    ensure_no_index_lock,
    is_merged,
    iter_article_paths,
    list_kb_branches,
    load_article,
    remotes,
    rev_parse,
    run_git,
    temporary_worktree,
    today,
    write_article,
)
from kbgen.models import Article
from kbgen.review.approve import base_tree, needs_approval, push_base
from kbgen.review.check import Finding, check_paths
from kbgen.review.gate import check_change
from kbgen.review.policy import base_policy
from kbgen.review.transitions import status_problem


@dataclass
class StateChange:
    article_id: str
    path: str
    old_status: str
    new_status: str
    commit: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def flag(
    kb: KnowledgeBase, article_id: str, *, reason: str, by: str, push: bool | None = None
) -> StateChange:
    """Mark a published article ``needs_update``: it stays online with a notice and shows in review list."""
    return _change_status(kb, article_id, "needs_update", reason=reason, by=by, push=push)


def retire(
    kb: KnowledgeBase,
    article_id: str,
    *,
    reason: str,
    by: str,
    redirect_to: str | None = None,
    push: bool | None = None,
) -> StateChange:
    """Retire an article: off the site, replaced by a tombstone or a redirect to ``redirect_to``."""
    return _change_status(
        kb, article_id, "retired", reason=reason, by=by, redirect_to=redirect_to, push=push
    )


def _change_status(
    kb: KnowledgeBase,
    article_id: str,
    new: str,
    *,
    reason: str,
    by: str,
    redirect_to: str | None = None,
    push: bool | None,
) -> StateChange:
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewError("--reason must say why (it is recorded in the commit)")
    if not by.strip() or re.search(r"[\n\r<>]", by):
        raise ReviewError("--reviewer must be a name on one line, without < or >")
    with kb.lock(f"kbgen review {'retire' if new == 'retired' else 'flag'}"):
        ensure_no_index_lock(kb.root, "kbgen review")
        with base_tree(kb, []) as tree:
            articles = _articles_by_id(tree)
            if article_id not in articles:
                raise ReviewError(
                    f"{article_id}: no article with this id on {kb.config.kb.base_branch}"
                )
            rel, article = articles[article_id]
            old = article.status
            problem = status_problem(old, new, article.meta)
            if problem:
                raise ReviewError(f"{article_id} ({rel}): {problem}")
            if redirect_to is not None:
                target = articles.get(redirect_to)
                if target is None or not target[1].is_published or redirect_to == article_id:
                    raise ReviewError(
                        f"--redirect-to {redirect_to}: not a published article on {kb.config.kb.base_branch}"
                    )
            if rel in changed_paths(tree):
                raise ReviewError(
                    f"{rel} has uncommitted changes in {tree}; commit or stash them, then run again"
                )
            article.meta["status"] = new
            article.meta["updated"] = today()
            if redirect_to is not None:
                article.meta["redirect_to"] = redirect_to
            write_article(tree / rel, article)
            verb = "Retire" if new == "retired" else "Flag for update"
            trailers = [("Reason", reason), ("Reviewed-by", by.strip())]
            message = commit_message(f"{verb} {article_id}: {article.title}", trailers)
            run_git(
                ["commit", "--quiet", "--no-verify", "-F", "-", "--only", "--", rel],
                tree,
                input=message,
            )
            commit = rev_parse(tree, "HEAD")
        remote = kb.config.review.remote
        if push if push is not None else remote in remotes(kb.root):
            push_base(kb, remote)
    return StateChange(article_id, rel, old, new, commit)


def _articles_by_id(tree: Path) -> dict[str, tuple[str, Article]]:
    found: dict[str, tuple[str, Article]] = {}
    for path in iter_article_paths(tree / "content" / "articles"):
        try:
            article = load_article(path)
        except ArticleError:
            continue
        found.setdefault(article.id, (path.relative_to(tree).as_posix(), article))
    return found


# --- what waits for review ------------------------------------------------------


@dataclass
class PendingDraft:
    id: str
    title: str
    status: str
    path: str
    branch: str | None  # None: on main
    tickets: list[str]
    age_days: int | None  # since the front-matter's `created` date
    check_ok: bool
    problems: list[str] = field(default_factory=list)
    config_changes: list[str] = field(default_factory=list)  # the branch's, shown prominently

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _age(article: Article) -> int | None:
    try:
        created = dt.date.fromisoformat(str(article.meta.get("created", "")))
    except ValueError:
        return None
    return (dt.date.fromisoformat(today()) - created).days


def list_pending(kb: KnowledgeBase) -> list[PendingDraft]:
    """Unmerged ``kb/`` branches (judged as their pull request would be), then what waits on main.

    On main: drafts, articles flagged ``needs_update``, and published articles
    edited since their approval (the site keeps showing the approved version).
    """
    base = kb.config.kb.base_branch
    pending: list[PendingDraft] = []
    for index, branch in enumerate(b for b in list_kb_branches(kb) if not is_merged(kb, b)):
        rels = branch_article_paths(kb, branch)
        with temporary_worktree(kb.root, f"list-{index}", branch, detach=True) as tree:
            report = check_change(KnowledgeBase(root=tree, config=kb.config), base)
            items = [_pending(tree, rel, branch, report.findings) for rel in rels]
            if report.config_changes:
                for item in items or [_config_only(branch)]:
                    item.config_changes, item.check_ok = report.config_changes, False
                    pending.append(item)
            else:
                pending += items
    with base_tree(kb, []) as tree:
        base_rels = [
            path.relative_to(tree).as_posix()
            for path in iter_article_paths(tree / "content" / "articles")
            if _waits(path)
        ]
        if base_rels:
            report = check_paths(
                KnowledgeBase(root=tree, config=kb.config),
                [tree / r for r in base_rels],
                policy=base_policy(kb, base),
            )
            pending += [_pending(tree, rel, None, report.findings) for rel in base_rels]
    return pending


def _config_only(branch: str) -> PendingDraft:
    return PendingDraft("-", "configuration change", "-", "-", branch, [], None, False)


def _waits(path: Path) -> bool:
    try:
        return needs_approval(load_article(path))
    except ArticleError:
        return True  # an unreadable file on main is the reviewer's business too


def _pending(tree: Path, rel: str, branch: str | None, findings: list[Finding]) -> PendingDraft:
    problems = [
        f"{f.code}: {f.message}" for f in findings if f.path == rel and f.severity == "error"
    ]
    try:
        article = load_article(tree / rel)
    except ArticleError as exc:
        return PendingDraft("?", "", "draft", rel, branch, [], None, False, [str(exc.message)])
    return PendingDraft(
        article.id,
        article.title,
        article.status,
        rel,
        branch,
        article.tickets,
        _age(article),
        not problems,
        problems,
    )
