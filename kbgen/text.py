"""Text helpers shared by sources and drafting: cleaning, language, and plain text to safe Markdown.

Ticket text is untrusted plain text. :func:`plain_to_markdown` is the single
place that turns it into Markdown that renders exactly as written: HTML is
escaped (``<NUMBER>`` and ``List<String>`` stay visible, ``<script>`` is text),
Markdown metacharacters are escaped, and logs, stack traces and diffs go into
fenced code blocks whose fence is longer than any backtick run inside.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# C0/C1 controls except \t and \n, line/paragraph separators, bidi overrides and isolates.
_UNSAFE_CHARS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
# The one definition of a Chinese (Han) character: CJK Unified Ideographs, Extension A
# and the compatibility block. Use HAN_CHARS inside a character class, HAN to search.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CHARS}]")
_LATIN = re.compile(r"[A-Za-z]")

DEFAULT_MISSING = frozenset(
    {
        "",
        "?",
        "-",
        "--",
        "—",
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "0",
        "无",
        "无。",
        "无报告",
        "（未反馈）",
        "(未反馈)",
        "未反馈",
        "暂无",
        "原因不详",
        "正在核查",
        "未查清",
    }
)


def clean_text(text: str | None) -> str:
    """Normalise newlines to LF, NFC-normalise, and drop control and bidi characters."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def is_missing(value: str | None, markers: Iterable[str] = DEFAULT_MISSING) -> bool:
    """True for empty cells and the "missing" vocabulary of real exports (``?``, ``0``, ``无报告``)."""
    if value is None:
        return True
    stripped = value.strip()
    return stripped.casefold() in {m.casefold() for m in markers} or not stripped


def detect_language(text: str) -> str:
    """``zh`` when Han characters make up a fifth or more of the letters, else ``en``."""
    sample = text[:4000]
    han = len(HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if han == 0:
        return "en"
    # A Han character carries about as much as a short English word.
    return "zh" if han * 3 >= (latin + han * 3) * 0.2 else "en"


# --- plain text -> Markdown ----------------------------------------------------

_CODE_LINE = re.compile(
    r"""^(\s*at\s+[\w$.<>]+\(.*\)\s*$          # Java stack frame
      |\s*(Traceback\ \(most\ recent|File\ ".*",\ line\ \d+)   # Python traceback
      |\s*[\w.$]+(Exception|Error)(:|\s*$)     # exception header
      |@@\ .*\ @@                              # diff hunk
      |(diff|Index:|---|\+\+\+)\s\S           # diff headers
      |={5,}\s*$
      |\s*(\$|\#|>>>|C:\\>|PS\ [A-Z]:\\)\s  # shell prompts
      |\s*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}.*\b(ERROR|WARN|INFO|DEBUG|FATAL)\b  # log line
      |\s*\[(ERROR|WARN|WARNING|INFO|DEBUG|FATAL)\]
      |\t|\ {4,}\S                             # indented: would be a code block anyway
    )""",
    re.VERBOSE,
)
_DIFF_LINE = re.compile(r"^[+-](?![+-]*\s*$)")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~{}])")
_LINE_START_SPECIAL = re.compile(r"^([#+\-]|=+\s*$|\d+\.(?=\s|$))")


def _looks_like_code(lines: list[str]) -> bool:
    if not lines:
        return False
    code = sum(1 for ln in lines if _CODE_LINE.match(ln))
    diff = sum(1 for ln in lines if _DIFF_LINE.match(ln))
    if diff >= 2 and diff * 2 >= len(lines):
        return True
    return code >= max(1, (len(lines) + 1) // 2)


def escape_inline(text: str) -> str:
    """Escape HTML and Markdown inline syntax in one line of plain text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    # "![" would still start an image after escaping "["; escape the bang too.
    return text.replace("!\\[", "\\!\\[")


def _escape_prose_line(line: str) -> str:
    return escape_line_start(escape_inline(line.strip()))


def escape_line_start(escaped: str) -> str:
    """Keep block syntax at the start of an already inline-escaped line literal.

    Headings, list markers, setext underlines and "1." lists. (">" is already
    "&gt;"; "=" cannot be backslash-escaped, so it becomes an entity.)
    """
    return _LINE_START_SPECIAL.sub(_escape_block_marker, escaped, count=1)


def _escape_block_marker(match: re.Match[str]) -> str:
    marker = match.group(1)
    if marker[0] == "=":
        return "&#61;" + marker[1:]
    if marker[0].isdigit():
        return marker[:-1] + "\\."
    return "\\" + marker


def fence(code: str, info: str = "text") -> str:
    """A fenced block whose fence is longer than any backtick run in ``code``."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{code.rstrip()}\n{ticks}"


def code_span(code: str) -> str:
    """An inline code span whose backtick run is longer than any inside ``code``."""
    longest = max((len(r) for r in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def plain_to_markdown(text: str | None) -> str:
    """Convert untrusted plain text to Markdown that renders exactly as written."""
    text = clean_text(text)
    if not text:
        return ""
    blocks: list[str] = []
    for raw_block in re.split(r"\n[ \t]*\n", text):
        lines = [ln.rstrip() for ln in raw_block.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            continue
        if _looks_like_code(lines):
            blocks.append(fence("\n".join(lines)))
            continue
        # Keep the writer's line breaks as hard breaks (two trailing spaces, the only
        # form Python-Markdown knows) where lines are short (lists, steps); long
        # hard-wrapped prose reflows into one paragraph.
        short = sum(1 for ln in lines if len(ln) < 60) > len(lines) // 2 and len(lines) > 1
        escaped = [_escape_prose_line(ln) for ln in lines if ln.strip()]
        blocks.append(("  \n" if short else "\n").join(escaped))
    return "\n\n".join(blocks)


def one_line(text: str, limit: int = 150) -> str:
    """Collapse whitespace to one line and cut at ``limit`` characters on a word boundary."""
    text = re.sub(r"\s+", " ", clean_text(text)).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


_MD_ESCAPE = re.compile(r"\\([\\`*_\[\]{}()#+\-.!|~>=])")


def unescape_markdown(text: str) -> str:
    """Markdown produced by ``plain_to_markdown`` back to plain text (for titles and matching)."""
    text = _MD_ESCAPE.sub(r"\1", text.replace("\\\n", "\n"))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
