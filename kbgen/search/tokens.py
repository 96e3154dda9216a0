"""The tokenizer contract: the one set of rules that turns text into search terms.

``kbgen search``, ``GET /api/search`` and the browser index writer all index
with :func:`index_terms` and plan queries with :func:`query_terms`; the rules
are written out for ports to other languages in ``docs/search.md`` ("The
tokenizer contract"), and ``tests/search/tokenizer_cases.json`` holds cases
any port must reproduce. In short:

* Fold full-width ASCII (U+FF01-U+FF5E) to ASCII and U+3000 to a space; the
  text is then read as runs: Han runs (:data:`kbgen.text.HAN_CHARS`) and word
  runs (letters and digits, joined by up to three of ``. _ - / \\ :``).
* A Han run is cut by jieba's search mode (words and their dictionary
  sub-words; HMM off), here through rjieba, which gives jieba's cut
  character for character at an eighth of the CPU time (docs/search.md).
* A word run gives its whole (lower-cased) form when it has joiners, its
  segments (split on ``_ - / \\ :``) that hold a dot, its parts (split on
  dots too), and each part's CamelCase and letter/digit pieces; alphabetic
  ASCII words are Porter-stemmed.
* The query side needs no segmenter: each Han run of the query matches the
  index terms it contains (see :func:`query_terms`), so a JavaScript port
  only needs the index's vocabulary.

The similarity helpers at the end (:func:`segment`, :func:`tokenize`,
:func:`similarity`) feed capture's reuse check and keep their own, simpler
rules (lower-cased words and jieba words, no stemming): their scores are
calibrated against ``capture.link_threshold``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache

import rjieba
from whoosh.lang.porter import stem as porter_stem

from kbgen.search.stopwords import STOPWORDS
from kbgen.text import HAN, HAN_CHARS

FORMAT = 1  # bump when a rule changes: indexes written under another format are rebuilt

JOINERS = "._-/\\:"
MAX_HAN_TERM = 8  # longest Han query candidate tried against the vocabulary
MAX_QUERY_TERMS = 16  # a pasted ticket must not make every document a candidate
MAX_QUERY_CHARS = 1000

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WORD = rf"[^\W_{HAN_CHARS}]"
RUN = re.compile(rf"([{HAN_CHARS}]+)|({_WORD}+(?:[{re.escape(JOINERS)}]{{1,3}}{_WORD}+)*)")
_SEGMENT_SPLIT = re.compile(r"[_\-/\\:]+")
_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_ASCII_WORD = re.compile(r"[a-z]+")
_VERSION = re.compile(r"(v?)(\d+(?:\.\d+){2,})")


def fold(text: str) -> str:
    """Full-width ASCII to ASCII, U+3000 to a space: one character for one, offsets stay valid."""
    return text.translate(_FULLWIDTH)


def runs(text: str) -> Iterator[re.Match[str]]:
    """Han runs (group 1) and word runs (group 2) of already folded text, with their offsets."""
    return RUN.finditer(text)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Porter stem (whoosh's, the one the whoosh index always used) of alphabetic ASCII words."""
    return porter_stem(word) if _ASCII_WORD.fullmatch(word) else word


@lru_cache(maxsize=1 << 16)
def cut_han(run: str) -> tuple[str, ...]:
    """jieba's search-mode cut of one Han run (打印机 -> 打印, 印机, 打印机), HMM off.

    HMM off: new-word discovery costs time and adds nothing when every text is
    cut by the same dictionary. Cached: short runs repeat across articles.
    """
    return tuple(rjieba.cut_for_search(run, False))


def _keep(term: str) -> bool:
    return bool(term) and term not in STOPWORDS


@lru_cache(maxsize=1 << 16)
def word_terms(run: str) -> tuple[str, ...]:
    """Terms of one word run (folded, original case), in order, without repeats.

    ``java.lang.StringIndexOutOfBoundsException`` gives the whole run, the parts
    java, lang, stringindexoutofboundsexcept and the pieces string, index,
    out, bound, except; ``lucene-1.2.3-rc1.jar`` gives the whole run, the
    segments 1.2.3 (and 1.2) and rc1.jar, and the parts lucene, rc1, jar.
    """
    out: list[str] = []
    lower = run.lower()
    joined = any(c in JOINERS for c in run)
    if joined:
        out.append(lower)  # the exact identifier, path or version: kept as typed, not stemmed
    for segment in _SEGMENT_SPLIT.split(run):
        if not segment:
            continue
        seg = segment.lower()
        if "." in seg and seg != lower:
            out.append(seg)
        version = _VERSION.fullmatch(seg)
        if version:
            numbers = version.group(2).split(".")
            out.extend(".".join(numbers[:n]) for n in range(2, len(numbers) + 1))
            if version.group(1):
                out.extend("v" + ".".join(numbers[:n]) for n in range(2, len(numbers)))
        for part in segment.split("."):
            if not part:
                continue
            if len(part) > 1 or not joined:
                out.append(stem(part.lower()))
            pieces = _PIECE.findall(part) if part.isascii() else []
            if len(pieces) > 1:
                out.extend(stem(p.lower()) for p in pieces if len(p) > 1)
    whole = out[0] if joined else None
    return tuple(t for t in dict.fromkeys(out) if t == whole or _keep(t))


