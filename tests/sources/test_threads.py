"""Threads (utterance per row): grouping, ordering, roles, and private rows dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kbgen.exceptions import SourceError

HEADER = "issueid,id,comment_seq,utr_seq,author,created,is_private,actionbody,author_role\n"


def test_grouped_and_ordered_by_comment_then_utterance(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "threads.csv"
    path.write_text(
        HEADER
        + "7.0,3.0,1,1,agent,2022-01-02 11:00:00+00:00,0.0,then restart it.,assignee\n"
        + "7.0,3.0,1,0,agent,2022-01-02 11:00:00+00:00,0.0,clear the cache,assignee\n"
        + "7.0,1.0,0,0,cust,2022-01-02 10:00:00+00:00,0.0,hello team,reporter\n"
        + "7.0,1.0,0,1,cust,2022-01-02 10:00:00+00:00,0.0,the report page shows an error,reporter\n"
        + "7.0,2.0,2,0,bot,2022-01-02 10:30:00+00:00,1.0,solution: internal fix steps,others\n"
        + "8.0,4.0,0,0,cust2,2022-01-03 10:00:00+00:00,,unknown flag row,reporter\n",
        encoding="utf-8",
    )
    tickets, report = read_all(path)
    assert report.format == "threads-csv"
    first, second = tickets
    assert first.id == "7"
    assert first.title == "the report page shows an error"
    assert first.problem == "hello team  \nthe report page shows an error"
    assert [(c.role, c.body) for c in first.comments] == [
        ("resolver", "clear the cache  \nthen restart it.")
    ]
    assert first.opened is not None and first.opened.isoformat() == "2022-01-02T10:00:00+00:00"
    assert first.private_dropped == 1 and first.flags == []
    assert second.problem == "" and second.title == "Issue 8"
    assert (report.private_dropped, report.unknown_visibility) == (1, 1)
    assert report.notes == [
        "this export has no status or resolution fields: drafting treats its tickets as "
        "unresolved unless capture.require_positive_resolution is false"
    ]


def test_answer_only_in_private_notes_is_flagged(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "threads.csv"
    path.write_text(
        HEADER
        + "9.0,1.0,0,0,cust,2022-01-02 10:00:00+00:00,0.0,the export button does nothing,reporter\n"
        + "9.0,2.0,1,0,bot,2022-01-02 10:30:00+00:00,1.0,solution: patched the export servlet,others\n",
        encoding="utf-8",
    )
    (ticket,), _ = read_all(path)
    assert ticket.flags == ["resolution-internal-only"]
    assert "servlet" not in str(vars(ticket))


def test_issue_rows_must_be_together(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "threads.csv"
    path.write_text(
        HEADER
        + "1.0,1.0,0,0,a,2022-01-02 10:00:00+00:00,0.0,first,reporter\n"
        + "2.0,2.0,0,0,b,2022-01-02 10:00:00+00:00,0.0,second,reporter\n"
        + "1.0,3.0,1,0,a,2022-01-02 10:00:00+00:00,0.0,late,reporter\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as info:
        read_all(path)
    assert (
        info.value.message
        == f"{path}, line 4, field 'issueid': rows of issue 1 are not together; sort the file by issueid"
    )


def test_fractional_sequence_is_a_bad_record(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "threads.csv"
    path.write_text(
        HEADER
        + "1.0,1.0,0.5,0,a,2022-01-02 10:00:00+00:00,0.0,first,reporter\n"
        + "2.0,2.0,0,0,b,2022-01-02 10:00:00+00:00,0.0,the second issue text,reporter\n",
        encoding="utf-8",
    )
    tickets, report = read_all(path, skip_bad_records=True)
    assert [t.id for t in tickets] == ["2"]
    assert [str(b) for b in report.bad_records] == [
        "line 2, field 'comment_seq': '0.5' is not a whole number"
    ]
