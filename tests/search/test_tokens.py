"""The tokenizer contract (docs/search.md): index terms and query planning, English and Chinese.

``tokenizer_cases.json`` holds the same rules as data for ports to other
languages (the browser's query side): a port must give these terms for these
texts and queries. Regenerate it with ``python tests/search/test_tokens.py``
after a deliberate rule change (and bump ``kbgen.search.tokens.FORMAT``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kbgen.search.tokens import (
    FORMAT,
    MAX_QUERY_TERMS,
    index_terms,
    query_candidates,
    query_terms,
    word_terms,
)

CASES = Path(__file__).with_name("tokenizer_cases.json")

TEXTS = [
    "java.lang.StringIndexOutOfBoundsException: String index out of range: -1",
    "at org.apache.lucene.analysis.de.GermanStemmer.resubstitute(Unknown Source)",
    "at java.lang.StringBuffer.charAt(StringBuffer.java:283)",
    "Error 0x80070005 (E_ACCESSDENIED) and AADSTS50076 after the MFA rollout",
    "Version: lucene-1.2.3-rc1.jar; client v5.2.1 on Windows 10",
    r"C:\Windows\System32\drivers\etc\hosts and /var/log/nginx/access.log",
    "Remove MicrosoftOffice16_Data and XMLHttpRequest from the cache",
    "Printers offline: restarted the print spooler",
    "ＡＡＤＳＴＳ５００７６　全角错误码",
    "打印机无法打印，队列卡住",
    "数据库连接失败，内存溢出导致服务器宕机",
    "IMS接SAP接口报错0x80004005",
    "the of and 的 了",
    "",
]

VOCABULARY_TEXTS = [
    "数据库连接失败，内存溢出导致服务器宕机",
    "打印机无法打印，队列卡住，重启打印后台处理程序",
    "java.lang.StringIndexOutOfBoundsException in GermanStemFilter",
    "Error 0x80070005 after the Windows 10 update",
]

QUERIES = [
    "内存溢出",
    "服务器宕机了怎么办",
    "数据库连接",
    "打印队列",
    "宕",
    "StringIndexOutOfBoundsException",
    "java.lang.StringIndexOutOfBoundsException",
    "german stem filter",
    "80070005",
    "ＡＡＤＳＴＳ５００７６",
    "windows update 更新失败",
    "的 the",
    "",
]


def vocabulary() -> Counter[str]:
    df: Counter[str] = Counter()
    for text in VOCABULARY_TEXTS:
        df.update(set(index_terms(text)))
    return df


def lookup(df: Counter[str]) -> object:
    return lambda candidates: {t: df[t] for t in candidates if df[t]}


def generate() -> dict[str, object]:
    df = vocabulary()
    return {
        "format": FORMAT,
        "index": [{"text": t, "terms": index_terms(t)} for t in TEXTS],
        "vocabulary": dict(sorted(df.items())),
        "queries": [
            {"query": q, "candidates": query_candidates(q), "terms": query_terms(q, lookup(df))}  # type: ignore[arg-type]
            for q in QUERIES
        ],
    }


def test_the_cases_file_matches_the_code() -> None:
    assert json.loads(CASES.read_text(encoding="utf-8")) == generate()


def test_identifiers_are_kept_whole_and_in_parts() -> None:
    terms = index_terms("java.lang.StringIndexOutOfBoundsException")
    assert terms == [
        "java.lang.stringindexoutofboundsexception",
        "java",
        "lang",
        "stringindexoutofboundsexcept",  # Porter stems alphabetic words, on both sides
        "string",
        "index",
        "out",
        "bound",
        "except",
    ]
    assert word_terms("GermanStemFilter") == ("germanstemfilt", "german", "stem", "filter")
    assert word_terms("resubstitute") == ("resubstitut",)
    assert word_terms("StringBuffer") == ("stringbuff", "string", "buffer")
    assert word_terms("XMLHttpRequest") == ("xmlhttprequest", "xml", "http", "request")
    assert word_terms("MicrosoftOffice16_Data")[:2] == (
        "microsoftoffice16_data",
        "microsoftoffice16",
    )


def test_error_codes_versions_and_paths() -> None:
    assert word_terms("0x80070005") == ("0x80070005", "80070005")
    assert word_terms("AADSTS50076") == ("aadsts50076", "aadst", "50076")
    assert word_terms("lucene-1.2.3-rc1.jar") == (
        "lucene-1.2.3-rc1.jar", "lucen", "1.2.3", "1.2", "rc1.jar", "rc1", "rc", "jar",
    )  # fmt: skip
    assert set(word_terms("v5.2.1")) >= {"v5.2.1", "5.2", "5.2.1", "v5.2"}
    assert word_terms(r"C:\Windows\System32") == (
        "c:\\windows\\system32", "window", "system32", "system", "32",
    )  # fmt: skip
    assert "access.log" in word_terms("/var/log/nginx/access.log")


def test_full_width_forms_fold_to_ascii() -> None:
    assert index_terms("ＡＡＤＳＴＳ５００７６") == index_terms("AADSTS50076")


def test_chinese_is_cut_into_words_and_their_sub_words() -> None:
    assert index_terms("打印机无法打印，队列卡住") == [
        "打印", "印机", "打印机", "无法", "打印", "队列", "卡住",
    ]  # fmt: skip
    assert index_terms("IMS接SAP") == ["im", "接", "sap"]
    assert index_terms("问题的原因") == []  # stopwords only


def test_a_chinese_query_is_segmented_against_the_vocabulary() -> None:
    df = vocabulary()
    plan = lookup(df)
    assert query_terms("内存溢出", plan) == ["内存", "溢出"]  # type: ignore[arg-type]
    # Words the index holds, however the query is spaced; 了/怎么办 are not in it.
    assert set(query_terms("服务器宕机了怎么办", plan)) == {"服务", "服务器", "务器", "宕机"}  # type: ignore[arg-type]
    # A single character counts only where no longer known word covers it.
    assert query_terms("宕", plan) == []  # type: ignore[arg-type]
    assert query_terms("的 the", plan) == []  # type: ignore[arg-type]


def test_query_terms_are_the_rarest_and_bounded() -> None:
    df = Counter({"common": 50, "rare": 1, "vpn": 5})
    assert query_terms("common vpn rare unknown", lookup(df)) == ["rare", "vpn", "common"]  # type: ignore[arg-type]
    many = Counter({f"w{i}": i + 1 for i in range(100)})
    assert len(query_terms(" ".join(many), lookup(many))) == MAX_QUERY_TERMS  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01 <script>alert(1)</script> \u202e\u200b",
        "😀" * 500,
        "a" * 50_000,
        "-._/\\:" * 1000,
        "x.y" * 5000,
        "内" * 20_000,
        "ﬁ ß İstanbul Ωmega ÅNGSTRÖM",
    ],
)
def test_hostile_text_gives_clean_bounded_terms(text: str) -> None:
    terms = index_terms(text, limit=20_000)
    plan = query_terms(text, lambda c: dict.fromkeys(c, 1))
    assert all(t and " " not in t and '"' not in t for t in terms + plan)
    assert len(plan) <= MAX_QUERY_TERMS


if __name__ == "__main__":
    CASES.write_text(json.dumps(generate(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {CASES}")
