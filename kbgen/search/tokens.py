"""Tokens for similarity: lower-cased Latin words plus jieba words for Han runs.

Whoosh has its own analyzer (see ``index.py``); these tokens feed the in-memory
similarity index and :func:`similarity`, which must stay fast enough for
capture (>= 1,000 tickets/s). So only Han runs go through jieba (Latin text is
split with one regex), and HMM is off: new-word discovery costs time and adds
nothing when both sides are cut the same way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

import jieba

from kbgen.text import HAN, HAN_CHARS

# Han runs, or runs of Latin letters/digits (keeping inner dots and dashes: "v2.3", "x-ray").
_TOKEN = re.compile(rf"[{HAN_CHARS}]+|[a-z0-9]+(?:[._-][a-z0-9]+)*")
_HAN_START = HAN

# Words that say nothing about what a ticket is about.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yes",
        "also",
        "just",
        "only",
        "any",
        "all",
        "some",
        "such",
        "very",
        "via",
        "per",
        "after",
        "before",
        "again",
        "about",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "regards",
        "dear",
        "的",
        "了",
        "和",
        "是",
        "在",
        "也",
        "与",
        "及",
        "或",
        "就",
        "都",
        "而",
        "被",
        "把",
        "对",
        "为",
        "将",
        "等",
        "中",
        "后",
        "时",
        "已",
        "由",
        "于",
        "从",
        "该",
        "其",
        "之",
        "并",
        "我",
        "你",
        "他",
        "她",
        "我们",
        "你们",
        "他们",
        "一个",
        "没有",
        "进行",
        "出现",
        "发现",
        "问题",
        "情况",
        "原因",
        "处理",
    ]
)


@cache
def _jieba() -> object:
    """jieba with its dictionary loaded (once per process, on first use)."""
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
    jieba.initialize()
    return jieba


def preload_segmenter(texts: Iterable[str]) -> bool:
    """Load jieba's dictionary now if any text has Han characters; True when it did.

    The site build calls this before it forks: the child then shares the
    loaded dictionary (0.6 s and 100 MB each) with the parent, where
    Material's search plugin needs it too.
    """
    if not any(_HAN_START.search(text) for text in texts):
        return False
    _jieba()
    return True


def _cut_han(run: str) -> list[str]:
    """jieba "search" cut: words plus their sub-words (打印机 -> 打印, 打印机), so that
    a query for 打印 finds 打印机. HMM off: faster, and both sides are cut alike."""
    jieba = _jieba()
    return [w for w in jieba.cut_for_search(run, HMM=False) if w.strip()]  # type: ignore[attr-defined]


def segment(text: str, *, limit: int = 20000) -> str:
    """Lower-cased text with every Han run replaced by its jieba words, space-separated.

    The one jieba pass per text: the whoosh analyzer then only splits on spaces
    and punctuation, and :func:`tokenize` reuses the same words.
    """
    return _TOKEN.sub(_segment_match, text[:limit].lower())


def _segment_match(match: re.Match[str]) -> str:
    word = match.group(0)
    if _HAN_START.match(word):
        return " " + " ".join(_cut_han(word)) + " "
    return word


def words(segmented: str) -> list[str]:
    """Content words of already segmented text: stopwords, 1-letter words and numbers dropped."""
    out = []
    for word in segmented.split():
        word = word.strip(".,;:!?()[]{}<>\"'`|/\\#*_~=+")
        if not word or word in STOPWORDS:
            continue
        if _HAN_START.match(word) or (len(word) > 1 and not word.isdigit()):
            out.append(word)
    return out


def tokenize(text: str, *, limit: int = 8000) -> list[str]:
    """Content words of ``text`` (first ``limit`` characters), stopwords and 1-letter words dropped.

    Single Han characters are kept only when jieba cannot join them into a word,
    because Chinese uses many one-character content words (卡, 慢, 断).
    """
    return words(segment(text, limit=limit))


def term_counts(text: str, *, limit: int = 8000) -> Counter[str]:
    return Counter(tokenize(text, limit=limit))


def cosine(a: Counter[str] | dict[str, float], b: Counter[str] | dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b.get(term, 0) for term, weight in a.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return min(1.0, dot / norm)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1: cosine of their content-word counts (jieba-aware).

    Used for in-batch merging and duplicate warnings, where both texts are
    at hand; against the whole KB use :func:`kbgen.search.find_similar`.
    """
    return round(cosine(term_counts(a), term_counts(b)), 6)
