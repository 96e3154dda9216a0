"""Names from the ticket's own user fields (field notes §7 item 26), and config hosts and terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbgen.redaction import Redactor, scan_text

LUCENE_PEOPLE = [
    "Doug Cutting", "cutting@apache.org", "cutting",
    "Lucene Developers", "java-dev@lucene.apache.org",
    "Otis Gospodnetic", "otis@apache.org", "Brian Goetz", "briangoetz@apache.org",
]  # fmt: skip

PEOPLE_CASES = [
    ("Has anyone tried Doug's suggestion?", "Has anyone tried \\[name\\]'s suggestion?"),
    ("DOUG  CUTTING wrote", "\\[name\\] wrote"),
    ("otis fixed it; Otis Gospodnetic reviewed", "\\[name\\] fixed it; \\[name\\] reviewed"),
    ("Brian?", "\\[name\\]?"),
    # "cutting" is an ordinary word: redacted only as a mention.
    (
        "This is cutting edge, \\[~cutting\\] said; @cutting too",
        "This is cutting edge, \\[name\\] said; \\[name\\] too",
    ),
    # A team name is redacted as a phrase, never word by word.
    ("Lucene is fast; ask Lucene Developers", "Lucene is fast; ask \\[name\\]"),
    ("write to java-dev@lucene.apache.org", "write to \\[email\\]"),
]


@pytest.mark.parametrize(("markdown", "expected"), PEOPLE_CASES)
def test_people_policy(markdown: str, expected: str) -> None:
    assert Redactor(people=LUCENE_PEOPLE).redact(markdown).text == expected


def test_chinese_names_match_inside_text() -> None:
    assert Redactor(people=["张三"]).redact("张三说重启后恢复").text == "\\[name\\]说重启后恢复"


def test_for_people_shares_config_and_replaces_people() -> None:
    base = Redactor(internal_hosts=["corp.example.com"], terms=["Project Falcon"])
    first = base.for_people(["Alice Zhang"])
    second = first.for_people(["Bob Okafor"])
    text = "Alice Zhang and Bob Okafor on wiki.corp.example.com about project  falcon"
    assert first.redact(text).text == (
        "\\[name\\] and Bob Okafor on \\[internal-host\\] about \\[redacted\\]"
    )
    assert second.redact(text).text == (
        "Alice Zhang and \\[name\\] on \\[internal-host\\] about \\[redacted\\]"
    )
    assert base.redact(text).counts == {"internal-host": 1, "term": 1}


def test_internal_hosts_cover_subdomains_only_on_label_boundaries() -> None:
    redactor = Redactor(internal_hosts=["corp.example.com"])
    text = "corp.example.com, a.b.CORP.example.com. notcorp.example.com corp.example.community"
    assert redactor.redact(text).text == (
        "\\[internal-host\\], \\[internal-host\\]. notcorp.example.com corp.example.community"
    )


def test_allow_keeps_listed_values() -> None:
    redactor = Redactor(allow=["support@example.com", "10.0.0.1"])
    text = "Write to support@example.com or jane@example.com from 10.0.0.1 or 10.0.0.2"
    assert redactor.redact(text).text == (
        "Write to support@example.com or \\[email\\] from 10.0.0.1 or \\[ip\\]"
    )
    assert [f.kind for f in scan_text(text, allow=["support@example.com", "10.0.0.1"])] == [
        "email",
        "ip",
    ]


def test_apache_author_names_and_emails_do_not_survive(datasets: Path) -> None:
    """Every author object of the LUCENE sample, passed as people, is gone from its issue's text."""
    data = json.loads((datasets / "apache_jira_rest_search_LUCENE-1_to_10.json").read_text("utf-8"))
    redacted_any = 0
    for issue in data["issues"]:
        fields = issue["fields"]
        users = [fields.get("reporter"), fields.get("assignee")]
        users += [c["author"] for c in fields["comment"]["comments"]]
        people = sorted(
            {u[k] for u in users if u for k in ("displayName", "name", "emailAddress") if u.get(k)}
        )
        texts = [fields["summary"], fields.get("description") or ""]
        texts += [c["body"] for c in fields["comment"]["comments"]]
        redactor = Redactor(people=people, markdown=False)
        for text in texts:
            redacted = redactor.redact(text)
            redacted_any += redacted.counts.get("name", 0)
            for person in people:
                if "@" in person or " " in person:
                    assert person.lower() not in redacted.text.lower(), (issue["key"], person)
    # LUCENE-4 "Doug's suggestion", LUCENE-5 "Gerhard, has this...", LUCENE-10 "Brian?".
    assert redacted_any == 4


def test_bare_internal_host_names_also_cover_their_fqdn() -> None:
    redactor = Redactor(internal_hosts=["fileserver01"])
    text = "\\\\\\\\fileserver01\\\\share, fileserver01.corp.local, FILESERVER01. fileserver012"
    assert redactor.redact(text).text == (
        "\\\\\\\\\\[internal-host\\]\\\\share, \\[internal-host\\], \\[internal-host\\]. fileserver012"
    )


def test_servicenow_labels_are_redacted_only_as_whole_phrases() -> None:
    redactor = Redactor(people=["Caller 2403", "Opened by  397", "Resolver 31", "Group 24"])
    text = "Caller 2403 called; opened by 397; the caller was told Resolver 31 would call back"
    assert redactor.redact(text).text == (
        "\\[name\\] called; \\[name\\]; the caller was told \\[name\\] would call back"
    )


def test_mendeley_author_ids_are_redacted() -> None:
    redactor = Redactor(people=[".wy0w13yhr"])
    assert redactor.redact("assigned to .wy0w13yhr today").text == "assigned to \\[name\\] today"


def test_chinese_terms_match_inside_text_and_english_terms_as_words() -> None:
    redactor = Redactor(terms=["国网XX电力", "I6000"])
    text = "国网XX电力的I6000系统；I60001 is another id"
    assert redactor.redact(text).text == "\\[redacted\\]的\\[redacted\\]系统；I60001 is another id"


def test_configured_from_the_kb_config_section() -> None:
    from kbgen.config import config_from_dict

    section = config_from_dict(
        {
            "redaction": {
                "internal_hosts": ["yzd.sgcc.com"],
                "terms": ["I6000"],
                "allow": ["10.1.1.1"],
            }
        }
    ).redaction
    redactor = Redactor(
        internal_hosts=section.internal_hosts, terms=section.terms, allow=section.allow
    )
    text = "I6000 on portal.yzd.sgcc.com at 10.1.1.1 and 10.1.1.2"
    assert redactor.redact(text).text == (
        "\\[redacted\\] on \\[internal-host\\] at 10.1.1.1 and \\[ip\\]"
    )


def test_empty_and_missing_people_entries_are_ignored() -> None:
    redactor = Redactor(people=["", "  ", "?", "N/A", "无", "-", "@", "a", "x@"])
    text = "N/A? - 无 @ a x@ 10 items"
    assert redactor.redact(text).text == text
