"""What the KB already has: articles on the work tree and on pending ``kb/*`` branches.

Re-capture must never draft a ticket twice, so every ticket id listed in an
article's ``tickets`` (on main or on a review branch not merged yet) maps to
that article. Branch files are read with git, never checked out, so the
user's work tree is untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.exceptions import ArticleError, GitError
from kbgen.kb.articles import iter_article_paths, load_article
from kbgen.kb.branches import (
    base_articles,
    branch_article_id,
    iter_branch_articles,
    list_kb_branches,
)
from kbgen.kb.git import git_out, ref_exists, show_file
from kbgen.kb.notes import ReviewNotes, parse_notes
from kbgen.kb.paths import notes_relpath
from kbgen.kb.repository import KnowledgeBase
from kbgen.models import Article


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class KnownArticle:
    article: Article
    relpath: str  # KB-relative, e.g. content/articles/kb-0001-x.md
    data: bytes  # the file's bytes as found
    notes: ReviewNotes | None
    branch: str | None = None  # None: in the work tree; else the kb/* ref it lives on

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def edited(self) -> bool:
        """A person changed the file since kbgen last wrote it (or kbgen never wrote it)."""
        return self.notes is None or self.notes.generated_sha256 != sha256(self.data)


@dataclass
class KnownArticles:
    by_ticket: dict[str, KnownArticle] = field(default_factory=dict)
    by_id: dict[str, KnownArticle] = field(default_factory=dict)
    used_ids: set[str] = field(default_factory=set)  # ids in files, notes and branch names
    file_names: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def add(self, known: KnownArticle) -> None:
        if not known.id:
            return
        if known.id in self.by_id and self.by_id[known.id].branch is None:
            return  # the work tree wins over a branch copy of the same article
        self.by_id[known.id] = known
        self.used_ids.add(known.id)
        self.file_names.add(known.relpath.rsplit("/", 1)[-1])
        for ticket in known.article.tickets:
            current = self.by_ticket.get(ticket)
            if current is None or current.branch is not None:
                self.by_ticket[ticket] = known


def load_known(kb: KnowledgeBase) -> KnownArticles:
    """Articles in the work tree, then those on unmerged ``kb/*`` branches (read with git)."""
    known = KnownArticles()
    for path in iter_article_paths(kb.articles_dir):
        try:
            article = load_article(path)
        except ArticleError as exc:
            known.warnings.append(f"{exc.message}; its tickets were not checked for re-capture")
            continue
        notes = _read_notes(kb.notes_dir / f"{article.id}.yml")
        known.add(KnownArticle(article, kb.relpath(path), path.read_bytes(), notes))
    if kb.notes_dir.is_dir():
        known.used_ids.update(p.name.split(".", 1)[0] for p in kb.notes_dir.glob("*.yml"))
    if not kb.is_git_repo:
        return known
    try:
        base = kb.config.kb.base_branch
        head = git_out(["rev-parse", "--abbrev-ref", "HEAD"], kb.root)
        if head != base and ref_exists(kb.root, base):
            # Another branch is checked out: main's articles count too (tickets and ids).
            for rel, article in base_articles(kb).values():
                data = show_file(kb.root, base, rel) or b""
                notes_data = show_file(kb.root, base, notes_relpath(article.id))
                notes = parse_notes(notes_data) if notes_data else None
                known.add(KnownArticle(article, rel, data, notes, branch=base))
        for ref in list_kb_branches(kb):
            article_id = branch_article_id(ref)
            if article_id:
                known.used_ids.add(article_id)
        for ref, article in iter_branch_articles(kb):
            relpath = str(article.path)
            data = show_file(kb.root, ref, relpath) or b""
            notes_data = show_file(kb.root, ref, notes_relpath(article.id))
            notes = parse_notes(notes_data) if notes_data else None
            known.add(KnownArticle(article, relpath, data, notes, branch=ref))
    except GitError as exc:
        known.warnings.append(f"pending review branches were not checked: {exc.message}")
    return known


def _read_notes(path: Path) -> ReviewNotes | None:
    try:
        return parse_notes(path.read_bytes())
    except FileNotFoundError:
        return None
