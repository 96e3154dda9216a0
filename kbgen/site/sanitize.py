"""Safe HTML: every page's rendered HTML goes through nh3 with an allowlist Material can live with.

MkDocs and Python-Markdown publish raw HTML from content, and MkDocs' Jinja
environment has no autoescape. So (1) the rendered body is cleaned with nh3,
(2) front-matter values the theme prints are HTML-escaped before the theme
sees them, and (3) only kbgen's own markup (panel, notices, generated pages)
is added after cleaning, with every value escaped.

The allowlist keeps what Material needs: heading ids and ``a.headerlink``
(table of contents, permalinks), admonition and details classes, and
Pygments' ``span`` classes for code highlighting. Two DOM-clobbering guards
on top of nh3: ids starting with ``__`` (Material's own ``__config``,
``__search``...) are dropped, and so are ``md-*`` classes that could dress
content up as the theme's interface.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import nh3

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
    "nav",
    "section",
    "article",
    "header",
}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "details": {"open"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Script-carrying elements lose their content too, not just their tags.
CONTENT_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
}

_SAFE_ID = re.compile(r"^(?!__)(?!md[-_])[^\s\"'<>&`]{1,120}$")
_ALLOWED_THEME_CLASS = re.compile(r"^md-tag")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _SAFE_ID.match(value) else None
    if attribute == "class":
        kept = [
            c for c in value.split() if not c.startswith("md-") or _ALLOWED_THEME_CLASS.match(c)
        ]
        return " ".join(kept) or None
    return value


@cache
def _cleaner() -> Any:
    return nh3.Cleaner(
        tags=TAGS,
        clean_content_tags=CONTENT_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def clean_html(fragment: str) -> str:
    """The fragment with everything outside the allowlist removed (scripts with their content)."""
    return str(_cleaner().clean(fragment))


def escape(value: object) -> str:
    """HTML-escape a value for text or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


_UNSAFE_TAG_CHARS = re.compile(r"[<>\"'&`]")


def safe_tag(tag: object) -> str:
    """A tag name fit for URLs and the tags plugin's templates: markup characters removed."""
    return _UNSAFE_TAG_CHARS.sub("", str(tag)).strip()
