"""Cases 22 and 23 end to end, on a Chinese ticket: every PII form and secret, capture to site.

The public comments of one Zendesk ticket carry the whole synthetic PII set
(mobile numbers glued to Chinese, +86 with dashes, full-width digits, a valid
身份证, an email glued to CJK, IPv4/IPv6, a Luhn-valid card, IBANs) and the
secrets set (Chinese password prose, root/password, Bearer, AKIA key, JWT,
URL credentials, a PEM block). None may survive anywhere; the Chinese words
around each value must.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .kbrun import FIXTURES, everything, kbgen, new_kb, site_text, stable_env

EXPORT = FIXTURES / "pii" / "zendesk_pii_zh.json"
RAW_VALUES = [
    "13812345678",
    "138-1234-5678",
    "１３８１２３４５６７８",
    "11010519491231002x",
    "ctxadmin@yzd.sgcc.com",
    "10.0.0.1",
    "fe80::1ff:fe23:4567:890a",
    "2001:db8::8a2e:370:7334",
    "4111 1111 1111 1111",
    "de89 3704 0044 0532 0130 00",
    "gb82west12345698765432",
    "abc12345xyz",
    "passw0rd!23",
    "0123456789abcdef0123456789abcdef",
    "akiaiosfodnn7example",
    "eyjhbgcioijiuzi1nij9",
    "admin:s3cret",
    "miieowibaakcaqea7vd2",
    "begin rsa private key",
    "xiaoming.wang@corp-example.com",
    "王小明",
]


@dataclass
class Run:
    root: Path
    haystack: str
    article: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("pii") / "kb"
    outputs = []
    with stable_env():
        new_kb(root)
        for args in (
            ["capture", EXPORT, "--branch", "--json"],
            ["review", "approve", "--all", "--reviewer", "Ana Reviewer"],
            ["build"],
            ["check"],
        ):
            result = kbgen(*args, "--kb", root)
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
    article = (root / "content" / "articles" / "kb-0001.md").read_text(encoding="utf-8")
    yield Run(root, everything(root, *outputs), article)


@pytest.mark.parametrize("value", RAW_VALUES)
def test_no_personal_value_or_secret_survives_anywhere(run: Run, value: str) -> None:
    assert value.lower() in EXPORT.read_text(encoding="utf-8").lower()  # planted for real
    assert value.lower() not in run.haystack


def test_only_the_values_are_replaced_and_the_chinese_text_stays(run: Run) -> None:
    assert (
        "打印机无法连接到共享队列。联系电话\\[phone\\]请回电，手机：\\[phone\\]，电话\\[phone\\]，"
        "谢谢。身份证号\\[id-number\\]已登记。帐号\\[email\\]无法登录。"
    ) in run.article
    assert "pay with \\[card\\] today; IBAN \\[iban\\] please; \\[iban\\]." in run.article
    assert "数据库密码：\\[secret\\]，用 root/\\[secret\\] 登录。" in run.article
    assert "connect to https://\\[credentials\\]/x" in run.article


def test_the_tokens_are_what_the_reader_sees(run: Run) -> None:
    site = site_text(run.root / "site")
    assert "帐号[email]无法登录" in site
    assert "server [ip] and [ip], [ip] down." in site


def test_search_finds_the_article_by_its_words_not_by_the_values(run: Run) -> None:
    hit = kbgen("search", "打印机", "--kb", run.root)
    assert hit.output == "KB-0001  打印机无法连接共享队列  (content/articles/kb-0001.md)\n"
    miss = kbgen("search", "13812345678", "--kb", run.root)
    assert miss.output == "No published article matches '13812345678'.\n"
