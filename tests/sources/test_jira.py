"""Jira REST JSON: v3 ADF, v2 wiki markup, the envelope variants, and internal comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbgen.exceptions import SourceError
from kbgen.models import Comment


def test_v3_adf_search_response(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "jira" / "v3_adf_search.json")
    assert report.format == "jira-json"
    assert [t.id for t in tickets] == ["SUP-42", "SUP-43"]
    sup42 = tickets[0]
    assert sup42.problem == (
        "## Symptom\n\n"
        "After the 5.2 update the client shows `List<String> <script>alert(1)</script>` and "
        "**disconnects**. Asked \\[user\\] to look at &lt;init&gt;.\n\n"
        "- Windows 11\n"
        "- see [the KB](<https://example.com/kb>)\n\n"
        "\\[unsupported Jira content: extension\\]\n\n"
        "````text\nERROR 0x80070005 ```access denied```\n````"
    )
    assert sup42.flags == ["adf-unknown-node:extension"]
    assert sup42.comments == [
        Comment(
            body="Reinstall the 5.2.1 client; that fixes the driver.",
            role="resolver",
            created=sup42.comments[0].created,
        )
    ]
    assert sup42.private_dropped == 2  # visibility-restricted + jsdPublic:false
    assert report.private_dropped == 2
    assert sup42.resolution_status == "Done" and sup42.status == "Done"
    assert sup42.tags == ["vpn", "windows"]
    assert (sup42.environment.product, sup42.environment.component, sup42.environment.version) == (
        "Support",
        "Remote access",
        "5.2",
    )
    assert sup42.url == "https://example.atlassian.net/browse/SUP-42"
    # People come from user fields and mentions, for drafting to redact; never in comments.
    assert sup42.people == ["Emma Richards", "Mia Krystof", "mia@example.com"]
    assert tickets[1].resolution_status == "Won't Fix"
    assert tickets[1].problem == ""


def test_v2_wiki_markup_single_issue(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "jira" / "v2_issue.json")
    assert len(tickets) == 1 and report.notes == []
    demo = tickets[0]
    assert demo.id == "DEMO-7"
    assert demo.problem == (
        "## Steps\n\n"
        "**Open** the index and call `IndexWriter.close()` twice, as \\[user\\] noted.\n\n"
        "```text\nwriter.close();\nwriter.close(); // <boom>\n```\n\n"
        "See [the docs](<https://example.org/docs>) for more."
    )
    assert "carol" in demo.people
    assert [c.role for c in demo.comments] == ["resolver"]


def _issue(key: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"summary": f"Summary {key}", "status": {"name": "Done"}}
    base.update(fields)
    return {"key": key, "fields": base}


def test_folder_of_issue_files_and_json_lines(tmp_path: Path, read_all: Any) -> None:
    folder = tmp_path / "issues"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(_issue("A-1")), encoding="utf-8")
    (folder / "b.json").write_text(
        json.dumps({"issues": [_issue("A-2"), _issue("A-3")]}), encoding="utf-8"
    )
    tickets, report = read_all(folder)
    assert [t.id for t in tickets] == ["A-1", "A-2", "A-3"]
    assert report.format == "jira-json"

    lines = tmp_path / "issues.jsonl"
    lines.write_text(
        "\n".join(json.dumps(_issue(f"B-{i}")) for i in range(3)) + "\n", encoding="utf-8"
    )
    tickets, _ = read_all(lines)
    assert [t.id for t in tickets] == ["B-0", "B-1", "B-2"]


def test_top_level_array_of_issues(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([_issue("C-1"), _issue("C-2")]), encoding="utf-8")
    tickets, _ = read_all(path, format="jira-json")
    assert [t.id for t in tickets] == ["C-1", "C-2"]


def test_fewer_comments_than_total_are_captured_and_flagged(tmp_path: Path, read_all: Any) -> None:
    comments = [
        {"body": "first", "author": {"name": "r"}},
        {"body": "second"},
        {"body": "third"},
    ]
    partial = _issue(
        "D-1",
        reporter={"name": "r"},
        comment={"total": 4, "maxResults": 4, "comments": comments},
    )
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"issues": [partial, _issue("D-2")]}), encoding="utf-8")
    tickets, report = read_all(path)
    assert [t.id for t in tickets] == ["D-1", "D-2"]
    assert [c.body for c in tickets[0].comments] == ["first", "second", "third"]
    assert tickets[0].flags == [
        "comments-incomplete: the export holds 3 of 4 comments; "
        "the missing ones may be restricted or deleted"
    ]
    assert tickets[1].flags == []
    assert report.notes == [
        "some issues hold fewer comments than their comment.total (restricted or deleted "
        "comments); they were captured with the comments present and flagged for the reviewer "
        "(--strict refuses them)"
    ]
    assert report.skipped == [] and report.records_read == 2


def test_strict_refuses_an_issue_with_missing_comments(tmp_path: Path, read_all: Any) -> None:
    partial = _issue("D-1", comment={"total": 5, "maxResults": 1, "comments": [{"body": "one"}]})
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"issues": [partial, _issue("D-2")]}), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_all(path, strict=True)
    assert info.value.message == (
        f"{path}, issues[0] (D-1), field 'comment': the export holds 1 of 5 comments; export the "
        "issue with all its comments (half a conversation is not captured); nothing was imported "
        "(fix the record, or pass --skip-bad-records to skip and list such records)"
    )
    tickets, report = read_all(path, strict=True, skip_bad_records=True)
    assert [t.id for t in tickets] == ["D-2"]
    reason = (
        "the export holds 1 of 5 comments; export the issue with all its comments "
        "(half a conversation is not captured)"
    )
    assert [str(b) for b in report.bad_records] == [f"issues[0] (D-1), field 'comment': {reason}"]
    # Every record read is accounted for: one ticket, one skipped with its reason.
    assert report.records_read == 2
    assert [(s.record, s.reason) for s in report.skipped] == [
        ("issues[0] (D-1), field 'comment'", f"bad record: {reason}")
    ]


def test_internal_markers_and_security_level(tmp_path: Path, read_all: Any) -> None:
    comments = [
        {"body": "public answer"},
        {"body": "role only", "visibility": {"type": "role", "value": "Developers"}},
        {"body": "jsm internal", "jsdPublic": False},
        {
            "body": "dc internal",
            "properties": [{"key": "sd.public.comment", "value": {"internal": True}}],
        },
        {
            "body": "dc public",
            "properties": [{"key": "sd.public.comment", "value": {"internal": False}}],
        },
        {"body": "servicedeskapi internal", "public": False},
    ]
    issue = _issue("E-1", comment={"total": 6, "comments": comments})
    secret = _issue("E-2", security={"id": "10000", "name": "Staff only"}, description="top secret")
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"issues": [issue, secret]}), encoding="utf-8")
    tickets, report = read_all(path)
    assert [t.id for t in tickets] == ["E-1"]
    assert [c.body for c in tickets[0].comments] == ["public answer", "dc public"]
    assert report.private_dropped == 5  # four internal comments and the secured issue
    assert report.notes == ["issues with an issue security level were skipped as internal"]


def test_plus_0000_timestamps_keep_their_offset(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            _issue(
                "F-1",
                created="2006-06-06T06:24:38.000+0000",
                resolutiondate="2006-06-07T01:00:00.000+02:00",
            )
        ),
        encoding="utf-8",
    )
    (ticket,), _ = read_all(path)
    assert ticket.opened is not None and ticket.opened.isoformat() == "2006-06-06T06:24:38+00:00"
    assert (
        ticket.resolved is not None and ticket.resolved.isoformat() == "2006-06-07T01:00:00+02:00"
    )


def test_unparseable_date_names_the_field(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"issues": [_issue("G-1", created="03/04/2006")]}), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_all(path)
    assert info.value.message == (
        f"{path}, issues[0] (G-1), field 'created': date '03/04/2006' is ambiguous (day and month "
        "could be swapped); export ISO dates or read the file with a mapping whose date_format "
        "says the order, e.g. '%d/%m/%Y'; nothing was imported (fix the record, or pass "
        "--skip-bad-records to skip and list such records)"
    )


def test_over_long_adf_is_cut_as_plain_text(tmp_path: Path, read_all: Any) -> None:
    long_code = "x" * (130 * 1024)
    doc = {
        "type": "doc",
        "content": [{"type": "codeBlock", "content": [{"type": "text", "text": long_code}]}],
    }
    path = tmp_path / "long.json"
    path.write_text(json.dumps(_issue("H-1", description=doc)), encoding="utf-8")
    (ticket,), _ = read_all(path)
    assert ticket.flags == ["truncated:description"]
    assert (
        ticket.problem
        == "x" * 128 * 1024 + "\n\n\\[kbgen: 2048 more characters were cut from this field\\]"
    )
