"""Search result snippets: a short window of the article's text with the matched words marked.

The output is HTML: the text is escaped and each match is wrapped in
``<mark>``, nothing else. A word run is marked whole when any of its terms
(:func:`kbgen.search.tokens.word_terms`) is a query term, so ``GermanStemFilter``
is marked for the query ``stem``; in a Han run each occurrence of a query term
is marked. The window is the one holding the most distinct query terms.
"""

from __future__ import annotations

import html
import re

from kbgen.search.tokens import fold, runs, word_terms
from kbgen.text import HAN

WIDTH = 180  # characters of text in a snippet
_SPACE = re.compile(r"\s+")


def match_spans(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of each match of a query term in ``text``, in order, not overlapping."""
    han_terms = sorted((t for t in terms if HAN.match(t)), key=len, reverse=True)
    spans: list[tuple[int, int, str]] = []
    for match in runs(fold(text)):
        han = match.group(1)
        if han is None:
            found = [t for t in word_terms(match.group(2)) if t in terms]
            if found:
                spans.append((match.start(), match.end(), found[0]))
            continue
        taken = [False] * len(han)
        for term in han_terms:  # longest first: 打印机 is marked whole, not as 打印 + 机
            start = han.find(term)
            while start >= 0:
                if not any(taken[start : start + len(term)]):
                    taken[start : start + len(term)] = [True] * len(term)
                    spans.append((match.start() + start, match.start() + start + len(term), term))
                start = han.find(term, start + 1)
    return sorted(spans)


def _window(text: str, spans: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """The stretch of ``width`` characters starting near the match that sees most terms."""
    best, best_start = -1, 0
    for start, _, _ in spans:
        seen = {term for s, e, term in spans if start <= s and e <= start + width}
        if len(seen) > best:
            best, best_start = len(seen), start
    start = max(0, best_start - width // 4)
    if start:  # begin at a word boundary, not mid-word
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    return start, min(len(text), start + width)


def snippet_html(text: str, terms: set[str], *, width: int = WIDTH) -> str:
    """Escaped HTML of a window of ``text`` with each query term match in ``<mark>``."""
    text = _SPACE.sub(" ", text).strip()
    spans = match_spans(text, terms)
    start, end = _window(text, spans, width) if spans else (0, min(len(text), width))
    out = ["…" if start else ""]
    position = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[position:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        position = e
    out.append(html.escape(text[position:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
