"""Merging near-identical tickets of one batch into one draft, in roughly linear time.

LUCENE-2 and LUCENE-3 share a description; the State Grid export repeats one
outage text for every province. Comparing every pair is O(n²) (5·10⁹ pairs at
100k tickets), so each text gets a 32-slot MinHash signature, the signature is
cut into 8 bands of 4 slots, and only tickets sharing a whole band are compared
(locality-sensitive hashing): pairs at 0.8 similarity meet with p ≈ 0.98, pairs
at 0.2 with p ≈ 0.013.
The similarity that decides (and is reported) is the exact Jaccard similarity
of word (or Han character) bigram sets, in 0..1, computed only for candidates.

Why not the search engine's cosine of content words: State Grid reports share
a template ("X月X日 ... 国网信通调度监控发现国网XX电力XX系统监控状态异常"), so
distinct outages in different provinces score 0.8+ on content words, while
their bigram sets (dates, province, system) differ enough to stay apart.
"""

from __future__ import annotations

import re
import zlib
from array import array
from dataclasses import dataclass, field

from kbgen.text import HAN_CHARS, unescape_markdown

SLOTS = 32
ROWS_PER_BAND = 4  # 8 bands: pairs at 0.8 similarity become candidates with p ≈ 0.98
_TOKEN = re.compile(rf"[{HAN_CHARS}]|[^\W_]+")


def shingles(text: str) -> set[int]:
    """Hashes of token bigrams (tokens: words, single Han characters, digits)."""
    tokens = _TOKEN.findall(unescape_markdown(text).casefold())
    if len(tokens) < 2:
        grams = tokens
    else:
        grams = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    # crc32 is linear; one multiplicative mix makes "hash XOR mask" a fair permutation.
    return {(zlib.crc32(g.encode("utf-8")) * 0x9E3779B1) & 0xFFFFFFFF for g in grams}


# One random 32-bit mask per slot: slot i ranks shingles by (hash XOR mask_i). Cheap
# permutations of already well-mixed hashes, fixed so signatures are the same every run.
_MASKS = [zlib.crc32(f"slot-{i}".encode()) for i in range(SLOTS)]
SAMPLE = 48  # signatures use the 48 smallest shingle hashes: a consistent sample, bounded cost


def signature(hashes: set[int]) -> tuple[int, ...] | None:
    """MinHash over a bottom-k sample of the shingles (similar sets give similar samples)."""
    if not hashes:
        return None
    sample = sorted(hashes)[:SAMPLE] if len(hashes) > SAMPLE else list(hashes)
    return tuple(min([h ^ m for h in sample]) for m in _MASKS)


def jaccard(a: set[int], b: array[int]) -> float:
    other = set(b)
    union = len(a | other)
    return len(a & other) / union if union else 0.0


@dataclass(frozen=True)
class Fingerprint:
    signature: tuple[int, ...]
    shingles: array[int]


@dataclass
class Cluster:
    key: int  # position of the cluster in the batch, used to find its draft
    signature: tuple[int, ...]
    shingles: array[int]  # sorted bigram hashes of the representative, for the exact check
    members: list[tuple[str, float]] = field(default_factory=list)  # (ticket id, similarity)


class BatchMerger:
    """Assign each ticket text to an earlier cluster it matches, or start a new one."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.clusters: list[Cluster] = []
        self._bands: dict[tuple[int, tuple[int, ...]], list[int]] = {}

    def match(self, text: str) -> tuple[Cluster | None, float, Fingerprint | None]:
        """The best earlier cluster at or above the threshold, its score, and the text's fingerprint."""
        hashes = shingles(text)
        sig = signature(hashes)
        if sig is None:
            return None, 0.0, None
        seen: set[int] = set()
        best: Cluster | None = None
        best_score = 0.0
        for band in range(0, SLOTS, ROWS_PER_BAND):
            for index in self._bands.get((band, sig[band : band + ROWS_PER_BAND]), ()):
                if index in seen:
                    continue
                seen.add(index)
                cluster = self.clusters[index]
                score = jaccard(hashes, cluster.shingles)
                if score >= self.threshold and score > best_score:
                    best, best_score = cluster, score
        return best, best_score, Fingerprint(sig, array("I", sorted(hashes)))

    def add(self, key: int, fingerprint: Fingerprint | None) -> Cluster | None:
        """Start a cluster for a drafted ticket (texts without shingles never merge)."""
        if fingerprint is None:
            return None
        sig = fingerprint.signature
        cluster = Cluster(key=key, signature=sig, shingles=fingerprint.shingles)
        index = len(self.clusters)
        self.clusters.append(cluster)
        for band in range(0, SLOTS, ROWS_PER_BAND):
            self._bands.setdefault((band, sig[band : band + ROWS_PER_BAND]), []).append(index)
        return cluster
