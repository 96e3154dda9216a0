"""Field notes §7 item 22: the synthetic PII fixture set, each with its exact redacted output."""

from __future__ import annotations

import pytest

from kbgen.redaction import Redactor
from kbgen.text import plain_to_markdown

PII_CASES = [
    # Chinese mobile numbers: glued to Chinese text, +86 with dashes, full-width digits.
    ("联系电话13812345678请回电", "联系电话\\[phone\\]请回电"),
    ("手机：+86 138-1234-5678", "手机：\\[phone\\]"),
    ("电话１３８１２３４５６７８，谢谢", "电话\\[phone\\]，谢谢"),
    ("座机 010-62345678", "座机 \\[phone\\]"),
    ("电话：0571 8888 6666", "电话：\\[phone\\]"),
    ("call (415) 555-2671 or +44 20 7946 0958", "call \\[phone\\] or \\[phone\\]"),
    # 身份证: valid check digit anywhere; invalid only with ID context (documented policy).
    ("身份证号11010519491231002X已登记", "身份证号\\[id-number\\]已登记"),
    ("ID 440524188001010014 on file", "ID \\[id-number\\] on file"),
    ("证件号110105194912310021", "证件号\\[id-number\\]"),
    ("订单号110105194912310021", "订单号110105194912310021"),
    ("身份证 110105491231002", "身份证 \\[id-number\\]"),
    # Only the email is replaced, not the Chinese words glued to it (SGCC row 740).
    ("帐号ctxadmin@yzd.sgcc.com无法登录", "帐号\\[email\\]无法登录"),
    ("mail john\\_doe@example.com today", "mail \\[email\\] today"),
    # IPv4 and IPv6; loopback and netmasks are not personal data.
    ("server 10.0.0.1 and fe80::1ff:fe23:4567:890a", "server \\[ip\\] and \\[ip\\]"),
    (
        "http://10.87.6.44:7002/indicators/PIBusinesses?WSDL",
        "http://\\[ip\\]:7002/indicators/PIBusinesses?WSDL",
    ),
    ("localhost 127.0.0.1 mask 255.255.255.0", "localhost 127.0.0.1 mask 255.255.255.0"),
    ("2001:db8::8a2e:370:7334 down", "\\[ip\\] down"),
    # Cards need Luhn and an issuer prefix; IBANs need the registry length and mod-97.
    ("pay with 4111 1111 1111 1111 today", "pay with \\[card\\] today"),
    ("card 5500-0000-0000-0004", "card \\[card\\]"),
    ("order 4111 1111 1111 1112 today", "order 4111 1111 1111 1112 today"),
    ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN \\[iban\\] please"),
    ("GB82WEST12345698765432", "\\[iban\\]"),
    ("GB82WEST12345698765433", "GB82WEST12345698765433"),
    ("MAC 00:1A:2B:3C:4D:5E", "MAC \\[mac\\]"),
]


@pytest.mark.parametrize(("markdown", "expected"), PII_CASES)
def test_pii_fixture_set(markdown: str, expected: str) -> None:
    assert Redactor().redact(markdown).text == expected


def test_counts_per_kind() -> None:
    result = Redactor().redact("a@example.com, b@example.com, 10.1.2.3 and 13812345678")
    assert result.text == "\\[email\\], \\[email\\], \\[ip\\] and \\[phone\\]"
    assert result.counts == {"email": 2, "ip": 1, "phone": 1}
    assert result.total == 4


def test_works_on_plain_to_markdown_output() -> None:
    plain = "Mail <john_doe@example.com> from 10.0.0.1\n\n## 电话 13812345678 *now*"
    markdown = plain_to_markdown(plain)
    assert markdown == (
        "Mail &lt;john\\_doe@example.com&gt; from 10.0.0.1\n\n\\## 电话 13812345678 \\*now\\*"
    )
    assert Redactor().redact(markdown).text == (
        "Mail &lt;\\[email\\]&gt; from \\[ip\\]\n\n\\## 电话 \\[phone\\] \\*now\\*"
    )


def test_plain_mode_emits_unescaped_tokens() -> None:
    redactor = Redactor(markdown=False)
    assert redactor.redact("reach me at jane@example.com or 13812345678").text == (
        "reach me at [email] or [phone]"
    )


def test_fenced_code_gets_plain_tokens_and_literal_backslashes() -> None:
    # Inside a fence a backslash is literal, so "a\\_b" is not an escaped underscore.
    markdown = "Log \\_x\n\n```text\nconnect 10.0.0.7 as ab@example.com a\\_b\n```"
    assert Redactor().redact(markdown).text == (
        "Log \\_x\n\n```text\nconnect [ip] as [email] a\\_b\n```"
    )


def test_empty_text() -> None:
    assert Redactor().redact("").text == ""
    assert Redactor().redact("").counts == {}


MORE_PHONE_FORMS = [
    ("(+86)13812345678", "\\[phone\\]"),
    ("＋８６\u3000１３８\u3000１２３４\u3000５６７８", "\\[phone\\]"),
    ("0086 13812345678", "\\[phone\\]"),
    ("(010)62345678", "\\[phone\\]"),
    ("IP：10.1.146.193。", "IP：\\[ip\\]。"),
    ("email: Jane.Roe+kb@Sub.Example.CO.UK.", "email: \\[email\\]."),
]


@pytest.mark.parametrize(("markdown", "expected"), MORE_PHONE_FORMS)
def test_more_forms(markdown: str, expected: str) -> None:
    assert Redactor().redact(markdown).text == expected
