"""The approval record an article carries: who approved it, when, and exactly what.

``kbgen review approve`` is the only writer of :data:`APPROVAL_FIELDS`. Besides
the reviewer and the date it records ``approved_sha256``: a digest of
everything a reader sees (title, summary, body, type, language, category, tags,
applies_to, confidence). Lifecycle metadata (status, tickets, dates) is left
out, so linking a ticket or flagging an article does not undo its approval,
while any change a reader would notice does. The site publishes an article
only as it was approved (see ``kbgen.site.stage``); the gate refuses a branch
that writes these fields itself.
"""

from __future__ import annotations

import hashlib
import json

from kbgen.exceptions import ArticleError
from kbgen.kb.articles import parse_article
from kbgen.kb.git import run_git, show_file
from kbgen.kb.repository import KnowledgeBase
from kbgen.models import Article

# How far back to look for the approved version of an edited article.
HISTORY_LIMIT = 200

# Written by approval only; a branch that sets or changes them fails `kbgen check`.
APPROVAL_FIELDS = ("reviewed_by", "published_at", "approved_sha256")
# What a reader sees of an article, besides its body.
READER_FIELDS = (
    "title",
    "summary",
    "type",
    "language",
    "category",
    "tags",
    "applies_to",
    "confidence",
)


def content_digest(article: Article) -> str:
    """SHA-256 of what a reader sees: the reader fields (canonical JSON) and the body."""
    meta = {key: article.meta.get(key) for key in READER_FIELDS}
    body = article.body.replace("\r\n", "\n").strip("\n")
    blob = json.dumps(meta, ensure_ascii=False, sort_keys=True, default=str) + "\n\n" + body
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def approval_state(article: Article) -> str:
    """``approved`` (as recorded), ``changed`` (edited since approval) or ``unrecorded``.

    ``unrecorded``: an article published before kbgen recorded digests, or never
    approved; the site publishes the former as it stands (see docs/review.md).
    """
    recorded = str(article.meta.get("approved_sha256") or "")
    if not recorded:
        return "unrecorded"
    return "approved" if recorded == content_digest(article) else "changed"


def record_approval(article: Article, reviewer: str, day: str) -> None:
    """Mark ``article`` published and approved by ``reviewer`` on ``day``, digest included."""
    meta = article.meta
    if meta.get("confidence") == "wip":
        meta["confidence"] = "not_validated"
    meta["status"] = "published"
    meta["reviewed_by"] = reviewer
    meta.setdefault("published_at", day)
    meta["updated"] = day
    meta["approved_sha256"] = content_digest(article)


def last_approved_version(kb: KnowledgeBase, rel: str) -> Article | None:
    """The newest committed version of ``rel`` that matches its own approval record.

    An article edited after its approval (merged without ``kbgen review
    approve``) is published as it was approved until someone approves the edit;
    None when no approved version is in the last :data:`HISTORY_LIMIT` commits
    of the file (the site then withholds it) or the KB is not a git repository.
    """
    if not kb.is_git_repo:
        return None
    proc = run_git(
        ["log", f"--max-count={HISTORY_LIMIT}", "--format=%H", "--", rel], kb.root, check=False
    )
    for commit in proc.stdout.split():
        data = show_file(kb.root, commit, rel)
        if data is None:
            continue
        try:
            article = parse_article(data.decode("utf-8"), rel)
        except (ArticleError, UnicodeDecodeError):
            continue
        if article.is_published and approval_state(article) == "approved":
            return article
    return None
