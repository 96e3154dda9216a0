"""Grouping similar short texts (search queries, ticket symptoms) without an index.

Gaps cluster thousands of tickets, so similarity here is a cheap, deterministic
set overlap computed once per text: English words (case-folded, light plural
stripping) and, for Chinese, overlapping character pairs, since Chinese has no
spaces and a two-character window catches most words (打印机 -> 打印, 印机).
Whether an article already covers a ticket is decided on capture's own scale
(``kbgen.search.find_similar``) where the search stage is available.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from kbgen.search import STOPWORDS
from kbgen.text import HAN, HAN_CHARS

T = TypeVar("T")

_WORD = re.compile(rf"[{HAN_CHARS}]+|[^\W_]+", re.UNICODE)
_IS_HAN = HAN


def normalise_query(text: str) -> str:
    """The form under which two searches count as the same: NFKC, case-folded, single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def shingles(text: str) -> frozenset[str]:
    """The comparison units of ``text``: content words, and character pairs for Chinese runs."""
    units: set[str] = set()
    for token in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        if _IS_HAN.match(token):
            if len(token) == 1:
                units.add(token)
            units.update(token[i : i + 2] for i in range(len(token) - 1))
        elif token not in STOPWORDS and not token.isdigit():
            # "printers" and "printer" are the same complaint.
            units.add(token[:-1] if len(token) > 3 and token.endswith("s") else token)
    return frozenset(units)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_similarity(a: str, b: str) -> float:
    return overlap(shingles(a), shingles(b))


@dataclass
class Cluster(Generic[T]):
    """Items judged to describe one problem; the first item is the representative."""

    items: list[T] = field(default_factory=list)
    units: frozenset[str] = frozenset()


def cluster_texts(
    items: Iterable[T],
    text_of: Callable[[T], str],
    threshold: float,
) -> list[Cluster[T]]:
    """Greedy single pass: each item joins the most similar cluster at or above ``threshold``.

    Items are taken in the order given, so callers sort first (by date, id) to
    make the result reproducible. An item with no comparable text forms its own
    cluster rather than being merged with every other empty item.
    """
    clusters: list[Cluster[T]] = []
    for item in items:
        units = shingles(text_of(item))
        best: Cluster[T] | None = None
        best_score = 0.0
        if units:
            for cluster in clusters:
                score = overlap(units, cluster.units)
                if score >= threshold and score > best_score:
                    best, best_score = cluster, score
        if best is None:
            clusters.append(Cluster(items=[item], units=units))
        else:
            best.items.append(item)
    return clusters


def similar_pairs(
    texts: Sequence[tuple[str, str]],
    threshold: float,
    similarity: Callable[[str, str], float] | None = None,
) -> list[tuple[str, str, float]]:
    """Every pair ``(key_a, key_b, score)`` with score at or above ``threshold``, keys ordered.

    Without a ``similarity`` function, texts are compared by shingle overlap,
    each text's shingles computed once.
    """
    if similarity is None:
        units = [shingles(text) for _, text in texts]

        def score(i: int, j: int) -> float:
            return overlap(units[i], units[j])
    else:
        scorer = similarity

        def score(i: int, j: int) -> float:
            return scorer(texts[i][1], texts[j][1])

    pairs = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            value = score(i, j)
            if value >= threshold:
                first, second = sorted((texts[i][0], texts[j][0]))
                pairs.append((first, second, value))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
