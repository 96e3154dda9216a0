"""Field notes §7 items 24-25: placeholders stay, tokens render visibly, redaction is idempotent."""

from __future__ import annotations

import json

import markdown as python_markdown
import pytest

from kbgen.redaction import KINDS, Redactor, scan_text
from kbgen.text import plain_to_markdown

PLACEHOLDERS = [
    "ph\\_user asked ph\\_name about ph\\_technical26",
    "password : ph\\_technical",
    "خطأ ph\\_technicalالى الخادم",
    "see ph\\_link and ph\\_ip\\_address",
]


@pytest.mark.parametrize("markdown", PLACEHOLDERS)
def test_placeholders_are_neither_redacted_nor_flagged(markdown: str) -> None:
    assert Redactor().redact(markdown).text == markdown
    assert scan_text(markdown) == []


def test_no_token_uses_angle_brackets() -> None:
    assert all("<" not in k.token and ">" not in k.token for k in KINDS)
    assert [k.name for k in KINDS] == [
        "secret", "credentials", "email", "id-number", "card", "iban", "phone", "ip", "mac",
        "internal-host", "name", "term",
    ]  # fmt: skip


def test_tokens_render_as_visible_text_even_before_a_parenthesis() -> None:
    plain = "Mail jane@example.com(work) or see 10.0.0.1 [x](javascript:alert(1))"
    redacted = Redactor(people=["Jane Roe"]).redact(plain_to_markdown(plain)).text
    html = python_markdown.markdown(redacted)
    assert html == ("<p>Mail [email](work) or see [ip] [x](javascript:alert(1))</p>")


def test_every_token_is_visible_in_html_and_in_a_search_index() -> None:
    for kind in KINDS:
        markdown = f"before \\[{kind.token[1:-1]}\\](after) end"
        html = python_markdown.markdown(markdown)
        assert html == f"<p>before {kind.token}(after) end</p>"
        # The search index stores page text as JSON; the token survives the round trip.
        index = json.dumps({"docs": [{"text": html}]}, ensure_ascii=False)
        assert kind.token in json.loads(index)["docs"][0]["text"]


REDACTABLE = (
    "Contact jane@example.com or 13812345678 at 10.0.0.1.\\\n"
    "password: hunter2, 身份证11010519491231002X, 帐号ctxadmin@yzd.sgcc.com无法登录\\\n"
    "Jane Roe said https://u:p4ss@corp.example.com/x and wiki.corp.example.com"
)


@pytest.mark.parametrize("markdown_mode", [True, False])
def test_redacting_twice_is_a_no_op(markdown_mode: bool) -> None:
    redactor = Redactor(
        internal_hosts=["corp.example.com"], people=["Jane Roe"], markdown=markdown_mode
    )
    once = redactor.redact(REDACTABLE)
    twice = redactor.redact(once.text)
    assert twice.text == once.text
    assert twice.counts == {}
    assert scan_text(once.text, internal_hosts=["corp.example.com"]) == []


def test_redacted_sample_is_exact() -> None:
    redactor = Redactor(internal_hosts=["corp.example.com"], people=["Jane Roe"])
    assert redactor.redact(REDACTABLE).text == (
        "Contact \\[email\\] or \\[phone\\] at \\[ip\\].\\\n"
        "password: \\[secret\\], 身份证\\[id-number\\], 帐号\\[email\\]无法登录\\\n"
        "\\[name\\] said https://\\[credentials\\]/x and \\[internal-host\\]"
    )
