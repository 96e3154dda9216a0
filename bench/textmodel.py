"""Synthetic text that reads like the real tickets without copying them.

A first-order Markov chain over words (English) or characters (Chinese) is
learned from the real exports at run time. Runs of consecutive corpus tokens are
cut short: after at most ``max_run`` tokens the chain jumps to a token drawn
from the unigram distribution. Real tickets repeat boilerplate phrases hundreds
of times, so the chain could still wander along one; every generated sentence
is therefore checked against all ``window``-token runs of the corpus and any
match is broken by swapping a token. No run of ``window`` consecutive tokens of
a real text is ever shipped (the SGCC file has no licence).

Generating word by word is too slow for 100,000 tickets, so the model first
writes a pool of synthetic sentences and texts are composed from that pool.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_EN_TOKEN = re.compile(r"\S+")
_ZH_SENTENCE_END = "。！？；"
# Runs of this many tokens are never copied from the corpus (about 8 words or 12 characters).
WINDOW = {"en": 8, "zh": 12}
_EN_SENTENCE_END = (".", "!", "?")


@dataclass
class _Table:
    """Tokens with cumulative weights, for ``random.choices``-style draws with bisect."""

    tokens: list[str]
    cumulative: list[int]

    @classmethod
    def from_counter(cls, counts: Counter[str]) -> _Table:
        tokens = sorted(counts)  # sorted: the draw must not depend on insertion order
        return cls(tokens, list(itertools.accumulate(counts[t] for t in tokens)))

    def draw(self, rng: random.Random) -> str:
        return self.tokens[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class TextModel:
    """A token chain learned from real texts. ``joiner`` is " " for words, "" for characters."""

    language: str
    joiner: str
    unigrams: _Table
    transitions: dict[str, _Table]
    max_run: int = 6
    window: int = 8
    corpus_windows: frozenset[int] = field(default_factory=frozenset)
    pool: list[str] = field(default_factory=list)

    @classmethod
    def learn(cls, texts: Iterable[str], language: str, max_run: int | None = None) -> TextModel:
        tokenize = _tokenize_zh if language == "zh" else _tokenize_en
        unigrams: Counter[str] = Counter()
        pairs: dict[str, Counter[str]] = defaultdict(Counter)
        window = WINDOW[language]
        windows: set[int] = set()
        for text in texts:
            tokens = tokenize(text)
            unigrams.update(tokens)
            for a, b in itertools.pairwise(tokens):
                pairs[a][b] += 1
            windows.update(
                hash(tuple(tokens[i : i + window])) for i in range(len(tokens) - window + 1)
            )
        if not unigrams:
            raise ValueError(f"no {language} text to learn from")
        return cls(
            language=language,
            joiner="" if language == "zh" else " ",
            unigrams=_Table.from_counter(unigrams),
            transitions={a: _Table.from_counter(c) for a, c in pairs.items()},
            max_run=max_run or (8 if language == "zh" else 6),
            window=window,
            corpus_windows=frozenset(windows),
        )

    def sentence(self, rng: random.Random, length: int) -> str:
        """``length`` tokens holding no run of ``window`` consecutive corpus tokens."""
        tokens = self._chain(rng, length)
        for _ in range(50):
            hit = self.copied_run(tokens)
            if hit < 0:
                break
            tokens[hit + self.window // 2] = self.unigrams.draw(rng)
        return self._join(tokens)

    def copied_run(self, tokens: Sequence[str]) -> int:
        """Index of the first ``window``-token run also found in the corpus, or -1."""
        w = self.window
        for i in range(len(tokens) - w + 1):
            if hash(tuple(tokens[i : i + w])) in self.corpus_windows:
                return i
        return -1

    def tokenize(self, text: str) -> list[str]:
        return _tokenize_zh(text) if self.language == "zh" else _tokenize_en(text)

    def _chain(self, rng: random.Random, length: int) -> list[str]:
        out: list[str] = []
        token = self.unigrams.draw(rng)
        run = 0
        for _ in range(length):
            out.append(token)
            run += 1
            nxt = self.transitions.get(token)
            if nxt is None or run >= self.max_run:
                token, run = self.unigrams.draw(rng), 0
            else:
                token = nxt.draw(rng)
        return out

    def _join(self, tokens: list[str]) -> str:
        if self.joiner:
            return self.joiner.join(tokens)
        # Chinese: characters touch, but Latin words (IMS, reset bgp) keep a space between them.
        text = ""
        for token in tokens:
            if (
                text
                and text[-1].isascii()
                and text[-1].isalnum()
                and token[:1].isalnum()
                and token[:1].isascii()
            ):
                text += " "
            text += token
        return text

    def build_pool(self, rng: random.Random, size: int, lengths: Sequence[int]) -> None:
        """Write ``size`` sentences whose token counts are drawn from ``lengths``."""
        self.pool = [self.sentence(rng, max(2, rng.choice(lengths))) for _ in range(size)]

    def compose(self, rng: random.Random, chars: int) -> str:
        """A text of about ``chars`` characters made of pool sentences."""
        if chars <= 0:
            return ""
        if not self.pool:
            raise RuntimeError("call build_pool() before compose()")
        end = "。" if self.language == "zh" else ". "
        parts: list[str] = []
        size = 0
        while size < chars:
            part = rng.choice(self.pool)
            if not part.endswith(("。", "！", "？", ".", "!", "?")):
                part += end
            elif self.joiner:
                part += " "
            parts.append(part)
            size += len(part)
        text = "".join(parts)
        if len(text) > chars:
            cut = text[:chars]
            if self.joiner and " " in cut[chars // 2 :]:
                cut = cut[: cut.rfind(" ")]
            text = cut
        return text.rstrip(" ,;:") + ("。" if self.language == "zh" else ".")


def _tokenize_en(text: str) -> list[str]:
    return _EN_TOKEN.findall(text)


def _tokenize_zh(text: str) -> list[str]:
    # Characters, but a run of Latin letters or digits (IMS, I6000, bgp) stays one token.
    return re.findall(r"[A-Za-z0-9_.]+|[^\sA-Za-z0-9_.]", text)


def _split_sentences(text: str, language: str) -> list[str]:
    if language == "zh":
        return [s.strip() for s in re.split(f"[{_ZH_SENTENCE_END}\n]", text) if s.strip()]
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]
