"""Detectors for personal data with a recognisable shape: emails, phones, IPs, IDs, cards, IBANs.

Every pattern runs on the detection copy (ASCII digits after NFKC) and uses
ASCII classes with lookarounds: ``\\b`` fails next to Chinese characters
(they are ``\\w``) and ``\\d`` matches every script's digits. Number-shaped
detectors are validated (checksum, address range, context) before they count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kbgen.redaction.checksums import (
    card_prefix_ok,
    cn_id_ok,
    iban_ok,
    ipv4_ok,
    ipv6_ok,
    luhn_ok,
)

Span = tuple[int, int, str]

# ASCII only, so ``帐号ctxadmin@yzd.sgcc.com无法`` yields just the address.
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)
# Patterns start with a character class and check the character before it with a
# two-character lookbehind: same meaning as a leading lookbehind, but re can then
# skip ahead to candidate characters, which is several times faster.
IPV4 = re.compile(
    r"[0-9](?<![0-9.][0-9])[0-9]{0,2}\.(?:[0-9]{1,3}\.){2}[0-9]{1,3}(?![0-9]|\.[0-9])"
)
# A maximal run of hex digits, dots and colons with at least one colon; the address is
# looked for inside it, because a label's colon may be glued on ("IP:fe80::1", "java:123：fe80::1").
IPV6_RUN = re.compile(r"[0-9A-Fa-f:.](?<![0-9A-Fa-f:.][0-9A-Fa-f:.])[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")
_IDENTIFIER_CHAR = re.compile(r"[0-9A-Za-z_]")
MAC = re.compile(
    r"[0-9A-Fa-f](?<![0-9A-Za-z:\-][0-9A-Fa-f])[0-9A-Fa-f]([:\-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
    r"(?![0-9A-Za-z:\-])"
)
_IPV6_HINT = re.compile(r"[0-9A-Fa-f:]:[0-9A-Fa-f]{0,4}:")
# Words just before (or just after) a dotted quad that make it a version, not an address:
# ``版本10.2.0.1``, ``版本由10.3.6.0升级到11.0.2.4版本``, ``firmware 2.4.1.12``, ``v1.2.3.4``.
_VERSION_BEFORE = re.compile(
    r"(?i)(?:(?:版本|升级|补丁|固件|驱动)[^0-9\n]{0,6}"
    r"|(?<![A-Za-z])(?:version|release|build|patch|firmware|driver|kernel|ver\.?)[ \t:=]{0,3}"
    r"|(?<![A-Za-z])v)$"
)
_VERSION_AFTER = re.compile(r"(?i)^\s?(?:版本|version|\.[A-Za-z])")

CN_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:\(?(?:\+|00)86\)?[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9A-Za-z])"
)
CN_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2}-)[2-9][0-9]{6,7}(?![0-9])"
)
INTERNATIONAL = re.compile(
    r"(?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .\-]?\(?[0-9]{1,4}\)?){2,6}(?![0-9A-Za-z])"
)
NANP = re.compile(
    r"(?<![0-9A-Za-z])(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}"
    r"(?![0-9A-Za-z]|[.\-][0-9])"
)
# A number right after a phone word: ``电话：010 1234 5678``, ``Tel 0049 30 1234567``.
PHONE_CONTEXT = re.compile(
    r"(?i)(?:电话|手机|座机|固话|联系方式|分机|传真|(?<![A-Za-z])(?:tel|phone|mobile|cell|fax)(?![A-Za-z]))"
    r"(?:号码|号|number|no\.?)?[ \t]*[:#]?[ \t]*(\+?[0-9][0-9 \-()]{5,18}[0-9])(?![0-9])"
)

CN_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
CN_ID_15 = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}(?![0-9A-Za-z])"
)
_ID_CONTEXT = re.compile(r"(?i)(?:身份证|证件|id\s*(?:card|number|no))[^\n]{0,12}$")

CARD = re.compile(r"(?<![0-9A-Za-z.\-])[0-9](?:[ \-]?[0-9]){12,18}(?![0-9A-Za-z]|[.,\-][0-9])")
_CARD_CONTEXT = re.compile(r"(?i)(?:卡号|银行卡|信用卡|card)[^\n]{0,12}$")
IBAN = re.compile(
    r"(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![0-9A-Za-z])"
)


def find_pii(text: str) -> Iterator[Span]:
    """Spans of structured personal data in a detection copy."""
    if "@" in text:
        for m in EMAIL.finditer(text):
            yield m.start(), m.end(), "email"
    if "." in text:
        yield from _ipv4(text)
    if ":" in text or "-" in text:
        yield from _ipv6_and_mac(text)
    if _has_digit_run(text):
        yield from _phones(text)
        yield from _ids_and_cards(text)
        yield from _ibans(text)


_DIGIT_RUN = re.compile(r"[0-9]{3}")


def _has_digit_run(text: str) -> bool:
    return _DIGIT_RUN.search(text) is not None


def _ipv4(text: str) -> Iterator[Span]:
    for m in IPV4.finditer(text):
        if not ipv4_ok(m.group()):
            continue
        before = text[max(0, m.start() - 14) : m.start()]
        after = text[m.end() : m.end() + 8]
        if _VERSION_BEFORE.search(before) or _VERSION_AFTER.search(after):
            continue
        yield m.start(), m.end(), "ip"


def _ipv6_and_mac(text: str) -> Iterator[Span]:
    if _IPV6_HINT.search(text):
        for m in IPV6_RUN.finditer(text):
            found = _address_in_run(text, m.start(), m.group())
            if found:
                yield found[0], found[1], "ip"
    for m in MAC.finditer(text):
        yield m.start(), m.end(), "mac"


def _address_in_run(text: str, base: int, run: str) -> tuple[int, int] | None:
    """The longest IPv6 address that ends the run, from its start or one of its first colons."""
    if "::" not in run and run.count(":") < 7:
        return None
    end = base + len(run)
    if end < len(text) and _IDENTIFIER_CHAR.match(text, end):
        return None  # "fe80::1g" is part of an identifier
    trimmed = run.rstrip(".")
    if trimmed.endswith(":") and not trimmed.endswith("::"):
        trimmed = trimmed[:-1]
    starts = [0] + [
        i + 1 for i, ch in enumerate(trimmed) if ch == ":" and trimmed[i + 1 : i + 2] != ":"
    ]
    # Only a short label or number may be glued before the address ("a:123:fe80::1"); an
    # address is at most 45 characters long.
    for start in (s for s in starts[:3] if len(trimmed) - s <= 45):
        if start == 0 and base > 0 and _IDENTIFIER_CHAR.match(text, base - 1):
            continue  # "std::" or "xfe80::1": glued to a word
        if ipv6_ok(trimmed[start:]):
            return base + start, base + len(trimmed)
    return None


def _digit_count(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _phones(text: str) -> Iterator[Span]:
    for m in CN_MOBILE.finditer(text):
        yield m.start(), m.end(), "phone"
    for m in CN_LANDLINE.finditer(text):
        yield m.start(), m.end(), "phone"
    if "+" in text:
        for m in INTERNATIONAL.finditer(text):
            if 8 <= _digit_count(m.group()) <= 15:
                yield m.start(), m.end(), "phone"
    for m in NANP.finditer(text):
        yield m.start(), m.end(), "phone"
    for m in PHONE_CONTEXT.finditer(text):
        if 7 <= _digit_count(m.group(1)) <= 15:
            yield m.start(1), m.end(1), "phone"


def _ids_and_cards(text: str) -> Iterator[Span]:
    for m in CN_ID.finditer(text):
        # Policy: a wrong check digit is left alone unless the words around say it is an ID.
        if cn_id_ok(m.group()) or _ID_CONTEXT.search(text[max(0, m.start() - 24) : m.start()]):
            yield m.start(), m.end(), "id-number"
    for m in CN_ID_15.finditer(text):
        if _ID_CONTEXT.search(text[max(0, m.start() - 24) : m.start()]):
            yield m.start(), m.end(), "id-number"
    for m in CARD.finditer(text):
        raw = m.group()
        digits = raw.replace(" ", "").replace("-", "")
        if not 13 <= len(digits) <= 19 or not luhn_ok(digits) or len(set(digits)) < 2:
            continue
        if not _card_grouping_ok(raw):
            continue
        context = _CARD_CONTEXT.search(text[max(0, m.start() - 24) : m.start()])
        if card_prefix_ok(digits) or context:
            yield m.start(), m.end(), "card"


def _card_grouping_ok(raw: str) -> bool:
    """Unseparated, or groups as printed on cards (4-4-4-4[-3], Amex 4-6-5)."""
    groups = re.split(r"[ \-]", raw)
    if len(groups) == 1:
        return True
    if len({sep for sep in raw if sep in " -"}) != 1:
        return False
    sizes = [len(g) for g in groups]
    if sizes == [4, 6, 5] or sizes == [4, 6, 4]:
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _ibans(text: str) -> Iterator[Span]:
    for m in IBAN.finditer(text):
        if iban_ok(m.group().replace(" ", "")):
            yield m.start(), m.end(), "iban"
