"""The :class:`Redactor`: finds spans with every detector and replaces them in the original text."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from kbgen.redaction.kinds import PLACEHOLDER_RE, PRIORITY, TOKEN_RE, token_for
from kbgen.redaction.listed import (
    ListMatcher,
    build_matcher,
    find_listed,
    host_matcher,
    mention_matcher,
    people_entries,
)
from kbgen.redaction.pii import find_pii
from kbgen.redaction.secrets import find_secrets
from kbgen.redaction.textmap import DetectionText
from kbgen.text import HAN

Span = tuple[int, int, str]

# Each pass can only uncover findings glued to the previous pass's tokens; three is plenty.
_MAX_PASSES = 3


@dataclass(frozen=True)
class Redacted:
    """Redacted text and how many spans of each kind were replaced."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Redactor:
    """Replaces personal data and secrets with visible tokens such as ``[email]``.

    Build one per KB run and derive one per ticket with :meth:`for_people`, so
    the host and term patterns are compiled once. ``markdown=True`` (the
    default) expects kbgen Markdown and emits escaped tokens (``\\[email\\]``);
    ``markdown=False`` is for plain text such as search queries.
    """

    def __init__(
        self,
        *,
        internal_hosts: Iterable[str] = (),
        terms: Iterable[str] = (),
        people: Iterable[str] = (),
        allow: Iterable[str] = (),
        markdown: bool = True,
    ) -> None:
        self.markdown = markdown
        self._hosts = host_matcher(internal_hosts)
        self._terms = build_matcher(terms)
        self._allow = tuple(a.strip() for a in allow if a and a.strip())
        self._allow_re = build_matcher(self._allow)
        self._allow_set = {a.casefold() for a in self._allow}
        self._set_people(people)

    def _set_people(self, people: Iterable[str]) -> None:
        self._people, self._mentions = _people_matchers(tuple(sorted(set(people))))

    def for_people(self, people: Iterable[str]) -> Redactor:
        """A copy sharing this redactor's compiled config, redacting ``people`` (a ticket's user fields)."""
        clone = object.__new__(Redactor)
        clone.__dict__.update(self.__dict__)
        clone._set_people(people)
        return clone

    # --- detection ---------------------------------------------------------

    def find_spans(self, detection: str) -> list[Span]:
        """Merged, non-overlapping spans over a detection copy, minus allowed text and existing tokens."""
        spans = list(self._raw_spans(detection))
        if not spans:
            return []
        protected = [(m.start(), m.end()) for m in TOKEN_RE.finditer(detection)]
        if "ph_" in detection:
            protected.extend((m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(detection))
        if self._allow_re is not None:
            protected.extend((m.start(), m.end()) for m in self._allow_re.finditer(detection))
        protected.sort()
        starts = [start for start, _end in protected]
        reach = list(accumulate((end for _start, end in protected), max))
        kept = [
            s
            for s in spans
            if not _inside_any(s, starts, reach)
            and detection[s[0] : s[1]].casefold() not in self._allow_set
        ]
        return merge_spans(kept)

    def _raw_spans(self, text: str) -> Iterator[Span]:
        lowered = text.lower()
        yield from find_secrets(text, lowered)
        yield from find_pii(text)
        yield from find_listed(text, self._hosts, "internal-host", lowered)
        yield from find_listed(text, self._people, "name", lowered)
        yield from find_listed(text, self._mentions, "name", lowered)
        yield from find_listed(text, self._terms, "term", lowered)

    # --- replacement -------------------------------------------------------

    def redact(self, text: str) -> Redacted:
        """Replace every finding in ``text``; the rest of the text is kept byte for byte.

        A replacement can expose a neighbour that was glued to it
        (``user@example.com10.0.0.1`` -> ``user@example.com[ip]``), so passes repeat
        until nothing changes; that is also what makes redacting twice a no-op.
        """
        counts: Counter[str] = Counter()
        for _ in range(_MAX_PASSES):
            text, found, glued = self._redact_once(text)
            counts.update(found)
            if not glued:
                break
        if self.markdown and counts:
            text = unlink_redacted_targets(text)
        return Redacted(text, dict(sorted(counts.items())))

    def _redact_once(self, text: str) -> tuple[str, Counter[str], bool]:
        """One pass: the new text, counts, and whether a token landed next to value characters."""
        counts: Counter[str] = Counter()
        if not text:
            return text or "", counts, False
        detection = DetectionText(text, markdown=self.markdown)
        spans = self.find_spans(detection.text)
        if not spans:
            return text, counts, False
        out: list[str] = []
        pos = 0
        glued = False
        for start, end, kind in spans:
            orig_start, orig_end = detection.span(start, end)
            out.append(text[pos:orig_start])
            in_code = detection.in_code(orig_start)
            out.append(token_for(kind, markdown=self.markdown and not in_code))
            pos = orig_end
            counts[kind] += 1
            glued = glued or _gluable(text, orig_start - 1) or _gluable(text, orig_end)
        out.append(text[pos:])
        return "".join(out), counts, glued


# A Markdown link whose destination now holds a token: "[the runbook](https://wiki.\\[name\\].example/)".
# No URL can carry a token (MkDocs even fails on "http://[ip]/", a broken IPv6 literal), so
# the link goes and its label stays; an autolink "<http://[ip]/x>" becomes plain text.
_LINK_WITH_TOKEN = re.compile(
    r"(!?)(?<!\\)\[((?:\\.|[^\]\\\n])*)\]\(<?([^()\s<>]*?\\?\[[a-z-]+\\?\][^()\s<>]*)>?\)"
)
_AUTOLINK_WITH_TOKEN = re.compile(r"<([a-z][a-z0-9+.-]*:[^<>\s]*\[[a-z-]+\][^<>\s]*)>", re.I)


@lru_cache(maxsize=4096)
def _people_matchers(people: tuple[str, ...]) -> tuple[ListMatcher | None, ListMatcher | None]:
    """Compiled name and mention patterns, cached: the same agents appear on many tickets,
    and compiling a ticket's alternation costs more than redacting its text."""
    words, logins = people_entries(people)
    return build_matcher(words), mention_matcher(logins)


def unlink_redacted_targets(text: str) -> str:
    """Turn links whose target was redacted into plain text (images into nothing)."""
    text = _LINK_WITH_TOKEN.sub(lambda m: "" if m.group(1) else m.group(2), text)
    return _AUTOLINK_WITH_TOKEN.sub(
        lambda m: m.group(1).replace("[", "\\[").replace("]", "\\]"), text
    )


def _gluable(text: str, pos: int) -> bool:
    """Whether the character at ``pos`` could belong to a value cut off by a neighbouring token."""
    if not 0 <= pos < len(text):
        return False
    char = text[pos]
    if char in _VALUE_PUNCTUATION:
        return True
    # Chinese characters are alphanumeric to Python but never part of a detected value.
    return char.isalnum() and not HAN.match(char)


_VALUE_PUNCTUATION = frozenset("@._%+-:/\\&#=~")


def _inside_any(span: Span, starts: list[int], reach: list[int]) -> bool:
    """Whether ``span`` lies within a protected region.

    ``starts`` are the regions' sorted starts and ``reach[i]`` the furthest end among the
    first ``i + 1`` regions, so one bisect answers it.
    """
    i = bisect_right(starts, span[0]) - 1
    return i >= 0 and reach[i] >= span[1]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans become one, of the kind that comes first in KINDS (secrets before emails)."""
    ordered = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]), PRIORITY[s[2]]))
    merged: list[Span] = []
    for start, end, kind in ordered:
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            if PRIORITY[kind] < PRIORITY[last_kind]:
                last_kind = kind
            merged[-1] = (last_start, max(end, last_end), last_kind)
        else:
            merged.append((start, end, kind))
    return merged
