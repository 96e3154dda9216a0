"""A detection copy of the text, with a map from its offsets back to the original.

Detectors never look at the text as written. Ticket text arrives as kbgen
Markdown (``john\\_doe@example.com``, ``&lt;``), as rendered HTML, or as plain
text, possibly with full-width digits (``１３８…``). The detection copy
undoes backslash escapes and HTML entities and applies NFKC, so one set of
ASCII patterns sees every form; replacements are then made on the original.

Inside fenced code blocks, inline code spans and autolinks, backslashes and
entities are literal in Markdown, so there only NFKC applies, and the
redactor emits unescaped tokens.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

# A backslash escape of ASCII punctuation, a backslash hard break, or an HTML entity.
_ESCAPES = (
    r"\\([!-/:-@\[-`{-~])|\\(?=\n)|&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
# Code points checked once for NFKC: everything below the CJK ideographs' NFKC-stable
# blocks, plus the astral blocks of look-alike letters and digits (𝟏𝟑𝟖, 🄁).
_NFKC_CHECKED = (
    (0x80, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0xD800), (0xE000, 0x10000),
    (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x1FBF0, 0x1FC00),
)  # fmt: skip
_UNCHECKED_ASTRAL = (
    r"\U00010000-\U0001D3FF\U0001D800-\U0001F0FF\U0001F200-\U0001FBEF\U0001FC00-\U0010FFFF"
)


@lru_cache(maxsize=1)
def _nfkc_tables() -> tuple[dict[int, str], re.Pattern[str], re.Pattern[str]]:
    """(one-to-one NFKC table for str.translate, prose pattern, code pattern).

    Most NFKC changes (full-width digits and punctuation) map one character to
    one, so ``str.translate`` applies them at C speed without moving offsets;
    only escapes, entities, the rare one-to-many characters (``⑩``, ``㎏``)
    and invisible format characters need a segment in the offset map.
    """
    table: dict[int, str] = {}
    many: list[str] = []
    for low, high in _NFKC_CHECKED:
        for code in range(low, high):
            char = chr(code)
            if unicodedata.category(char) == "Cf":
                many.append(re.escape(char))  # invisible: dropped from the copy
                continue
            normalised = unicodedata.normalize("NFKC", char)
            if normalised == char and unicodedata.category(char) == "Nd":
                # Arabic-Indic, Devanagari... digits: NFKC keeps them, the detectors need ASCII.
                table[code] = str(unicodedata.decimal(char))
                continue
            if normalised == char:
                continue
            if len(normalised) == 1:
                table[code] = normalised
            else:
                many.append(re.escape(char))
    slow = "[" + "".join(many) + _UNCHECKED_ASTRAL + "]"
    return table, re.compile(_ESCAPES + "|" + slow), re.compile(slow)


_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


@lru_cache(maxsize=4096)
def _nfkc(char: str) -> str:
    """NFKC of one character; invisible format characters (zero-width space, soft hyphen,
    word joiner) vanish, so ``jo\u200bhn@example.com`` and ``138\u00ad12345678`` are still seen."""
    if unicodedata.category(char) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", char)


def fenced_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks, fences included; an unclosed fence runs to the end."""
    regions: list[tuple[int, int]] = []
    pos = 0
    while True:
        opening = _FENCE_OPEN.search(text, pos)
        if not opening:
            return regions
        fence = opening.group(1)
        closing = re.compile(
            r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.MULTILINE
        )
        line_end = text.find("\n", opening.end())
        if line_end == -1:
            regions.append((opening.start(), len(text)))
            return regions
        close = closing.search(text, line_end + 1)
        end = close.end() if close else len(text)
        regions.append((opening.start(), end))
        pos = end


# Inline code spans and autolinks (``<http://...>``, also used as ``[text](<url>)``
# destinations): backslash escapes are literal inside them too.
_INLINE_LITERAL = re.compile(
    r"(?<![`\\])(`+)(?!`)(?:[^\n]|\n(?![ \t]*\n))+?(?<!`)\1(?!`)"
    r"|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*>"
)


