"""HTML from helpdesks and forums -> kbgen's safe Markdown, by a whitelist.

Forum and helpdesk exports hold rendered HTML (Discourse ``cooked``, Stack
Exchange ``Body``, Freshdesk ``body``). Escaping it as plain text shows readers
``<p><strong>ANSWER:</strong></p>`` and ``&amp;`` literally; passing it through
publishes whatever a ticket author typed. This converter does neither: it
parses the HTML with the standard library's tolerant tokenizer and writes
Markdown for a small whitelist of structure (paragraphs, headings, lists,
emphasis, code, quotes, tables, http(s) links), escaping every piece of text
exactly as :func:`kbgen.text.plain_to_markdown` does. So:

* no HTML reaches the output: a ``<`` in text becomes ``&lt;``;
* ``<script>``, ``<style>``, ``<iframe>`` and the like are dropped with their content;
* a tag HTML does not know (``List<String>``, ``<NUMBER>``) stays visible as text;
* links keep only ``http``/``https`` targets (``javascript:`` and relative links keep their text);
* entities are decoded once, so ``&amp;`` shows as ``&`` and never as ``&amp;amp;``.

Forum specifics: ``@mention`` links become ``[user]`` (the name goes to the
ticket's people, for redaction), quote headers ("sam said:") and avatars are
dropped, image lightboxes become ``[image]``, link previews become their link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kbgen.text import clean_text, code_span, escape_inline, escape_line_start, fence

# Dropped with everything inside: active content, forms, media and document metadata.
_DROP = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "template",
        "noscript",
        "svg",
        "math",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "form",
        "input",
        "button",
        "select",
        "option",
        "textarea",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "map",
        "area",
        "param",
        "dialog",
    ]
)
_VOID = frozenset(
    [
        "br",
        "hr",
        "img",
        "input",
        "meta",
        "link",
        "wbr",
        "area",
        "col",
        "embed",
        "source",
        "track",
        "param",
        "base",
    ]
)
_BLOCK = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "details",
        "summary",
        "address",
        "center",
        "hr",
        "body",
        "html",
        "fieldset",
        "legend",
        "colgroup",
        "col",
    ]
)
_BOLD = frozenset({"strong", "b"})
_ITALIC = frozenset({"em", "i", "cite", "var", "dfn"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
# Inline elements whose text is kept and whose markup is not.
_TRANSPARENT = frozenset(
    [
        "span",
        "font",
        "u",
        "ins",
        "mark",
        "small",
        "big",
        "sub",
        "sup",
        "abbr",
        "acronym",
        "time",
        "label",
        "bdi",
        "bdo",
        "q",
        "s",
        "strike",
        "del",
        "nobr",
        "data",
        "output",
        "meter",
        "progress",
        "ruby",
        "rt",
        "rp",
        "picture",
        "a",
    ]
)
_KNOWN = _DROP | _VOID | _BLOCK | _BOLD | _ITALIC | _CODE | _TRANSPARENT
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SAFE_URL = re.compile(r"https?://[^\s<>()\"'`\\]+\Z", re.IGNORECASE)
_LANG_CLASS = re.compile(r"(?:^|\s)(?:lang|language)-([\w+#.-]{1,30})")
_WS = re.compile(r"[ \t\r\n\f\v]{2,}|[\t\r\n\f\v]")
_BREAK = "\x00br\x00"  # a hard line break inside a paragraph, until the paragraph is written
MAX_DEPTH = 64  # deeper nesting (hostile input) is flattened instead of recursed into


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unclosed tags close with their parent, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _KNOWN:
            self._text(self.get_starttag_text() or f"<{tag}>")
            return
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self._close_implied(tag)
        if len(self.stack) > MAX_DEPTH and tag not in _DROP:
            return  # flatten: keep the text, lose this level of structure
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _KNOWN:
            self._text(self.get_starttag_text() or f"<{tag}/>")
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in _KNOWN:
            self._text(f"</{tag}>")
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, text: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += text
        else:
            children.append(text)

    def _close_implied(self, tag: str) -> None:
        """``<p>a<p>b``, ``<li>a<li>b`` and ``<td>a<td>b`` close the open sibling first."""
        current = self.stack[-1].tag
        if current == "p" and tag in _BLOCK:
            self.stack.pop()
        elif tag in ("li", "dt", "dd", "tr", "td", "th", "option"):
            stop = {"li": ("ul", "ol"), "tr": ("table", "thead", "tbody", "tfoot")}.get(
                tag, ("tr", "dl", "table")
            )
            for depth in range(len(self.stack) - 1, 0, -1):
                name = self.stack[depth].tag
                if name in stop:
                    return
                if name == tag or (tag in ("td", "th") and name in ("td", "th")):
                    del self.stack[depth:]
                    return


class _Renderer:
    def __init__(self, people: list[str]) -> None:
        self.people = people

    # --- blocks -------------------------------------------------------------
    def blocks(self, node: _Node, depth: int = 0) -> list[str]:
        out: list[str] = []
        inline: list[str] = []

        def flush() -> None:
            paragraph = _paragraph("".join(inline))
            if paragraph:
                out.append(paragraph)
            inline.clear()

        for child in node.children:
            if isinstance(child, str):
                inline.append(escape_inline(_WS.sub(" ", child)))
                continue
            if self._skip(child, node):
                continue
            if child.tag in _BLOCK or self._is_block_widget(child):
                flush()
                out.extend(self.block(child, depth))
            else:
                inline.append(self.inline(child))
        flush()
        return out

    def block(self, node: _Node, depth: int) -> list[str]:
        tag = node.tag
        if depth > MAX_DEPTH:
            text = _paragraph(escape_inline(_WS.sub(" ", _text_of(node))))
            return [text] if text else []
        if tag in _HEADINGS:
            text = _one_line(self.inline_children(node))
            return [f"{'#' * _HEADINGS[tag]} {text}"] if text else []
        if tag == "pre":
            code = clean_text(_text_of(node).strip("\n"))
            if not code.strip():
                return []
            return [fence(code, _language(node))]
        if tag == "aside" and node.has_class("quote"):
            return self.blocks(node, depth + 1)  # its header is dropped; the blockquote stays
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(node, depth + 1))
            return [_quote(inner)] if inner.strip() else []
        if tag == "aside" and node.has_class("onebox"):
            url = node.attrs.get("data-onebox-src", "") or _first_href(node)
            return [f"<{url}>"] if _SAFE_URL.match(url) else []
        if tag in ("ul", "ol"):
            text = self.list(node, depth, ordered=tag == "ol")
            return [text] if text else []
        if tag == "table":
            text = self.table(node)
            return [text] if text else []
        if tag == "hr":
            return ["---"]
        if tag in ("dt", "summary", "caption", "legend"):
            text = _one_line(self.inline_children(node))
            return [f"**{text}**"] if text else []
        if node.has_class("lightbox-wrapper"):
            return [escape_inline("[image]")]
        return self.blocks(node, depth + 1)

    def list(self, node: _Node, depth: int, *, ordered: bool) -> str:
        lines: list[str] = []
        number = 0
        for child in node.children:
            if isinstance(child, str) or self._skip(child, node):
                continue
            item = child if child.tag == "li" else _Node("li", children=[child])
            parts = self.blocks(item, depth + 1)
            if not parts:
                continue
            number += 1
            marker = f"{number}." if ordered else "-"
            pad = " " * 4
            first, *rest = parts
            lines.append(f"{marker} " + first.replace("\n", "\n" + pad))
            for extra in rest:
                # A nested list follows its item's line; other blocks are separate paragraphs.
                gap = "" if re.match(r"(?:-|\d+\.) ", extra) else "\n"
                lines.append(gap + pad + extra.replace("\n", "\n" + pad))
        return "\n".join(lines)

    def table(self, node: _Node) -> str:
        rows: list[list[str]] = []
        for row in _descendants(node, "tr"):
            cells = [
                _one_line(self.inline_children(cell)) or " "
                for cell in row.children
                if isinstance(cell, _Node) and cell.tag in ("td", "th")
            ]
            if cells:
                rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [" "] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines.extend("| " + " | ".join(r) + " |" for r in rows[1:])
        return "\n".join(lines)

    # --- inline -------------------------------------------------------------
    def inline_children(self, node: _Node) -> str:
        parts: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(escape_inline(_WS.sub(" ", child)))
            elif not self._skip(child, node):
                parts.append(self.inline(child))
        return "".join(parts)

    def inline(self, node: _Node) -> str:
        tag = node.tag
        if tag == "br":
            return _BREAK
        if tag == "img":
            return self.image(node)
        if tag in _CODE:
            code = _WS.sub(" ", _text_of(node)).strip()
            return code_span(code) if code else ""
        if tag == "a":
            return self.link(node)
        inner = self.inline_children(node)
        if tag in _BLOCK:  # a block inside inline content: its text, spaced
            return f" {inner} "
        if tag in _BOLD:
            return _wrap(inner, "**")
        if tag in _ITALIC:
            return _wrap(inner, "*")
        return inner

    def link(self, node: _Node) -> str:
        if node.has_class("mention") or node.has_class("mention-group"):
            name = _text_of(node).strip().lstrip("@")
            if name:
                self.people.append(name)
            return escape_inline("[user]")
        text = self.inline_children(node).strip()
        href = node.attrs.get("href", "").strip()
        if not _SAFE_URL.match(href):
            return text
        if not text or text.replace("\\", "") == href:
            return f"<{href}>"
        return f"[{text.replace(_BREAK, ' ')}](<{href}>)"

    @staticmethod
    def image(node: _Node) -> str:
        alt = _WS.sub(" ", node.attrs.get("alt", "")).strip()
        if node.has_class("emoji"):
            return escape_inline(alt)
        return escape_inline(f"[image: {alt}]" if alt and len(alt) <= 80 else "[image]")

    # --- forum furniture ------------------------------------------------------
    @staticmethod
    def _skip(node: _Node, parent: _Node) -> bool:
        if node.tag in _DROP:
            return True
        if node.tag == "img" and node.has_class("avatar"):
            return True
        # Quote headers ("sam said:") name people; lightbox captions are file names.
        if node.has_class("title") and parent.tag == "aside":
            return True
        return node.has_class("meta") or node.has_class("quote-controls")

    @staticmethod
    def _is_block_widget(node: _Node) -> bool:
        return node.has_class("lightbox-wrapper")


def _text_of(node: _Node) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in _DROP:
            parts.append(_text_of(child))
    return "".join(parts)


def _descendants(node: _Node, tag: str) -> list[_Node]:
    found: list[_Node] = []
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == tag:
                found.append(child)
            elif child.tag != "table":  # a nested table's rows are not ours
                found.extend(_descendants(child, tag))
    return found


def _first_href(node: _Node) -> str:
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag == "a" and child.attrs.get("href"):
                return child.attrs["href"]
            found = _first_href(child)
            if found:
                return found
    return ""


def _language(pre: _Node) -> str:
    classes = " ".join(
        [pre.attrs.get("class", "")]
        + [c.attrs.get("class", "") for c in pre.children if isinstance(c, _Node)]
    )
    match = _LANG_CLASS.search(classes)
    return match.group(1) if match else "text"


def _wrap(inner: str, mark: str) -> str:
    """``**bold**`` with the spaces outside the marks (Markdown ignores ``** x **``)."""
    stripped = inner.strip(" ")
    if not stripped or stripped == _BREAK:
        return inner
    lead = " " if inner.startswith(" ") else ""
    trail = " " if inner.endswith(" ") else ""
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _one_line(text: str) -> str:
    return _WS.sub(" ", text.replace(_BREAK, " ")).strip()


def _paragraph(text: str) -> str:
    """Inline Markdown -> one paragraph: hard breaks as two trailing spaces, block syntax escaped."""
    lines = [_WS.sub(" ", line).strip() for line in text.split(_BREAK)]
    lines = [escape_line_start(line) for line in lines if line]
    return "  \n".join(lines)


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def html_to_markdown(html: str, people: list[str] | None = None) -> str:
    """Untrusted HTML -> safe Markdown; ``people`` collects ``@mention`` names for redaction."""
    if not html or not html.strip():
        return ""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    renderer = _Renderer(people if people is not None else [])
    blocks = renderer.blocks(builder.root)
    return "\n\n".join(b for b in blocks if b.strip())


def html_to_text(html: str) -> str:
    """Only the text of an HTML fragment, entities decoded (titles, one-line fields)."""
    if not html or "<" not in html and "&" not in html:
        return clean_text(html)
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return clean_text(_WS.sub(" ", _text_of(builder.root)))
