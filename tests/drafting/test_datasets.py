"""Capture of the real sample exports through the real stages (sources, redaction, search, store)."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, git_out, run_git
from kbgen.text import unescape_markdown

from .conftest import article_files

LUCENE = "apache_jira_rest_search_LUCENE-1_to_10.json"
MENDELEY = "mendeley_helpdesk_sample_utterances.csv"
SGCC = "sgcc_ict_fault_incidents_zh.csv"
SERVICENOW = "servicenow_incident_event_log_partial.csv"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


def capture(kb: KnowledgeBase, *args: str) -> dict:
    result = CliRunner().invoke(
        cli,
        ["capture", *args, "--no-branch", "--json", "--kb", str(kb.root)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


VERSION_BEFORE = re.compile(
    r"(版本[为从是]?|数据库|升级到|升级为|由|version|oracle)\s*[（(]?\s*$", re.IGNORECASE
)


def network_addresses(text: str) -> set[str]:
    """Dotted quads used as addresses at least once (the State Grid data also has Oracle
    versions such as 数据库版本10.2.0.1, which are not personal data and stay)."""
    found = set()
    for match in IPV4.finditer(text):
        before = text[max(0, match.start() - 8) : match.start()]
        after = text[match.end() : match.end() + 2]
        if not VERSION_BEFORE.search(before) and not after.startswith("版本"):
            found.add(match.group())
    return found


def published_text(kb: KnowledgeBase) -> str:
    """Everything capture wrote under content/ plus the ticket store, as one string."""
    parts = [data.decode("utf-8") for data in article_files(kb).values()]
    if kb.ticket_store_path.exists():
        parts.append(kb.ticket_store_path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_lucene_fixed_tickets_are_drafted_the_rest_skipped(
    kb: KnowledgeBase, datasets: Path
) -> None:
    issues = json.loads((datasets / LUCENE).read_text())["issues"]
    resolution = {i["key"]: i["fields"]["resolution"]["name"] for i in issues}
    by_description = defaultdict(list)
    for issue in issues:
        by_description[issue["fields"]["description"].strip()].append(issue["key"])
    # Expected, independently: every Fixed ticket drafted; a Duplicate whose description is
    # identical to a drafted ticket's joins that draft; everything else skipped with its word.
    fixed = {k for k, r in resolution.items() if r == "Fixed"}
    joins = {
        k: g
        for g in by_description.values()
        for k in g
        if resolution[k] == "Duplicate" and fixed & set(g)
    }
    expected_skipped = {
        k: f"resolution is {r}" for k, r in resolution.items() if r != "Fixed" and k not in joins
    }

    report = capture(kb, str(datasets / LUCENE))

    drafted = [set(c["tickets"]) for c in report["created"]]
    assert set().union(*drafted) == fixed | set(joins)
    assert len(drafted) == len(fixed) - sum(
        len(fixed & set(g)) - 1 for g in by_description.values() if len(fixed & set(g)) > 1
    )
    for dup, group in joins.items():
        assert any(set(group) <= d for d in drafted), dup
    assert {s["ticket"]: s["reason"] for s in report["skipped"]} == expected_skipped
    assert report["quality"]["skipped_by_reason"] == {
        "resolution is Won't Fix": 2,
        "resolution is Incomplete": 1,
    }
    assert {"LUCENE-2", "LUCENE-3"} in drafted

    text = published_text(kb)
    emails = set(EMAIL.findall((datasets / LUCENE).read_text()))
    assert len(emails) > 10
    assert sorted(e for e in emails if e in text) == []
    # Angle-bracket literals from the tickets stay escaped for Markdown, and visible.
    assert "&lt;NUMBER&gt;" in text


def test_lucene_text_output_and_zero_diff_recapture(kb: KnowledgeBase, datasets: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["capture", str(datasets / LUCENE), "--kb", str(kb.root)], catch_exceptions=False
    )
    assert result.output.splitlines() == [
        "Read 10 tickets from 1 source.",
        f"Note on {datasets / LUCENE}: the export is one page of a larger search (total 4918); "
        "export the remaining pages to capture them too",
        "Drafted 6 articles: 6 with a resolution, 0 marked 'resolution needed'.",
        "  KB-0001  content/articles/kb-0001-lock-files-dont-work-in-jdk-1-1.md  (LUCENE-1)",
        "  KB-0002  content/articles/kb-0002-prefix-queries-cannot-be-case-insensitive.md  (LUCENE-3, LUCENE-2)",
        "  KB-0003  content/articles/kb-0003-germanstemmer-crashes-while-indexing.md  (LUCENE-5)",
        "  KB-0004  content/articles/kb-0004-new-indexreader-terms-myterm-skips-over-first-term.md  (LUCENE-6)",
        "  KB-0005  content/articles/kb-0005-documentation-error-example.md  (LUCENE-7)",
        "  KB-0006  content/articles/kb-0006-colon-character-not-searchable-by-queryparser.md  (LUCENE-10)",
        "Merged 1 ticket into drafts of the same batch:",
        "  LUCENE-2 -> KB-0002 (similarity 0.95)",
        "Linked 0 tickets to existing articles.",
        "Skipped 3 tickets.",
        "  2 × resolution is Won't Fix",
        "  1 × resolution is Incomplete",
    ]
    run_git(["add", "-A"], kb.root)
    run_git(["commit", "-q", "-m", "drafts"], kb.root)
    before = article_files(kb)
    again = runner.invoke(
        cli, ["capture", str(datasets / LUCENE), "--kb", str(kb.root)], catch_exceptions=False
    )
    assert again.output.splitlines() == [
        "Read 10 tickets from 1 source.",
        f"Note on {datasets / LUCENE}: the export is one page of a larger search (total 4918); "
        "export the remaining pages to capture them too",
        "Drafted 0 articles: 0 with a resolution, 0 marked 'resolution needed'.",
        "Linked 0 tickets to existing articles.",
        "Already captured: 7 tickets (their articles appear above only if they changed).",
        "Skipped 3 tickets.",
        "  2 × resolution is Won't Fix",
        "  1 × resolution is Incomplete",
    ]
    assert article_files(kb) == before
    assert git_out(["status", "--porcelain"], kb.root) == ""


@pytest.mark.slow
def test_sgcc_repeated_outages_merge_and_nothing_sensitive_survives(
    kb: KnowledgeBase, datasets: Path
) -> None:
    mapping = Path(__file__).resolve().parents[2] / "kbgen/scaffold/site_config/sources/sgcc.yml"
    report = capture(kb, str(datasets / SGCC), "--mapping", str(mapping), "--skip-bad-records")

    with open(datasets / SGCC, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    article_of = {t: c["id"] for c in report["created"] for t in c["tickets"]}
    skipped = {s["ticket"] for s in report["skipped"]}
    groups = defaultdict(set)
    for row in rows:
        ticket_id = f"SGCC-{row['id']}"
        if ticket_id in article_of:
            groups[row["问题现象"].strip()].add(article_of[ticket_id])
    repeated = [
        g for text, g in groups.items() if sum(1 for r in rows if r["问题现象"].strip() == text) > 1
    ]
    assert len(repeated) > 20
    assert all(len(ids) == 1 for ids in repeated)  # one draft per repeated outage text
    assert len(report["created"]) <= len(groups)
    assert report["quality"]["merged"] >= 200
    assert len(article_of) + len(skipped) == report["quality"]["tickets_read"]

    text = published_text(kb)
    source = (datasets / SGCC).read_text(encoding="utf-8")
    addresses = network_addresses(source)
    assert len(addresses) > 50
    assert sorted(ip for ip in addresses if ip in text) == []
    assert sorted(e for e in set(EMAIL.findall(source)) if e in text) == []


@pytest.mark.slow
def test_mendeley_private_notes_never_appear(kb: KnowledgeBase, datasets: Path) -> None:
    report = capture(kb, str(datasets / MENDELEY))
    assert report["quality"]["skipped_by_reason"] == {"no resolution recorded": 360}

    (kb.site_config_dir / "kbgen.yml").write_text(
        "capture:\n  require_positive_resolution: false\n"
    )
    report = capture(kb, str(datasets / MENDELEY))
    assert report["quality"]["drafts"] > 300
    assert report["quality"]["wip"] > 0

    public, private = set(), set()
    with open(datasets / MENDELEY, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            body = row["actionbody"].strip()
            (private if row["is_private"] == "1.0" else public).add(body)
    secret = [p for p in private - public if len(p) >= 40 and not any(p in q for q in public)]
    assert len(secret) > 500
    text = unescape_markdown(published_text(kb))
    assert [p for p in secret if p in text] == []


def test_servicenow_log_has_no_text_and_gives_no_articles(
    kb: KnowledgeBase, datasets: Path
) -> None:
    report = capture(kb, str(datasets / SERVICENOW))
    assert report["created"] == []
    assert report["quality"]["skipped_by_reason"] == {"no text to draft from": 890}
    assert article_files(kb) == {}


def test_lucene_json_output_exact(kb: KnowledgeBase, datasets: Path) -> None:
    report = capture(kb, str(datasets / LUCENE))
    assert report["created"][:2] == [
        {
            "id": "KB-0001",
            "path": "content/articles/kb-0001-lock-files-dont-work-in-jdk-1-1.md",
            "tickets": ["LUCENE-1"],
        },
        {
            "id": "KB-0002",
            "path": "content/articles/kb-0002-prefix-queries-cannot-be-case-insensitive.md",
            "tickets": ["LUCENE-3", "LUCENE-2"],
        },
    ]
    assert report["linked"] == []
    assert report["skipped"] == [
        {"ticket": "LUCENE-4", "reason": "resolution is Won't Fix"},
        {"ticket": "LUCENE-8", "reason": "resolution is Won't Fix"},
        {"ticket": "LUCENE-9", "reason": "resolution is Incomplete"},
    ]
    assert report["merged"] == [{"id": "KB-0002", "ticket": "LUCENE-2", "similarity": 0.951}]
    assert report["quality"] == {
        "tickets_read": 10,
        "drafts": 6,
        "drafts_with_resolution": 6,
        "wip": 0,
        "merged": 1,
        "linked": 0,
        "skipped": 3,
        "skipped_by_reason": {"resolution is Won't Fix": 2, "resolution is Incomplete": 1},
    }
    assert list(report) == [
        "created",
        "linked",
        "skipped",
        "merged",
        "updated",
        "edited",
        "proposals",
        "already_captured",
        "branches",
        "quality",
        "source",
        "warnings",
    ]


def test_a_new_ticket_like_an_existing_article_is_linked_by_the_real_search(
    kb: KnowledgeBase, datasets: Path
) -> None:
    from kbgen.drafting.capture import CaptureOptions, capture_tickets
    from kbgen.drafting.stages import default_stages
    from kbgen.sources import read_tickets

    capture(kb, str(datasets / LUCENE))
    lucene_1 = next(t for t in read_tickets(datasets / LUCENE) if t.id == "LUCENE-1")
    lucene_1.id = "HELPDESK-77"  # the same problem reported again elsewhere
    stages = default_stages()
    stages.read_tickets = lambda path, **_: [lucene_1]
    report = capture_tickets(
        KnowledgeBase.open(kb.root),
        [Path("again.json")],
        CaptureOptions(branch=False),
        stages=stages,
    )
    assert report.created == []
    assert [(link["id"], link["ticket"]) for link in report.linked] == [("KB-0001", "HELPDESK-77")]
    assert report.linked[0]["similarity"] >= 0.55
    assert (
        "- HELPDESK-77\n"
        in (kb.root / "content/articles/kb-0001-lock-files-dont-work-in-jdk-1-1.md").read_text()
    )
