"""Every real export in ../shared/datasets_candidates imports, with exact counts computed independently."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import markdown
import pytest


def test_apache_jira_search_response(datasets: Path, read_all: Any) -> None:
    path = datasets / "apache_jira_rest_search_LUCENE-1_to_10.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    tickets, report = read_all(path)
    assert report.format == "jira-json"
    assert [t.id for t in tickets] == [issue["key"] for issue in raw["issues"]]
    assert len(tickets) == 10
    assert report.notes == [
        "the export is one page of a larger search (total 4918); "
        "export the remaining pages to capture them too"
    ]
    resolutions = sorted(t.resolution_status for t in tickets)
    assert resolutions == sorted(i["fields"]["resolution"]["name"] for i in raw["issues"])
    lucene1 = tickets[0]
    assert lucene1.title == "lock files don't work in JDK 1.1"
    assert lucene1.url == "https://issues.apache.org/jira/browse/LUCENE-1"
    assert lucene1.opened is not None and lucene1.opened.isoformat() == "2001-10-09T16:19:16+00:00"
    assert (
        lucene1.resolved is not None and lucene1.resolved.isoformat() == "2006-06-06T06:24:38+00:00"
    )
    assert "cutting@apache.org" in lucene1.people  # for redaction, never in comments
    assert all(c.role in ("reporter", "resolver", "other") for t in tickets for c in t.comments)
    expected_comments = sum(len(i["fields"]["comment"]["comments"]) for i in raw["issues"])
    assert sum(len(t.comments) for t in tickets) == expected_comments


def test_apache_angle_brackets_stay_visible(datasets: Path, read_all: Any) -> None:
    tickets, _ = read_all(datasets / "apache_jira_rest_search_LUCENE-1_to_10.json")
    html = markdown.markdown(
        "\n\n".join(t.public_text() for t in tickets), extensions=["fenced_code"]
    )
    # Visible as text (escaped in prose, literal inside code blocks), never a tag.
    for token in ("NUMBER", "init", "EOF", "QUOTED"):
        assert f"&lt;{token}&gt;" in html
        assert f"<{token}>" not in html and f"<{token.lower()}>" not in html


def test_mendeley_threads(datasets: Path, read_all: Any) -> None:
    path = datasets / "mendeley_helpdesk_sample_utterances.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    issues = {r["issueid"] for r in rows}
    private_comments = {(r["issueid"], r["id"]) for r in rows if r["is_private"] == "1.0"}
    tickets, report = read_all(path)
    assert report.format == "threads-csv"
    assert len(tickets) == len(issues) == 360
    assert report.private_dropped == len(private_comments) == 1690
    assert report.unknown_visibility == 0
    assert report.bad_records == []
    first = tickets[0]
    assert first.id == "1004298"  # float-formatted id normalised
    assert (
        first.title
        == "we need your urgent support to fix list of vulnerabilities reported in ph_name application ."
    )
    assert first.problem.startswith("dear ph\\_name team\nwe need your urgent support")


def test_servicenow_event_log_latest_state(datasets: Path, read_all: Any) -> None:
    path = datasets / "servicenow_incident_event_log_partial.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    numbers = list(dict.fromkeys(r["number"] for r in rows))
    tickets, report = read_all(path)
    assert report.format == "servicenow-csv"
    assert len(tickets) == len(numbers) == 890
    assert [t.id for t in tickets] == numbers
    assert report.notes == [
        "no free-text fields in this export: tickets carry metadata only, no drafts"
    ]
    first = tickets[0]
    assert first.id == "INC0000045"
    assert first.status == "Closed"
    assert first.opened is not None and first.opened.isoformat() == "2016-02-29T01:16:00"
    assert (
        first.closed is not None and first.closed.isoformat() == "2016-03-05T12:00:00"
    )  # 5 March, not 3 May
    assert first.metrics["events"] == sum(1 for r in rows if r["number"] == "INC0000045")
    assert first.flags == ["no-free-text"]
    assert first.title == "" and first.problem == "" and first.comments == []
    assert all(t.status == "Closed" for t in tickets)


def test_servicenow_event_log_question_mark_is_missing(datasets: Path, read_all: Any) -> None:
    tickets, _ = read_all(datasets / "servicenow_incident_event_log_partial.csv")
    by_id = {t.id: t for t in tickets}
    # INC0000093 ends closed with resolved_at '?': missing, never a parse error.
    assert by_id["INC0000093"].resolved is None
    assert all(t.environment.product != "?" for t in tickets)


def test_sgcc_with_shipped_mapping_lists_the_shifted_rows(
    datasets: Path, read_all: Any, sgcc_mapping: Path
) -> None:
    path = datasets / "sgcc_ict_fault_incidents_zh.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    tickets, report = read_all(path, mapping=sgcc_mapping, skip_bad_records=True)
    assert len(rows) == 1023
    assert len(tickets) == 1021
    assert report.format == "mapping:sgcc"
    assert [str(b) for b in report.bad_records] == [
        "line 1016 (id SGCC-936), field '是否工作日': value '34.9999999988358' does not match the "
        "mapping check '(|0|是|否)' (a column-shifted row?)",
        "line 1017 (id SGCC-937), field '是否工作日': value '34.9999999988358' does not match the "
        "mapping check '(|0|是|否)' (a column-shifted row?)",
    ]
    assert {t.language for t in tickets} == {"zh"}
    first = tickets[0]
    assert first.id == "SGCC-382"
    assert first.category == "信息系统运行异常"
    assert first.cause.startswith("15:20，告警自动消除")
    assert first.resolution == ""  # both resolution columns are empty for this row
    assert first.opened is not None and first.opened.isoformat() == "2016-06-06T15:10:00"
    # Missing markers: '0' and 无报告 never become text.
    assert not any(t.cause in ("0", "无报告") or t.resolution in ("0", "无报告") for t in tickets)
    assert not any(t.environment.component in ("0", "无报告") for t in tickets)


def test_sgcc_corrective_actions_are_their_own_field(
    datasets: Path, read_all: Any, sgcc_mapping: Path
) -> None:
    import csv

    path = datasets / "sgcc_ict_fault_incidents_zh.csv"
    tickets, _ = read_all(path, mapping=sgcc_mapping, skip_bad_records=True)
    missing = {"", "0", "无", "无。", "无报告", "（未反馈）", "原因不详", "正在核查", "未查清"}
    with open(path, encoding="utf-8", newline="") as fh:
        expected = {
            f"SGCC-{row['id']}"
            for row in csv.DictReader(fh)
            if row["id"] not in ("936", "937") and row["整改措施"].strip() not in missing
        }
    assert {t.id for t in tickets if t.prevention} == expected
    assert all("整改措施" not in t.resolution for t in tickets)


def test_sgcc_without_skip_is_refused(datasets: Path, read_all: Any, sgcc_mapping: Path) -> None:
    from kbgen.exceptions import SourceError

    path = datasets / "sgcc_ict_fault_incidents_zh.csv"
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=sgcc_mapping)
    assert info.value.message == (
        f"{path}, line 1016 (id SGCC-936), field '是否工作日': value '34.9999999988358' does not "
        "match the mapping check '(|0|是|否)' (a column-shifted row?); nothing was imported (fix the "
        "record, or pass --skip-bad-records to skip and list such records)"
    )
