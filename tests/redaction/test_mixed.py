"""Seeded mixtures of filler text and generated PII: nothing survives, and a second pass is a no-op."""

from __future__ import annotations

import random

import pytest

from kbgen.redaction import Redactor, scan_text
from kbgen.text import plain_to_markdown

FILLER = [
    "重启服务后恢复", "the index was rebuilt", "版本3.11.7", "见LUCENE-1234", "at Foo.java:123",
    "List<String>", "2017年11月9日9点35分", "ph_user said", "**bold**", "(see above)", "。", "，",
    "C:\\temp\\a_b.log", "x = y * 2", "#42", "INC0000045",
]  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _pii(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        user = rng.choice(["john_doe", "a.b-c", "x+tag", "ctxadmin"])
        return (
            f"{user}{rng.randrange(100)}@{rng.choice(['example.com', 'yzd.sgcc.com', 'a.co.uk'])}"
        )
    if kind == 1:
        number = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        return number.translate(FULL_WIDTH) if rng.random() < 0.3 else number
    if kind == 2:
        return ".".join(str(rng.randrange(1, 255)) for _ in range(4))
    if kind == 3:
        return f"password: Pw{rng.randrange(10**6)}!x"
    return f"{rng.randrange(1, 0xFFFF):x}:{rng.randrange(0xFFFF):x}::{rng.randrange(1, 0xFFFF):x}"


def _secret_value(piece: str) -> str:
    return piece.split(": ", 1)[1] if piece.startswith("password: ") else piece


@pytest.mark.parametrize("seed", range(40))
def test_generated_pii_never_survives(seed: int) -> None:
    rng = random.Random(seed)
    pieces = [rng.choice(FILLER) for _ in range(12)]
    secrets = [_pii(rng) for _ in range(4)]
    for secret in secrets:
        # Glued to Chinese or set off by punctuation, as in real tickets; never glued to
        # ASCII letters or digits, which would make it part of another token.
        before, after = (
            rng.choice(["号", " ", "：", "\n", "（"]),
            rng.choice(["请", " ", "，", "）"]),
        )
        pieces.insert(rng.randrange(len(pieces) + 1), before + secret + after)
    markdown = plain_to_markdown("".join(pieces))
    redactor = Redactor()
    once = redactor.redact(markdown)
    assert once.total >= len(secrets) - 1  # two generated values may merge into one span
    for secret in secrets:
        assert _secret_value(secret) not in once.text, (seed, secret, once.text)
    assert redactor.redact(once.text).text == once.text
    assert scan_text(once.text) == []


SOUP = [
    *"abcxyzABC0123456789 .:@-_/\\&;#[]()`*+=!\n",
    "&lt;", "&#64;", "１", "：", "电话", "密码", "password", "token", "::", "10.0.0.1", "fe80",
    "ph_user", "\u200b", "⑩", "@example.com", "+86", "138", "Bearer ", "```\n", "Doug",
    "-----BEGIN RSA PRIVATE KEY-----", "corp.example.com", "身份证", "4111111111111111",
    "GB82WEST12345698765432",
]  # fmt: skip


@pytest.mark.parametrize("markdown_mode", [True, False])
def test_random_soup_is_idempotent_and_rescans_clean(markdown_mode: bool) -> None:
    """Glued, half-escaped fragments: whatever the first pass leaves, a second pass keeps."""
    redactor = Redactor(
        people=["Doug Cutting"], internal_hosts=["corp.example.com"], markdown=markdown_mode
    )
    failures = []
    for seed in range(300):
        rng = random.Random(seed)
        text = "".join(rng.choice(SOUP) for _ in range(rng.randrange(1, 60)))
        if markdown_mode:
            text = plain_to_markdown(text)
        once = redactor.redact(text).text
        if redactor.redact(once).text != once or scan_text(
            once, internal_hosts=["corp.example.com"]
        ):
            failures.append((seed, text))
    assert failures == []
