"""Jira text to safe Markdown: wiki markup (REST v2) and Atlassian Document Format (REST v3).

Both converters escape literal text exactly as :func:`kbgen.text.plain_to_markdown`
does (via :func:`kbgen.text.escape_inline` and :func:`kbgen.text.fence`), so
``<script>``, ``<NUMBER>`` and ``List<String>`` stay visible text. Only a small
whitelist of markup becomes Markdown; anything else stays literal text. ADF
nodes outside the whitelist become a visible placeholder and a ticket flag,
never a crash.
"""

from __future__ import annotations

import re
from typing import Any

from kbgen.text import clean_text, escape_inline, fence, plain_to_markdown

# --- wiki markup (REST v2 strings) -----------------------------------------------

_CODE_BLOCK = re.compile(r"\{(code|noformat)(?::[^}]*)?\}(.*?)\{\1\}", re.DOTALL)
_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_LIST_ITEM = re.compile(r"^([*#]{1,6})\s+(.*)$")  # "* item", "** nested", "# numbered"
_INLINE = re.compile(
    r"\[(?P<text>[^|\]\n]+)\|(?P<url>https?://[^\]\s|]+)\]"  # [text|http://url]
    r"|\[(?P<bare>https?://[^\]\s|]+)\]"  # [http://url]
    r"|\{\{(?P<mono>[^}\n]+)\}\}"  # {{monospace}}
    r"|(?<![\w*])\*(?P<bold>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"  # *bold*, no inner edge spaces
    r"|\[~(?P<user>[^\]\n]+)\]"  # [~user] mention
)
_HAS_MARKUP = re.compile(
    r"^[*#]\s+\S|^h[1-6]\.\s|\[[^\]\n]*\|https?://|\[https?://|\{\{|(?<![\w*])\*[^*\s](?:[^*\n]*[^*\s])?\*(?![\w*])|\[~",
    re.M,
)


def _inline(line: str, people: list[str]) -> str:
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(line):
        out.append(escape_inline(line[pos : m.start()]))
        pos = m.end()
        if m.group("url"):
            out.append(f"[{escape_inline(m.group('text'))}](<{m.group('url')}>)")
        elif m.group("bare"):
            out.append(f"<{m.group('bare')}>")
        elif m.group("mono"):
            out.append(_code_span(m.group("mono")))
        elif m.group("bold"):
            out.append(f"**{escape_inline(m.group('bold'))}**")
        else:
            people.append(m.group("user"))
            out.append("\\[user\\]")
    out.append(escape_inline(line[pos:]))
    return "".join(out)


