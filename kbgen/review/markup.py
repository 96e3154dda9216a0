"""What an article's Markdown turns into: raw HTML from the source, links and heading anchors.

Python-Markdown passes raw HTML straight through (it does not sanitise), and
it also turns our own syntax into HTML, so "does the output contain tags?" is
the wrong question. Instead the two processors that pass source HTML through,
the block-level ``html_block`` preprocessor and the inline ``html`` pattern, are
replaced by subclasses that record what they let through. Entities such as
``&lt;`` go through a separate pattern and are fine; HTML comments are raw HTML
(they are published in the page source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import markdown  # type: ignore[import-untyped]
from markdown.extensions.attr_list import (  # type: ignore[import-untyped]
    AttrListTreeprocessor,
    get_attrs_and_remainder,
)
from markdown.extensions.toc import slugify as default_slugify  # type: ignore[import-untyped]
from markdown.inlinepatterns import HTML_RE, HtmlInlineProcessor  # type: ignore[import-untyped]
from markdown.preprocessors import HtmlBlockPreprocessor  # type: ignore[import-untyped]
from pymdownx.slugs import slugify as _pymdownx_slugify  # type: ignore[import-untyped]

# The slugifier the site uses for Chinese headings: an anchor either may give counts.
_unicode_slugify: Any = _pymdownx_slugify(case="lower")
# What the gate renders with when a KB has no Markdown settings of its own (tests, exports).
DEFAULT_EXTENSIONS = ["toc", "admonition", "tables", "pymdownx.superfences"]
_ENTITY = re.compile(r"^&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);$")


@dataclass
class Rendered:
    raw_html: list[tuple[int, str]] = field(default_factory=list)  # (body line, snippet)
    # (body line, href or src, True for an image)
    links: list[tuple[int, str, bool]] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    # (body line, "{...}") attribute lists a renderer with attr_list would apply (Material's
    # tags plugin turns attr_list on, so a site without kbgen's build would honour them).
    attr_lists: list[tuple[int, str]] = field(default_factory=list)


class _RecordingBlockHtml(HtmlBlockPreprocessor):
    def __init__(self, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(md)
        self.found = found

    def run(self, lines: list[str]) -> list[str]:
        before = len(self.md.htmlStash.rawHtmlBlocks)
        result = super().run(lines)
        # Fenced code was stashed earlier (higher priority), so everything new is source HTML.
        self.found.extend(str(b) for b in self.md.htmlStash.rawHtmlBlocks[before:])
        return result


class _RecordingInlineHtml(HtmlInlineProcessor):
    def __init__(self, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(HTML_RE, md)
        self.found = found

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:
        if not _ENTITY.match(m.group(1)):
            self.found.append(m.group(1))
        return super().handleMatch(m, data)


class _RecordingAttrList(AttrListTreeprocessor):
    """Finds attribute lists as attr_list would apply them, and applies none."""

    def __init__(self, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(md)
        self.found = found

    def assign_attrs(self, elem: Any, attrs_string: str, *, strict: bool = False) -> str:
        attrs, remainder = get_attrs_and_remainder(attrs_string)
        if attrs and not (strict and remainder):
            self.found.append("{" + attrs_string + "}")
        return str(remainder)


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.hrefs.append((value, tag == "img"))


def render(
    body: str,
    extensions: list[str] | None = None,
    configs: dict[str, dict[str, Any]] | None = None,
) -> Rendered:
    """Render ``body`` once and report its source HTML, its links and its heading anchors.

    ``extensions`` and ``configs`` are the site's (``kbgen.kb.markdown_config``), so
    the gate sees what the site will publish.
    """
    found: list[str] = []
    md = markdown.Markdown(
        extensions=extensions if extensions is not None else DEFAULT_EXTENSIONS,
        extension_configs=configs or {},
    )
    md.preprocessors.register(_RecordingBlockHtml(md, found), "html_block", 20)
    md.inlinePatterns.register(_RecordingInlineHtml(md, found), "html", 90)
    attr_lists: list[str] = []
    md.treeprocessors.register(_RecordingAttrList(md, attr_lists), "attr_list", 8)
    html = md.convert(body)
    lines = body.split("\n")
    result = Rendered()
    for snippet in found:
        if snippet.strip():
            result.raw_html.append((_line_of(lines, snippet), snippet.strip()))
    for snippet in attr_lists:
        inner = snippet.strip("{}")
        result.attr_lists.append((_line_of(lines, inner[:40] or snippet), snippet))
    collector = _LinkCollector()
    collector.feed(html)
    for href, is_image in collector.hrefs:
        result.links.append((_line_of(lines, href), href, is_image))
    result.anchors = _anchors(getattr(md, "toc_tokens", []))
    # Explicit ids ({#id} from attr_list) and footnote targets are anchors too.
    result.anchors.update(re.findall(r'\bid="([^"]+)"', html))
    return result


def _anchors(tokens: list[dict[str, Any]]) -> set[str]:
    """Every id a heading can have: the one the toc gave it, and the site's unicode slug."""
    found: set[str] = set()
    for token in tokens:
        found.add(token["id"])
        name = token.get("name", "")
        found.add(default_slugify(name, "-"))
        found.add(_unicode_slugify(name, "-"))
        found |= _anchors(token.get("children", []))
    return found


def _line_of(lines: list[str], snippet: str) -> int:
    """1-based body line where ``snippet`` (or its first line) starts; 1 when not found."""
    first = snippet.strip().split("\n", 1)[0][:80]
    for number, line in enumerate(lines, start=1):
        if first and first in line:
            return number
    return 1


def headings(body: str) -> list[tuple[int, int, str]]:
    """(line, level, text) of every ATX heading outside fenced code."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=1):
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if marker:
            if fence is None:
                fence = marker.group(1)
            elif stripped.startswith(fence) and not stripped[len(fence) :].strip():
                fence = None
            continue
        if fence is not None or line.startswith("    "):
            continue
        match = re.match(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if match:
            found.append((number, len(match.group(1)), match.group(2).strip()))
    return found
