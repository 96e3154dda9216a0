"""What the search index knows about one article: a flat, text-only record."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from kbgen.kb import MAX_FRONT_MATTER_BYTES, load_article
from kbgen.models import Article
from kbgen.search.tokens import segment, words

BODY_LIMIT = 20000  # characters of body text indexed: a pasted log should not dominate

# Markdown syntax that carries no words: fences, emphasis, link brackets, table pipes, escapes.
_MARKUP = re.compile(r"```+\w*|~~~+|[#*_`>\[\]|\\]+|\]\([^)]*\)|^\s*[-+]\s+|^\s*\d+[.)]\s+", re.M)
_ENTITY = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"}


def markdown_to_text(markdown: str) -> str:
    """Good-enough plain text for indexing (the site indexes rendered HTML separately)."""
    text = _MARKUP.sub(" ", markdown)
    for entity, char in _ENTITY.items():
        text = text.replace(entity, char)
    return re.sub(r"[ \t]+", " ", text)


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

    @cached_property
    def segmented(self) -> dict[str, str]:
        """Each text field cut once by jieba; whoosh and the similarity index both use it."""
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