def _code_span(code: str) -> str:
    longest = max((len(r) for r in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _prose(text: str, people: list[str]) -> list[str]:
    blocks: list[str] = []
    for para in re.split(r"\n[ \t]*\n", text):
        if not para.strip():
            continue
        if not _HAS_MARKUP.search(para):
            blocks.append(plain_to_markdown(para))
            continue
        blocks.extend(_marked_up(para, people))
    return blocks


def _marked_up(para: str, people: list[str]) -> list[str]:
    """One paragraph with wiki markup: headings, lists and inline markup; the rest literal."""
    blocks: list[str] = []
    lines: list[str] = []  # the current paragraph, joined with hard breaks
    items: list[str] = []  # the current list, one item per line

    def flush() -> None:
        if lines:
            blocks.append("\\\n".join(lines))
            lines.clear()
        if items:
            blocks.append("\n".join(items))
            items.clear()

    for line in para.split("\n"):
        line = line.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append("#" * int(heading.group(1)) + " " + _inline(heading.group(2), people))
            continue
        item = _LIST_ITEM.match(line)
        # A list starts at one marker and nests one level at a time; anything else
        # ("*** This bug has been marked as a duplicate ***") is text.
        if item and len(item.group(1)) - 1 > (_depth(items[-1]) + 1 if items else 0):
            item = None
        if item:
            if lines:
                flush()  # Markdown needs a blank line between a paragraph and a list
            depth, ordered = len(item.group(1)) - 1, item.group(1).endswith("#")
            marker = "1." if ordered else "-"
            items.append("    " * depth + f"{marker} " + _inline(item.group(2), people))
            continue
        if items:
            flush()
        converted = _inline(line, people)
        # Keep block syntax at line start literal, as plain_to_markdown does.
        converted = re.sub(r"^([#>+\-=]|\d+[.)])(?=\s|$)", r"\\\1", converted)
        lines.append(converted)
    flush()
    return blocks


def _depth(markdown_item: str) -> int:
    return (len(markdown_item) - len(markdown_item.lstrip(" "))) // 4


def wiki_to_markdown(text: str | None, people: list[str] | None = None) -> str:
    """Jira wiki markup -> Markdown. ``people`` collects ``[~user]`` mentions for redaction."""
    text = clean_text(text)
    if not text:
        return ""
    people = people if people is not None else []
    blocks: list[str] = []
    pos = 0
    for m in _CODE_BLOCK.finditer(text):
        blocks.extend(_prose(text[pos : m.start()], people))
        code = m.group(2).strip("\n")
        if code.strip():
            blocks.append(fence(code))
        pos = m.end()
    blocks.extend(_prose(text[pos:], people))
    return "\n\n".join(b for b in blocks if b)


# --- ADF (REST v3 documents) -----------------------------------------------------------

_BLOCK_CONTAINERS = {
    "doc",
    "panel",
    "expand",
    "nestedExpand",
    "layoutSection",
    "layoutColumn",
    "tableCell",
    "tableHeader",
}


class AdfConverter:
    """Walks an ADF tree with a whitelist; collects flags and mentioned people."""

    def __init__(self) -> None:
        self.flags: list[str] = []
        self.people: list[str] = []

    def convert(self, doc: Any) -> str:
        if doc is None:
            return ""
        if isinstance(doc, str):  # some v3 endpoints still return wiki strings
            return wiki_to_markdown(doc, self.people)
        if not isinstance(doc, dict):
            self._unknown(type(doc).__name__)
            return self._placeholder(type(doc).__name__)
        return "\n\n".join(b for b in self._block(doc, 0) if b.strip())

    def _unknown(self, kind: str) -> None:
        flag = f"adf-unknown-node:{kind}"
        if flag not in self.flags:
            self.flags.append(flag)

    @staticmethod
    def _placeholder(kind: str) -> str:
        return escape_inline(f"[unsupported Jira content: {kind}]")

    def _children(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        content = node.get("content") or []
        return [c for c in content if isinstance(c, dict)] if isinstance(content, list) else []

    def _blocks(self, node: dict[str, Any], depth: int) -> list[str]:
        out: list[str] = []
        for child in self._children(node):
            out.extend(self._block(child, depth))
        return out

    def _block(self, node: dict[str, Any], depth: int) -> list[str]:
        kind = str(node.get("type", ""))
        attrs: dict[str, Any] = node["attrs"] if isinstance(node.get("attrs"), dict) else {}
        if kind in _BLOCK_CONTAINERS:
            return self._blocks(node, depth)
        if kind == "paragraph":
            return [self._inlines(node)]
        if kind == "heading":
            level = attrs.get("level", 1)
            level = level if isinstance(level, int) and 1 <= level <= 6 else 1
            return ["#" * level + " " + self._inlines(node)]
        if kind == "codeBlock":
            code = "".join(
                str(c.get("text", "")) for c in self._children(node) if c.get("type") == "text"
            )
            info = re.sub(r"[^\w+-]", "", str(attrs.get("language") or "")) or "text"
            return [fence(clean_text(code), info)]
        if kind in ("bulletList", "orderedList"):
            return [self._list(node, depth, ordered=kind == "orderedList")]
        if kind == "blockquote":
            inner = "\n\n".join(self._blocks(node, depth))
            return ["\n".join("> " + ln if ln else ">" for ln in inner.split("\n"))]
        if kind == "rule":
            return ["---"]
        if kind == "table":
            return self._table(node)
        if kind in ("mediaSingle", "mediaGroup", "media"):
            return [escape_inline("[attachment]")]
        self._unknown(kind or "untyped")
        return [self._placeholder(kind or "untyped")]

    def _list(self, node: dict[str, Any], depth: int, *, ordered: bool) -> str:
        lines: list[str] = []
        indent = "    " * depth
        for number, item in enumerate(self._children(node), start=1):
            marker = f"{number}." if ordered else "-"
            parts = (
                self._blocks(item, depth + 1)
                if item.get("type") == "listItem"
                else self._block(item, depth + 1)
            )
            first, *rest = parts or [""]
            lines.append(f"{indent}{marker} {first}")
            for extra in rest:
                lines.append(
                    extra if extra.lstrip().startswith(("-", "1.")) else f"{indent}    {extra}"
                )
        return "\n".join(lines)

    def _table(self, node: dict[str, Any]) -> list[str]:
        rows: list[str] = []
        for row in self._children(node):
            cells = [
                " ".join(self._blocks(cell, 0)).replace("\n", " ") for cell in self._children(row)
            ]
            rows.append(" \\| ".join(cells))
        return ["\\\n".join(rows)] if rows else []

    def _inlines(self, node: dict[str, Any]) -> str:
        return "".join(self._inline(child) for child in self._children(node))

    def _inline(self, node: dict[str, Any]) -> str:
        kind = str(node.get("type", ""))
        attrs: dict[str, Any] = node["attrs"] if isinstance(node.get("attrs"), dict) else {}
        if kind == "text":
            return self._marked(
                clean_text_keep_spaces(str(node.get("text", ""))), node.get("marks") or []
            )
        if kind == "hardBreak":
            return "\\\n"
        if kind == "mention":
            name = str(attrs.get("text") or "").lstrip("@")
            if name:
                self.people.append(name)
            return "\\[user\\]"
        if kind == "emoji":
            return escape_inline(str(attrs.get("text") or attrs.get("shortName") or ""))
        if kind in ("inlineCard", "blockCard"):
            url = str(attrs.get("url") or "")
            return f"<{url}>" if re.match(r"https?://[^\s<>]+$", url) else ""
        if kind in ("status", "date"):
            return escape_inline(str(attrs.get("text") or attrs.get("timestamp") or ""))
        self._unknown(kind or "untyped")
        return self._placeholder(kind or "untyped")

    def _marked(self, text: str, marks: list[Any]) -> str:
        kinds = {m.get("type"): m for m in marks if isinstance(m, dict)}
        if "code" in kinds:
            return _code_span(text)
        out = escape_inline(text)
        if not out.strip():
            return out
        if "strong" in kinds:
            out = f"**{out}**"
        if "em" in kinds:
            out = f"*{out}*"
        if "strike" in kinds:
            out = f"~~{out}~~"
        link = kinds.get("link")
        if link:
            href = str((link.get("attrs") or {}).get("href") or "")
            if re.match(r"https?://[^\s<>]+$", href):
                out = f"[{out}](<{href}>)"
        return out


def clean_text_keep_spaces(text: str) -> str:
    """Like clean_text but keeps the spaces between ADF text runs."""
    stripped = clean_text(text)
    if not stripped:
        return " " if text and text.isspace() else ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return lead + stripped + trail


def adf_to_markdown(doc: Any) -> tuple[str, list[str], list[str]]:
    """(markdown, flags, people) for one ADF document."""
    converter = AdfConverter()
    return converter.convert(doc), converter.flags, converter.people


def adf_plain_text(node: Any) -> str:
    """Only the text of an ADF tree, one block per line (for over-long documents)."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    content = node.get("content") if isinstance(node.get("content"), list) else []
    inline = node.get("type") in ("paragraph", "heading")
    return ("" if inline else "\n").join(adf_plain_text(child) for child in content or [])