def literal_regions(text: str) -> list[tuple[int, int]]:
    """Where Markdown takes text literally: fenced code, inline code spans and autolinks."""
    if "`" not in text and "~~~" not in text and "<" not in text:
        return []
    fences = fenced_regions(text) if "```" in text or "~~~" in text else []
    if "`" not in text and "<" not in text:
        return fences
    regions = list(fences)
    pos = 0
    for start, end in [*fences, (len(text), len(text))]:
        regions.extend(m.span() for m in _INLINE_LITERAL.finditer(text, pos, start))
        pos = end
    return sorted(regions)


class DetectionText:
    """``text`` is the detection copy; :meth:`span` maps a span of it back to the original."""

    def __init__(self, original: str, *, markdown: bool = True) -> None:
        self.original = original
        self.code_regions = literal_regions(original) if markdown else []
        # Parallel lists: where each segment starts in the copy and in the original,
        # its length in the original, and whether it is copied unchanged.
        self._det_starts: list[int] = []
        self._orig_starts: list[int] = []
        self._orig_lens: list[int] = []
        self._identity: list[bool] = []
        if _plain_ascii(original):
            self.text = original
            self._add(0, 0, len(original), True)
            return
        table, prose_pattern, code_pattern = _nfkc_tables()
        # One-to-one NFKC first: same length, so offsets into it are offsets into the original.
        translated = original.translate(table)
        pieces: list[str] = []
        det_pos = 0
        orig_pos = 0
        for region_start, region_end, decode in self._zones():
            pattern = prose_pattern if decode else code_pattern
            for match in pattern.finditer(translated, region_start, region_end):
                replacement = self._replacement(match, decode)
                if replacement is None:
                    continue
                if match.start() > orig_pos:
                    self._add(det_pos, orig_pos, match.start() - orig_pos, True)
                    pieces.append(translated[orig_pos : match.start()])
                    det_pos += match.start() - orig_pos
                if replacement:
                    self._add(det_pos, match.start(), match.end() - match.start(), False)
                    pieces.append(replacement)
                    det_pos += len(replacement)
                orig_pos = match.end()
        if orig_pos < len(original) or not self._det_starts:
            self._add(det_pos, orig_pos, len(original) - orig_pos, True)
            pieces.append(translated[orig_pos:])
        self.text = "".join(pieces)

    def _zones(self) -> list[tuple[int, int, bool]]:
        """Alternating prose (decode escapes) and code (NFKC only) zones covering the text."""
        zones: list[tuple[int, int, bool]] = []
        pos = 0
        for start, end in self.code_regions:
            if start > pos:
                zones.append((pos, start, True))
            zones.append((start, end, False))
            pos = end
        if pos < len(self.original):
            zones.append((pos, len(self.original), True))
        return zones

    @staticmethod
    def _replacement(match: re.Match[str], decode: bool) -> str | None:
        """What the matched original text becomes in the copy; None = unchanged."""
        if decode and match.group(1) is not None:
            return match.group(1)
        raw = match.group(0)
        if decode and raw == "\\":
            return ""  # a hard line break, not part of any value
        if decode and raw.startswith("&"):
            decoded = html.unescape(raw)
            if decoded == raw:
                return None
            return "".join(_nfkc(ch) for ch in decoded)
        normalised = _nfkc(raw)
        return None if normalised == raw else normalised

    def _add(self, det_start: int, orig_start: int, orig_len: int, identity: bool) -> None:
        self._det_starts.append(det_start)
        self._orig_starts.append(orig_start)
        self._orig_lens.append(orig_len)
        self._identity.append(identity)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) covering copy[start:end], whole escapes and entities included."""
        return self._map_start(start), self._map_end(end)

    def _map_start(self, pos: int) -> int:
        i = bisect_right(self._det_starts, pos) - 1
        if self._identity[i]:
            return self._orig_starts[i] + (pos - self._det_starts[i])
        return self._orig_starts[i]

    def _map_end(self, pos: int) -> int:
        if pos <= 0:
            return 0
        i = bisect_right(self._det_starts, pos - 1) - 1
        if self._identity[i]:
            return self._orig_starts[i] + (pos - self._det_starts[i])
        return self._orig_starts[i] + self._orig_lens[i]

    def in_code(self, orig_pos: int) -> bool:
        return any(start <= orig_pos < end for start, end in self.code_regions)


def _plain_ascii(text: str) -> bool:
    return text.isascii() and "\\" not in text and "&" not in text
