"""Generated pages and per-article HTML: home, browse, category indexes, popular, recent, tags,
tombstones, the metadata panel and notices.

All of it is kbgen's own markup; every value from an article is escaped with
:func:`kbgen.site.sanitize.escape`. Hrefs are computed from MkDocs' own page
URLs (relative, so the site works under any base path), and article pages are
never listed in the navigation: these index pages are how readers reach them,
which keeps build time and size linear in the number of articles.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

import yaml

from kbgen.article_types import type_label
from kbgen.site.catalog import SiteArticle
from kbgen.site.sanitize import escape
from kbgen.text import one_line

BROWSER_SUMMARY_CHARS = 60


def href(from_url: str, to_url: str) -> str:
    """Relative link between two page URLs as MkDocs writes them ("" is the home page)."""
    base = "/" + (
        from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url)
    )
    rel = posixpath.relpath("/" + to_url, base)
    if rel == ".":
        return "./"
    return rel + "/" if to_url == "" or to_url.endswith("/") else rel


def page_source(
    title: str, body: str, *, hide: tuple[str, ...] = ("toc",), search: bool = False
) -> str:
    """Markdown source of a generated page: front-matter from data, then raw HTML body."""
    meta: dict[str, Any] = {"title": title, "hide": list(hide)}
    if not search:
        meta["search"] = {"exclude": True}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{body}\n"


def _article_item(from_url: str, item: SiteArticle, extra: str = "") -> str:
    summary = (
        f'<span class="kb-list__summary">{escape(item.summary)}</span>' if item.summary else ""
    )
    meta = f"Updated {escape(item.updated)}" if item.updated else ""
    if extra:
        meta = f"{extra} · {meta}" if meta else extra
    return (
        f'<li class="kb-list__item"><a class="kb-list__title" href="{escape(href(from_url, item.url))}">'
        f"{escape(item.title)}</a>{summary}"
        f'<span class="kb-list__meta">{meta}</span></li>'
    )


def article_list(
    from_url: str, items: list[SiteArticle], extras: Mapping[str, str] | None = None
) -> str:
    if not items:
        return '<p class="kb-empty">No articles yet.</p>'
    rows = "".join(_article_item(from_url, a, (extras or {}).get(a.id, "")) for a in items)
    return f'<ul class="kb-list">{rows}</ul>'


def home_page(
    *,
    site_name: str,
    total: int,
    categories: dict[str, list[SiteArticle]],
    category_urls: dict[str, str],
    popular: list[SiteArticle],
    popular_extras: Mapping[str, str],
    recent: list[SiteArticle],
    urls: dict[str, str],
) -> str:
    cards = "".join(
        f'<a class="kb-card" href="{escape(href("", category_urls[name]))}">'
        f'<span class="kb-card__title">{escape(name)}</span>'
        f'<span class="kb-card__count">{len(items)} article{"s" if len(items) != 1 else ""}</span></a>'
        for name, items in categories.items()
    )
    popular_html = (
        article_list("", popular, popular_extras)
        if popular
        else '<p class="kb-empty">Popular articles appear here once readers start using the site.</p>'
    )
    body = f"""<div class="kb-home">
