"""Every text of the real LUCENE and SGCC samples: nothing personal survives, the re-scan is clean."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from kbgen.redaction import Redactor, scan_text
from kbgen.text import plain_to_markdown

# Deliberately simpler than the detectors, so the check does not share their bugs.
SIMPLE_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SIMPLE_IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9])")
# Dotted quads in SGCC that are product versions (Oracle, WebLogic, SIP Server), kept by policy.
SGCC_VERSIONS = {"10.2.0.1", "10.2.0.4", "10.3.6.0", "11.0.2.4", "8.1.101.88", "8.1.101.98"}
SGCC_TEXT_COLUMNS = [
    "单位简称", "影响对象", "异常类型", "异常类型细项", "问题现象", "故障组件", "形成原因",
    "形成原因细类", "原因分析", "故障处理过程", "整改措施", "整改措施佐证材料",
]  # fmt: skip


def _lucene_texts(datasets: Path) -> list[str]:
    data = json.loads((datasets / "apache_jira_rest_search_LUCENE-1_to_10.json").read_text("utf-8"))
    texts: list[str] = []
    for issue in data["issues"]:
        fields = issue["fields"]
        texts += [fields["summary"], fields.get("description") or ""]
        for comment in fields["comment"]["comments"]:
            texts.append(comment["body"])
            # Author emails (some only in displayName) as if a source pasted them into text.
            author = comment["author"]
            texts.append(f"By {author.get('displayName')} <{author.get('emailAddress')}>")
    return [t for t in texts if t]


def _sgcc_texts(datasets: Path) -> list[str]:
    with (datasets / "sgcc_ict_fault_incidents_zh.csv").open(encoding="utf-8", newline="") as fp:
        rows = list(csv.DictReader(fp))
    assert len(rows) == 1023
    return [row[c] for row in rows for c in SGCC_TEXT_COLUMNS if row.get(c)]


@pytest.fixture(scope="module")
def corpus(datasets: Path) -> list[str]:
    return _lucene_texts(datasets) + _sgcc_texts(datasets)


def test_nothing_survives_and_rescan_is_clean(corpus: list[str]) -> None:
    redactor = Redactor(internal_hosts=["yzd.sgcc.com"])
    emails_in: set[str] = set()
    ips_in: set[str] = set()
    leaked: list[str] = []
    rescan: list[str] = []
    for text in corpus:
        markdown = plain_to_markdown(text)
        emails = set(SIMPLE_EMAIL.findall(text))
        ips = set(SIMPLE_IPV4.findall(text)) - SGCC_VERSIONS
        emails_in |= emails
        ips_in |= ips
        out = redactor.redact(markdown).text
        leaked += [value for value in emails | ips if value in out]
        rescan += [str(f) for f in scan_text(out, internal_hosts=["yzd.sgcc.com"])]
    assert leaked == []
    assert rescan == []
    # The samples really contain what we claim to remove (field notes §1.4).
    assert {
        "ctxadmin@yzd.sgcc.com",
        "Administrator@yzd.sgcc.com",
        "cutting@apache.org",
    } <= emails_in
    assert len(ips_in) == 85


def test_versions_are_kept_and_row_781_url_keeps_its_shape(corpus: list[str]) -> None:
    joined = "\n".join(Redactor().redact(plain_to_markdown(t)).text for t in corpus)
    for version in SGCC_VERSIONS:
        assert version in joined
    assert "http://\\[ip\\]:7002/indicators/PIBusinesses?WSDL" in joined
    assert "帐号\\[email\\]，可正常登陆" in joined


def test_real_technical_prose_has_no_false_positives(datasets: Path) -> None:
    """LUCENE issue text (code, stack traces, diffs, versions) and the Mendeley utterances
    (already masked with ph_* placeholders) contain nothing to redact."""
    lucene = [t for t in _lucene_texts(datasets) if not t.startswith("By ")]
    with (datasets / "mendeley_helpdesk_sample_utterances.csv").open(encoding="utf-8") as fp:
        mendeley = [row["actionbody"] for row in csv.DictReader(fp)]
    assert len(lucene) == 46
    assert len(mendeley) == 30104
    redactor = Redactor()
    changed = [t for t in lucene + mendeley if redactor.redact(plain_to_markdown(t)).counts]
    assert changed == []