def index_terms(text: str, *, limit: int | None = None) -> list[str]:
    """Every term of ``text`` (its first ``limit`` characters) in order, repeats kept (tf)."""
    folded = fold(text if limit is None else text[:limit])
    out: list[str] = []
    for han, word in RUN.findall(folded):
        out.extend(han_terms(han) if han else word_terms(word))
    return out


@lru_cache(maxsize=1 << 16)
def han_terms(run: str) -> tuple[str, ...]:
    """Index terms of one Han run: its search-mode cut without stop-words."""
    return tuple(w for w in cut_han(run) if _keep(w))


def _query_runs(query: str) -> Iterator[tuple[str | None, str | None]]:
    """(Han run, None) or (None, word run) for each run of the folded query."""
    for match in runs(fold(query[:MAX_QUERY_CHARS])):
        yield match.group(1), match.group(2)


def _han_substrings(run: str) -> Iterator[tuple[str, int]]:
    """(substring, start) for each character and each substring of 2..MAX_HAN_TERM characters."""
    for i in range(len(run)):
        yield run[i], i
        for n in range(2, min(MAX_HAN_TERM, len(run) - i) + 1):
            yield run[i : i + n], i


def query_candidates(query: str) -> list[str]:
    """Every string that may be a query term, for one look-up of their document frequencies."""
    out: list[str] = []
    for han, word in _query_runs(query):
        if han is not None:
            out.extend(term for term, _ in _han_substrings(han))
        elif word is not None:
            out.extend(word_terms(word))
    return [t for t in dict.fromkeys(out) if _keep(t)]


def query_terms(query: str, doc_frequency: Callable[[list[str]], dict[str, int]]) -> list[str]:
    """The query's terms against an index, rarest first.

    ``doc_frequency(candidates)`` says in how many documents each candidate
    (:func:`query_candidates`) occurs; missing or 0 means nowhere. A word run
    keeps those of its terms the index holds. A Han run keeps every substring
    of two or more characters the index holds, and a single character only
    where no kept substring covers it. Of these, the :data:`MAX_QUERY_TERMS`
    with the lowest document frequency are the query (ties in query order);
    documents are ranked by BM25 over any of them.
    """
    candidates = query_candidates(query)
    if not candidates:
        return []
    df = doc_frequency(candidates)

    def held(term: str) -> bool:
        return _keep(term) and df.get(term, 0) > 0

    kept: list[str] = []
    for han, word in _query_runs(query):
        if word is not None:
            kept.extend(t for t in word_terms(word) if held(t))
            continue
        assert han is not None
        found = [(s, t) for t, s in _han_substrings(han) if len(t) > 1 and held(t)]
        covered = {i for s, t in found for i in range(s, s + len(t))}
        found += [(i, c) for i, c in enumerate(han) if i not in covered and held(c)]
        kept.extend(t for _, t in sorted(found, key=lambda st: (st[0], len(st[1]))))
    order = {t: i for i, t in reversed(list(enumerate(kept)))}
    return sorted(order, key=lambda t: (df[t], order[t]))[:MAX_QUERY_TERMS]


# --- similarity words (capture's reuse check, related articles) --------------------------

_HAN_RUN = re.compile(f"[{HAN_CHARS}]+")


def segment(text: str, *, limit: int = 20000) -> str:
    """Lower-cased text with every Han run replaced by its jieba words, space-separated."""
    return _HAN_RUN.sub(_segment_match, text[:limit].lower())


def _segment_match(match: re.Match[str]) -> str:
    return " " + " ".join(cut_han(match.group(0))) + " "


_PUNCTUATION = ".,;:!?()[]{}<>\"'`|/\\#*_~=+"


def words(segmented: str) -> list[str]:
    """Content words of already segmented text: stopwords, 1-letter words and numbers dropped."""
    out = []
    for word in segmented.split():
        word = word.strip(_PUNCTUATION)
        if not word or word in STOPWORDS:
            continue
        if (len(word) > 1 and not word.isdigit()) or HAN.match(word):
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