<div class="kb-hero">
<h1 class="kb-hero__title">How can we help?</h1>
<p class="kb-hero__lead">Search {total} answer{"s" if total != 1 else ""} written by the support team from resolved tickets, in English and 中文.</p>
<p><a class="kb-hero__search" href="#search">Describe your problem, e.g. “printer offline” or “打印机”</a></p>
</div>
<h2 class="kb-section-title">Browse by category</h2>
<div class="kb-cards">{cards or '<p class="kb-empty">No published articles yet.</p>'}</div>
<div class="kb-columns">
<section class="kb-column"><h2 class="kb-section-title"><a href="{escape(href("", urls["popular"]))}">Popular</a></h2>{popular_html}</section>
<section class="kb-column"><h2 class="kb-section-title"><a href="{escape(href("", urls["recent"]))}">Recently updated</a></h2>{article_list("", recent)}</section>
</div>
</div>"""
    return page_source(site_name, body, hide=("navigation", "toc", "feedback"))


def browse_page(
    url: str, categories: dict[str, list[SiteArticle]], category_urls: dict[str, str]
) -> str:
    cards = "".join(
        f'<a class="kb-card" href="{escape(href(url, category_urls[name]))}">'
        f'<span class="kb-card__title">{escape(name)}</span>'
        f'<span class="kb-card__count">{len(items)} article{"s" if len(items) != 1 else ""}</span></a>'
        for name, items in categories.items()
    )
    return page_source("Browse", f'<div class="kb-cards">{cards}</div>', hide=("toc", "feedback"))


def category_page(url: str, name: str, items: list[SiteArticle]) -> str:
    body = f'<p class="kb-lead">{len(items)} article{"s" if len(items) != 1 else ""}</p>{article_list(url, items)}'
    return page_source(name, body, hide=("toc", "feedback"))


def popular_page(
    url: str, items: list[SiteArticle], extras: Mapping[str, str], has_stats: bool
) -> str:
    if has_stats and items:
        body = article_list(url, items, extras)
    else:
        body = '<p class="kb-empty">No usage data yet: this list fills in as readers view and rate articles.</p>'
    return page_source("Popular", body, hide=("toc", "feedback"))


def recent_page(url: str, items: list[SiteArticle]) -> str:
    return page_source("Recently updated", article_list(url, items), hide=("toc", "feedback"))


def tags_page() -> str:
    # Material's tags plugin replaces the marker with the listing (before kbgen sanitises it).
    return page_source("Tags", "<!-- material/tags -->", hide=("feedback",))


def tombstone_page(item: SiteArticle, target: SiteArticle | None) -> str:
    if target is not None:
        body = (
            '<div class="admonition info"><p class="admonition-title">This article was retired</p>'
            f'<p>It has been replaced by <a href="{escape(href(item.url, target.url))}">'
            f"{escape(target.title)}</a>.</p></div>"
        )
    else:
        body = (
            '<div class="admonition info"><p class="admonition-title">This article was retired</p>'
            "<p>It no longer applies. Search the knowledge base for a current answer.</p></div>"
        )
    return page_source(f"{item.title} (retired)", body, hide=("toc", "feedback"))


# --- per-article HTML ---------------------------------------------------------


LABELS = {
    "en": {
        "applies_to": "Applies to",
        "updated": "Updated",
        "reviewed_by": "Reviewed by",
        "related": "Related articles",
        "notice_title": "This article is being updated",
        "notice": "Parts of it may be out of date. If the steps below do not work, contact support.",
    },
    "zh": {
        "applies_to": "适用于",
        "updated": "更新于",
        "reviewed_by": "审核人",
        "related": "相关文章",
        "notice_title": "本文正在更新",
        "notice": "部分内容可能已过时。如果以下步骤无效，请联系技术支持。",
    },
}


def _labels(item: SiteArticle) -> dict[str, str]:
    return LABELS.get(item.language, LABELS["en"])


def panel_html(item: SiteArticle) -> str:
    """The metadata strip above an article: type, applies to, updated, reviewed by, id."""
    labels = _labels(item)
    facts = []
    kind = type_label(item.article.type, item.language)
    if kind:
        facts.append(f'<span class="kb-chip">{escape(kind)}</span>')

    def fact(label: str, value: object) -> str:
        return (
            f'<span class="kb-fact"><span class="kb-fact__label">{escape(label)}</span> '
            f"{escape(value)}</span>"
        )

    if item.applies_to:
        facts.append(fact(labels["applies_to"], " ".join(item.applies_to.values())))
    if item.updated:
        facts.append(fact(labels["updated"], item.updated))
    reviewer = item.article.meta.get("reviewed_by")
    if reviewer:
        facts.append(fact(labels["reviewed_by"], reviewer))
    facts.append(f'<span class="kb-fact kb-fact--id">{escape(item.id)}</span>')
    return f'<div class="kb-panel">{"".join(facts)}</div>'


def needs_update_notice(item: SiteArticle) -> str:
    labels = _labels(item)
    return (
        '<div class="admonition warning kb-notice"><p class="admonition-title">'
        f"{escape(labels['notice_title'])}</p><p>{escape(labels['notice'])}</p></div>"
    )


def draft_notice(item: SiteArticle) -> str:
    """Shown only in an author's local preview (mkdocs serve); drafts never reach a build."""
    return (
        '<div class="admonition danger kb-notice"><p class="admonition-title">Draft</p>'
        f"<p>{escape(item.id)} is not published: it waits for review.</p></div>"
    )


def stats_line(stats: Mapping[str, Any] | None) -> str:
    if not stats:
        return ""
    views = int(stats.get("views") or 0)
    parts = [f"{views} view{'s' if views != 1 else ''}"]
    share = stats.get("helpful_share")
    votes = int(stats.get("votes") or 0)
    if share is not None and votes:
        parts.append(
            f"{round(float(share) * 100)}% found it helpful ({votes} vote{'s' if votes != 1 else ''})"
        )
    return f'<p class="kb-stats">{escape(" · ".join(parts))}</p>'


def related_html(item: SiteArticle) -> str:
    if not item.related:
        return ""
    rows = "".join(
        f'<li><a href="{escape(href(item.url, other.url))}">{escape(other.title)}</a></li>'
        for other in item.related
    )
    title = escape(_labels(item)["related"])
    return (
        f'<nav class="kb-related"><h2 class="kb-related__title">{title}</h2><ul>{rows}</ul></nav>'
    )


def category_link(item: SiteArticle, category_urls: dict[str, str]) -> str:
    url = category_urls.get(item.category)
    if not url:
        return ""
    return f'<p class="kb-breadcrumb"><a href="{escape(href(item.url, url))}">{escape(item.category)}</a></p>'


def search_stub(item: SiteArticle) -> str:
    """The HTML the browser search index is built from: the summary's first words.

    With the title and tags (which Material's search plugin takes from the page
    itself) that is about 330 bytes per article once kbgen.site.worker rewrites
    the index as UTF-8: 3.3 MB at 10,000 articles. The full text stays on the
    page and in the whoosh index; Material ships it all to the browser (21 MB at
    10,000 articles, 6-13 s before the first result).
    """
    return f"<p>{escape(one_line(item.summary, BROWSER_SUMMARY_CHARS))}</p>" if item.summary else ""
