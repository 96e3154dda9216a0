"""Detectors built from lists: internal hosts and terms (config) and the ticket's own people.

There is no NER: a person's name is redacted only because the ticket names
that person in a user field (reporter, assignee, comment author), which the
source passes in as ``ticket.people``. Policy, per entry:

* emails, multi-word names and logins containing a digit or ``. _ -`` are
  distinctive: redacted everywhere as whole words, case-insensitively;
* single words (a login ``otis``, a part of ``Doug Cutting``, the local part of
  ``cutting@apache.org``) are redacted as whole words unless they are shorter
  than 3 letters or are ordinary English words (``cutting``, ``will``, ``mark``):
  those are redacted only in mention form (``@cutting``, ``[~cutting]``);
* a name that looks like a team (``Lucene Developers``, ``IT Support``) or a
  numbered label (``Caller 2403``) is redacted as the whole phrase only, never
  word by word; only capitalised parts of a name are used on their own;
* names in Chinese (or any script without spaces) are matched as substrings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from kbgen.text import HAN, is_missing

Span = tuple[int, int, str]

_ASCII_WORD = r"A-Za-z0-9_"
_HAN = HAN

TEAM_WORDS = frozenset(
    [
        "admin", "admins", "administrator", "administrators", "bot", "committers", "desk",
        "developers", "dev", "devs", "group", "help", "helpdesk", "list", "mailing", "noreply",
        "no-reply", "operations", "ops", "project", "service", "services", "support", "system",
        "team", "users",
    ]
)  # fmt: skip
# Ordinary English words that are also given names, surnames or logins (Mark, Will, root).
COMMON_WORDS = frozenset(
    [
        "admin", "all", "april", "art", "august", "bell", "best", "bill", "black", "bond",
        "brown", "buck", "bush", "can", "case", "chase", "cook", "cutting", "dale", "dawn",
        "day", "dean", "dev", "drew", "duke", "early", "eve", "fair", "faith", "field", "fish",
        "ford", "fox", "frank", "free", "gay", "glen", "gold", "golden", "grace", "grant",
        "gray", "green", "guest", "hall", "hand", "hardy", "hart", "hill", "holly", "hope",
        "house", "hunt", "hunter", "info", "ivy", "jack", "jade", "jay", "joy", "july", "june",
        "king", "knight", "lake", "lane", "law", "lee", "link", "long", "love", "lucky",
        "major", "march", "mark", "marsh", "may", "miles", "mill", "moon", "new", "oracle",
        "page", "park", "pat", "penny", "pine", "pool", "pope", "porter", "price", "prince",
        "ray", "read", "reed", "rich", "rob", "robin", "rock", "root", "rose", "rush", "sage",
        "sandy", "short", "smith", "son", "spring", "star", "steel", "stone", "storm",
        "summer", "support", "swift", "sys", "system", "test", "tester", "true", "user",
        "wade", "wall", "ward", "warren", "water", "white", "will", "win", "wolf", "wood",
        "woods", "young",
    ]
)  # fmt: skip


@dataclass(frozen=True)
class ListMatcher:
    """An alternation plus lowercase needles: most texts contain none, and ``in`` is cheap.

    The pattern is compiled on first use: every ticket gets its own people matcher, and
    compiling it cost more than redacting the ticket when none of the names occurs.
    """

    source: str
    needles: tuple[str, ...]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.IGNORECASE)

    def finditer(self, text: str, lowered: str | None = None) -> Iterator[re.Match[str]]:
        lowered = text.lower() if lowered is None else lowered
        if any(needle in lowered for needle in self.needles):
            yield from self.pattern.finditer(text)


def _needle(entry: str) -> str:
    return max(entry.split(), key=len).lower()


def _boundary(entry: str, pattern: str) -> str:
    """Whole-word lookarounds on the sides where the entry starts or ends with an ASCII word character."""
    before = f"(?<![{_ASCII_WORD}])" if re.match(f"[{_ASCII_WORD}]", entry) else ""
    after = f"(?![{_ASCII_WORD}])" if re.search(f"[{_ASCII_WORD}]$", entry) else ""
    return before + pattern + after


def _literal(entry: str) -> str:
    # Any run of whitespace in a configured phrase matches any run in the text.
    return r"\s+".join(re.escape(part) for part in entry.split())


def build_matcher(entries: Iterable[str]) -> ListMatcher | None:
    """One case-insensitive alternation, longest entries first, each with its own word boundaries."""
    unique = sorted({e.strip() for e in entries if e and e.strip()}, key=lambda e: (-len(e), e))
    if not unique:
        return None
    source = "|".join(_boundary(e, _literal(e)) for e in unique)
    return ListMatcher(source, tuple(sorted({_needle(e) for e in unique})))


def host_matcher(hosts: Iterable[str]) -> ListMatcher | None:
    """A host and every subdomain of it: ``corp.example.com`` also covers ``wiki.corp.example.com``.

    A bare name (``fileserver01``) also covers its fully qualified forms (``fileserver01.corp``).
    """
    names = sorted(
        {h.strip().strip(".").lower() for h in hosts if h and h.strip()}, key=len, reverse=True
    )
    if not names:
        return None
    domains = "|".join(re.escape(n) for n in names if "." in n)
    bare = "|".join(re.escape(n) for n in names if "." not in n)
    alternatives = []
    if domains:
        alternatives.append(
            rf"(?<![A-Za-z0-9\-.])(?:[A-Za-z0-9\-]+\.)*(?:{domains})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
        )
    if bare:
        alternatives.append(
            rf"(?<![A-Za-z0-9\-.])(?:[A-Za-z0-9\-]+\.)*(?:{bare})(?:\.[A-Za-z0-9\-]+)*(?![A-Za-z0-9\-])"
        )
    return ListMatcher("|".join(alternatives), tuple(names))


def people_entries(people: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split the ticket's people into (whole-word entries, mention-only logins)."""
    words: set[str] = set()
    mentions: set[str] = set()

    def add_single(word: str) -> None:
        if _HAN.search(word):
            if len(word) >= 2:
                words.add(word)
            return
        distinctive = any(not c.isalpha() for c in word)
        if len(word) >= 3 and (distinctive or word.lower() not in COMMON_WORDS):
            words.add(word)
        elif len(word) >= 2:
            mentions.add(word)

    for raw in people:
        person = " ".join((raw or "").split())
        # "?", "N/A", "无", "-": a source's "no value", which must not become a pattern.
        if is_missing(person) or not any(c.isalnum() for c in person):
            continue
        if "@" in person and " " not in person:
            local, _, domain = person.partition("@")
            if local and domain:
                words.add(person)
                add_single(local)
        elif " " in person:
            words.add(person)
            parts = [p.strip(".,()") for p in person.split(" ")]
            # "Caller 2403" and "Opened by 397" (ServiceNow pseudonyms) are labels, not names.
            label = any(ch.isdigit() for ch in person)
            if not label and not any(p.lower() in TEAM_WORDS for p in parts):
                for part in parts:
                    if part[:1].isupper() or _HAN.search(part):
                        add_single(part)
        else:
            add_single(person)
    return sorted(words), sorted(mentions | words)


def mention_matcher(logins: Iterable[str]) -> ListMatcher | None:
    """``@login`` and Jira's ``[~login]``: unambiguous even for ordinary words."""
    names = sorted({n for n in logins if n and not _HAN.search(n)}, key=len, reverse=True)
    if not names:
        return None
    alternation = "|".join(re.escape(n) for n in names)
    source = rf"\[~(?:{alternation})\]|(?<![A-Za-z0-9_.])@(?:{alternation})(?![{_ASCII_WORD}])"
    return ListMatcher(source, ("[~", "@"))


def find_listed(
    text: str, matcher: ListMatcher | None, kind: str, lowered: str | None = None
) -> Iterator[Span]:
    if matcher is None:
        return
    for m in matcher.finditer(text, lowered):
        if m.end() > m.start():
            yield m.start(), m.end(), kind
