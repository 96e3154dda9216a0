"""Text formats: every source and every mapping field declares how its text is written.

``plain``
    Untrusted plain text: :func:`kbgen.text.plain_to_markdown` escapes it so it
    renders exactly as written (logs and stack traces are fenced).
``markdown``
    Markdown written by people (GitHub issues, Markdown exports, forum ``raw``):
    rendered with Python-Markdown, then converted back through the HTML whitelist,
    so its structure survives, raw HTML inside it is sanitised, and its own
    escapes (``\\_``, ``&#x20;``) are read once instead of shown.
``html``
    Rendered HTML (Discourse ``cooked``, Stack Exchange ``Body``, Freshdesk
    ``body``): converted by :func:`kbgen.sources.html_markdown.html_to_markdown`.
``jira``
    Jira wiki markup (REST v2) or an ADF document (REST v3).

Whatever the format, the result is kbgen's safe Markdown: no raw HTML, only
http(s) links, text never escaped twice. Text longer than
:data:`~kbgen.sources.values.MAX_TEXT_CHARS` is cut first, with a visible marker
and a ``truncated:<field>`` flag.
"""

from __future__ import annotations

import re
from typing import Any

import markdown as markdown_lib  # type: ignore[import-untyped]

from kbgen.sources.html_markdown import html_to_markdown, html_to_text
from kbgen.sources.jira_markup import adf_plain_text, adf_to_markdown, wiki_to_markdown
from kbgen.sources.values import MAX_TEXT_CHARS, limit_text
from kbgen.text import clean_text, escape_inline, escape_line_start, plain_to_markdown

TEXT_FORMATS = ("plain", "markdown", "html", "jira")
# Python-Markdown extensions for Markdown input: GitHub-style fences and tables.
_MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]


def to_markdown(
    value: Any,
    text_format: str,
    *,
    field: str = "text",
    flags: list[str] | None = None,
    people: list[str] | None = None,
) -> str:
    """Untrusted text in ``text_format`` -> safe Markdown, length-limited and flagged.

    ``people`` collects names found in mentions (for redaction); ``flags`` gets
    ``truncated:<field>`` and converter flags (unknown ADF nodes).
    """
    flags = flags if flags is not None else []
    people = people if people is not None else []
    if text_format not in TEXT_FORMATS:
        raise ValueError(f"unknown text format {text_format!r}; use one of {TEXT_FORMATS}")
    if text_format == "jira" and isinstance(value, dict):
        converted, adf_flags, mentioned = adf_to_markdown(value)
        flags.extend(f for f in adf_flags if f not in flags)
        people.extend(mentioned)
        if len(converted) > MAX_TEXT_CHARS:
            # Cutting Markdown could leave a code fence open: cut the plain text instead.
            return plain_to_markdown(limit_text(adf_plain_text(value), field, flags))
        return converted
    text = _as_text(value)
    if not text.strip():
        return ""
    text = limit_text(text, field, flags)
    if text_format == "plain":
        return plain_to_markdown(text)
    if text_format == "jira":
        return wiki_to_markdown(text, people)
    if text_format == "html":
        return html_to_markdown(text, people)
    return markdown_to_safe(text, people)


def markdown_to_safe(text: str, people: list[str] | None = None) -> str:
    """People's Markdown -> kbgen's safe Markdown (structure kept, raw HTML sanitised)."""
    text = clean_text(text)
    if not _MARKDOWN_SYNTAX.search(text):
        # Plain prose (most comments): what rendering would give, without the renderer's cost.
        paragraphs = (" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text))
        return "\n\n".join(escape_line_start(escape_inline(p)) for p in paragraphs if p)
    html = markdown_lib.markdown(_gfm_lists(clean_text(text)), extensions=_MARKDOWN_EXTENSIONS)
    return html_to_markdown(html, people)


# Anything Markdown could read as markup; text without it is plain prose.
_MARKDOWN_SYNTAX = re.compile(
    r"[\\`*_\[\]<>&|~!]|^ {0,3}(?:[-+*#>=]|\d+[.)])|^(?: {4}|\t)| {2}$", re.MULTILINE
)
_LIST_START = re.compile(r"^ {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _gfm_lists(text: str) -> str:
    """A list may start right under a paragraph line on GitHub; Python-Markdown needs a blank line."""
    lines = text.split("\n")
    out: list[str] = []
    fence = ""
    for line in lines:
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1)[0] == fence[0]):
            fence = "" if fence else opening.group(1)
        elif (
            not fence
            and _LIST_START.match(line)
            and out
            and out[-1].strip()
            and not _LIST_START.match(out[-1])
            and not re.match(r"^\s", out[-1])
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def to_plain(value: Any, text_format: str) -> str:
    """One-line fields (titles, categories): the text only, entities and markup read once."""
    text = _as_text(value)
    if text_format == "html":
        return html_to_text(text)
    if text_format == "markdown" and any(c in text for c in "\\&<*_`["):
        return html_to_text(markdown_lib.markdown(clean_text(text)))
    return clean_text(text)


def _as_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return ""
