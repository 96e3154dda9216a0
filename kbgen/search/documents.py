"""What the search index knows about one article: a flat, text-only record."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from kbgen.kb import ARTICLES_FOLDER, MAX_FRONT_MATTER_BYTES, load_article
from kbgen.models import Article
from kbgen.search.tokens import index_terms, segment, words
from kbgen.text import unescape_markdown

BODY_LIMIT = 20000  # characters of body text indexed: a pasted log should not dominate
INTERNAL_DIR = "internal"  # pages under internal/ (dashboards, KPIs) are never in public search
FIELDS = ("title", "summary", "tags", "body")


def src_uri(path: str) -> str:
    """An article's path in the site's docs_dir: content/articles/a/b.md -> a/b.md."""
    return path.removeprefix(ARTICLES_FOLDER + "/")


_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})")
# Block markers at a line's start: headings, quotes, list items.
_BLOCK = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-+*]\s+|\d+[.)]\s+)+")
# Inline markup: a link's target, code ticks, emphasis stars, brackets, table pipes, and
# underscores that open or close emphasis (an underscore inside a word is part of it).
_INLINE = re.compile(r"\]\([^)]*\)|(?<!\\)[`*\[\]|]+|(?<![\\\w])_+|(?<!\\)_+(?!\w)")


def markdown_to_text(markdown: str) -> str:
    """What a reader sees of an article body, as plain text (code blocks kept as written)."""
    out: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append(line)
            continue
        line = _INLINE.sub(" ", _BLOCK.sub("", line))
        out.append(re.sub(r"[ \t]+", " ", unescape_markdown(line)))
    return "\n".join(out)


@dataclass(frozen=True)
class SearchDocument:
    id: str
    title: str
    summary: str
    tags: list[str]
    category: str
    status: str
    language: str
    path: str  # KB-relative, forward slashes
    body: str  # plain text
    digest: str  # sha256 of the file bytes: unchanged files are not re-indexed

    @property
    def public(self) -> bool:
        """Shown by public search: published (or needs_update) and not an internal page."""
        published = self.status in ("published", "needs_update")
        return published and not src_uri(self.path).startswith(INTERNAL_DIR + "/")

    @cached_property
    def terms(self) -> dict[str, list[str]]:
        """Each field's index terms (:func:`kbgen.search.tokens.index_terms`), cut once."""
        return {
            "title": index_terms(self.title),
            "summary": index_terms(self.summary),
            "tags": index_terms(" ".join(self.tags)),
            "body": index_terms(self.body, limit=BODY_LIMIT),
        }

    @cached_property
    def segmented(self) -> dict[str, str]:
        """Each text field lower-cased with Han runs cut, for the similarity words."""
        return {
            "title": segment(self.title),
            "summary": segment(self.summary),
            "tags": segment(" ".join(self.tags)),
            "body": segment(self.body, limit=BODY_LIMIT),
        }

    def term_counts(self) -> Counter[str]:
        """Content words for similarity; the title counts twice (a ticket's densest description)."""
        seg = self.segmented
        counts = Counter(words(seg["title"]))
        counts.update(
            words(" ".join([seg["title"], seg["summary"], seg["tags"], seg["body"][:8000]]))
        )
        return counts


def document_from_article(article: Article, relpath: str, digest: str) -> SearchDocument:
    return SearchDocument(
        id=article.id,
        title=article.title,
        summary=str(article.meta.get("summary") or ""),
        tags=article.tags,
        category=article.category,
        status=article.status,
        language=article.language,
        path=relpath,
        body=markdown_to_text(article.body),
        digest=digest,
    )


_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_BaseLoader):
    """libyaml's safe loader with the same resolvers as kbgen.articles (dates stay strings)."""


_FastLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.DOTALL)


def fast_load_article(path: Path, data: bytes | None = None) -> Article:
    """:func:`kbgen.kb.load_article`, about ten times faster on well-formed files.

    The site and the index read every article on every build, and the pure-Python
    YAML parser dominated the build time. Any file this fast path has the least
    doubt about (not UTF-8, BOM, odd fences, ``&``/``*`` that could be anchors,
    invalid YAML, a non-mapping, a second front-matter) goes through the strict
    parser instead, so what is accepted, and every error message, stay its own.
    """
    if data is None:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return load_article(path)
    match = _FRONT_MATTER.match(text)
    if not match or text.startswith(("----", "\ufeff")):
        return load_article(path)
    raw = match.group(1) or ""
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER_BYTES or "&" in raw or "*" in raw:
        return load_article(path)
    try:
        meta = yaml.load(raw, Loader=_FastLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return load_article(path)
    body = text[match.end() :]
    if not isinstance(meta, dict) or body.lstrip("\n").startswith("---"):
        return load_article(path)
    return Article(meta=meta, body=body.lstrip("\n"), path=path)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_document(path: Path, relpath: str, data: bytes | None = None) -> SearchDocument:
    """Load one article file; raises :class:`kbgen.exceptions.ArticleError` when it is broken."""
    if data is None:
        data = path.read_bytes()
    return document_from_article(fast_load_article(path, data), relpath, file_digest(data))
