"""The site's view of the articles: which are published, where they live, what the panel shows."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from slugify import slugify

from kbgen.models import Article

# Generated pages live under this folder (plus the home page, index.md).
GENERATED_DIR = "browse"
HOME_URI = "index.md"
BROWSE_URI = f"{GENERATED_DIR}/index.md"
POPULAR_URI = f"{GENERATED_DIR}/popular.md"
RECENT_URI = f"{GENERATED_DIR}/recent.md"
TAGS_URI = f"{GENERATED_DIR}/tags.md"
INTERNAL_DIR = "internal"

UNCATEGORISED = "General"


@dataclass
class SiteArticle:
    """One article file as the site sees it."""

    src_uri: str  # relative to docs_dir, e.g. "printer-offline.md"
    article: Article
    url: str = ""  # site-relative, e.g. "printer-offline/" (filled once MkDocs knows it)
    kb_path: str = ""  # KB-relative, for the search index
    related: list[SiteArticle] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def title(self) -> str:
        return self.article.title or self.article.id

    @property
    def summary(self) -> str:
        return str(self.article.meta.get("summary") or "")

    @property
    def status(self) -> str:
        return self.article.status

    @property
    def language(self) -> str:
        return self.article.language

    @property
    def category(self) -> str:
        return self.article.category or UNCATEGORISED

    @property
    def updated(self) -> str:
        return str(self.article.meta.get("updated") or self.article.meta.get("created") or "")

    @property
    def applies_to(self) -> dict[str, str]:
        raw = self.article.meta.get("applies_to")
        if not isinstance(raw, dict):
            return {}
        return {k: str(raw[k]) for k in ("product", "component", "version") if raw.get(k)}

    def page_record(self) -> dict[str, Any]:
        """One entry of kbgen-pages.json (the stats collector validates beacons against it)."""
        return {
            "page": "/" + self.url,
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "tags": self.article.tags,
            "status": self.status,
        }


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The page URL MkDocs gives a docs_dir file: ``a/b.md`` -> ``a/b/``, ``index.md`` -> ``""``."""
    stem = src_uri[: -len(".md")] if src_uri.endswith(".md") else src_uri
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def page_file(src_uri: str, use_directory_urls: bool = True) -> str:
    """The file MkDocs writes for a docs_dir page, relative to the site directory."""
    url = page_url(src_uri, use_directory_urls)
    return url + "index.html" if url == "" or url.endswith("/") else url


def site_nav(internal: bool) -> list[dict[str, str]]:
    """The short navigation of generated pages (articles stay out: with them in it every
    page renders the whole nav, which is quadratic in the number of articles)."""
    nav = [
        {"Home": HOME_URI},
        {"Browse": BROWSE_URI},
        {"Popular": POPULAR_URI},
        {"Recently updated": RECENT_URI},
        {"Tags": TAGS_URI},
    ]
    if internal:
        nav.append({"Internal": f"{INTERNAL_DIR}/index.md"})
    return nav


def category_slug(name: str) -> str:
    return slugify(name, allow_unicode=True) or "category"


def category_uri(name: str) -> str:
    return f"{GENERATED_DIR}/{category_slug(name)}.md"


def link(from_uri: str, to_uri: str) -> str:
    """A relative Markdown link target from one docs_dir file to another (MkDocs checks it)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def by_category(articles: list[SiteArticle]) -> dict[str, list[SiteArticle]]:
    groups: dict[str, list[SiteArticle]] = {}
    for item in sorted(articles, key=lambda a: (a.title.casefold(), a.id)):
        groups.setdefault(item.category, []).append(item)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].casefold()))


def recently_updated(articles: list[SiteArticle], limit: int) -> list[SiteArticle]:
    return sorted(articles, key=lambda a: (a.updated, a.id), reverse=True)[:limit]
