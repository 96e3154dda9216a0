"""Any CSV or JSON through a mapping file: columns, missing markers, dates, checks, comments."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import ConfigError, SourceError
from kbgen.sources.mapping import load_mapping

CSV = (
    "ref,subject,symptom,why,fix,steps,kind,when,done,visible,note1\n"
    "0042,Printer jam,Paper stuck in tray 2,Worn roller,Replaced roller,无,Hardware,03/04/2024 10:00,04/04/2024 09:00,yes,Thanks!\n"
    "0043,VPN,Cannot connect,N/A,0,Reset token,Network,05/04/2024 10:00,,no,internal remark\n"
)
MAPPING = """
source_name: helpdesk
id: ref
id_prefix: HD-
title: subject
problem: symptom
cause: why
resolution: [fix, steps]
category: kind
opened: when
resolved: done
date_format: "%d/%m/%Y %H:%M"
comments: [note1]
comment_visibility: {column: visible, public_values: ["yes"]}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_mapping(tmp_path: Path, read_all: Any) -> None:
    data = write(tmp_path, "export.csv", CSV)
    mapping = write(tmp_path, "helpdesk.yml", MAPPING)
    tickets, report = read_all(data, mapping=mapping)
    assert report.format == "mapping:helpdesk"
    first, second = tickets
    assert (first.id, first.source, first.title, first.category) == (
        "HD-0042",
        "helpdesk",
        "Printer jam",
        "Hardware",
    )
    assert (first.problem, first.cause, first.resolution) == (
        "Paper stuck in tray 2",
        "Worn roller",
        "Replaced roller",
    )
    assert (
        first.opened is not None and first.opened.isoformat() == "2024-04-03T10:00:00"
    )  # 3 April: the mapping says day first
    assert [(c.role, c.body) for c in first.comments] == [("other", "Thanks!")]
    assert (second.cause, second.resolution, second.resolved) == (
        "",
        "Reset token",
        None,
    )  # N/A, 0 and 无 are missing
    assert second.comments == [] and second.private_dropped == 1
    assert report.private_dropped == 1
    assert "internal remark" not in str(vars(second))


def test_comment_columns_without_visibility_are_dropped(tmp_path: Path, read_all: Any) -> None:
    data = write(tmp_path, "export.csv", CSV)
    mapping = write(
        tmp_path,
        "m.yml",
        MAPPING.replace('comment_visibility: {column: visible, public_values: ["yes"]}\n', ""),
    )
    tickets, report = read_all(data, mapping=mapping)
    assert all(t.comments == [] for t in tickets)
    assert report.unknown_visibility == 2
    assert (
        "the mapping names comment columns but no comment_visibility, so every comment was "
        "treated as internal and dropped"
    ) in report.notes


def test_json_mapping_with_dotted_paths(tmp_path: Path, read_all: Any) -> None:
    records = {
        "data": [
            {
                "key": 7.0,
                "f": {"title": "Disk full", "body": "C: drive is full", "cat": {"name": "Storage"}},
            }
        ]
    }
    data = write(tmp_path, "export.json", json.dumps(records))
    mapping = write(
        tmp_path,
        "m.yml",
        "format: json\nrecords: data\nid: key\ntitle: f.title\nproblem: f.body\ncategory: f.cat\n",
    )
    (ticket,), _ = read_all(data, mapping=mapping)
    assert (ticket.id, ticket.title, ticket.problem, ticket.category) == (
        "7",
        "Disk full",
        "C: drive is full",
        "Storage",
    )


def test_mapped_column_missing_from_the_header(tmp_path: Path) -> None:
    data = write(tmp_path, "export.csv", CSV)
    mapping = write(tmp_path, "m.yml", MAPPING.replace("cause: why", "cause: reason"))
    result = CliRunner().invoke(cli, ["sources", "check", str(data), "--mapping", str(mapping)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {data}, line 1: column 'reason' (mapping key 'cause' in m.yml) is not in the header; "
        "fix the mapping or the export\n",
    )


def test_date_not_in_the_mapping_format(tmp_path: Path, read_all: Any) -> None:
    data = write(tmp_path, "export.csv", CSV.replace("05/04/2024 10:00", "2024-04-05"))
    mapping = write(tmp_path, "m.yml", MAPPING)
    with pytest.raises(SourceError) as info:
        read_all(data, mapping=mapping)
    assert info.value.message == (
        f"{data}, line 3 (id HD-0043), field 'when': '2024-04-05' is not a date in the expected "
        "format ('%d/%m/%Y %H:%M'); nothing was imported (fix the record, or pass "
        "--skip-bad-records to skip and list such records)"
    )


def test_bad_mapping_files_report_every_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.yml", "format: xml\ntitle: [a, b]\ncolour: blue\nchecks: {x: '('}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.message == "\n".join(
        [
            f"{path}: '{'title'}' must be text, got ['a', 'b']",
            f"{path}: unknown key 'colour' (known: id, format, source_name, id_prefix, records, "
            "encoding, delimiter, title, problem, cause, resolution, prevention, category, subcategory, "
            "priority, status, resolution_status, url, tags, opened, resolved, closed, date_format, "
            "language, environment, missing, metrics, checks, comments, comment_visibility, "
            "text_format, people, reporter, assignee, accepted_answer, children, ticket_when)",
            f"{path}: 'id' is required: the column holding each ticket's id",
            f"{path}: 'format' must be csv, json or markdown, got 'xml'",
            f"{path}: map at least 'problem' or 'title' to a column",
            f"{path}: 'checks.x' is not a valid regular expression (missing ), unterminated subpattern at position 0)",
        ]
    )
    not_yaml = write(tmp_path, "n.yml", "id: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_mapping(not_yaml)
    assert info.value.message.startswith(f"{not_yaml}: not valid YAML: ")


def test_mapping_format_needs_a_mapping(tmp_path: Path, read_all: Any) -> None:
    data = write(tmp_path, "export.csv", CSV)
    with pytest.raises(SourceError) as info:
        read_all(data, format="mapping")
    assert info.value.message == f"{data}: format 'mapping' needs --mapping MAPPING.yml"


def test_every_shipped_mapping_loads() -> None:
    folder = Path(__file__).resolve().parents[2] / "kbgen" / "scaffold" / "site_config" / "sources"
    shipped = sorted(folder.glob("*.yml"))
    assert shipped
    for path in shipped:
        assert load_mapping(path).id


def test_sgcc_rows_exported_as_gb18030(
    datasets: Path, tmp_path: Path, sgcc_mapping: Path, read_all: Any
) -> None:
    """A GBK/GB18030 Excel export of the same report: refused without an encoding, read with it."""
    source = datasets / "sgcc_ict_fault_incidents_zh.csv"
    with open(source, encoding="utf-8", newline="") as fh:
        rows = [row for _, row in zip(range(4), csv.reader(fh), strict=False)]  # header + 3 records
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    head = out.getvalue()
    path = tmp_path / "gbk.csv"
    path.write_bytes(head.encode("gb18030"))
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=sgcc_mapping)
    assert info.value.message.startswith(f"{path}, line 1: not UTF-8 (bytes ")
    assert info.value.message.endswith(
        "it looks like Chinese GB18030/GBK text: pass --encoding gb18030"
    )
    tickets, _ = read_all(path, mapping=sgcc_mapping, encoding="gb18030")
    expected, _ = read_all(write(tmp_path, "utf8.csv", head), mapping=sgcc_mapping)
    assert [vars(t) for t in tickets] == [vars(t) for t in expected]
    assert tickets and tickets[0].language == "zh"


def test_example_mapping_reads_a_matching_export(tmp_path: Path, read_all: Any) -> None:
    mapping = (
        Path(__file__).resolve().parents[2]
        / "kbgen"
        / "scaffold"
        / "site_config"
        / "sources"
        / "example-helpdesk.yml"
    )
    data = write(
        tmp_path,
        "export.csv",
        "Ticket ID,Subject,Description,Resolution,Category,Priority,Status,Resolution Code,Created,"
        "Resolved,Public Reply,Reply Visibility,Requester,Assignee,CC\n"
        "T-1,Mail,Outlook crashes for Ana Lima,Repaired Office,Email,P2,Closed,Fixed,03/04/2024 10:00,"
        "04/04/2024 11:00,Try safe mode,public,Ana Lima,Raj Patel,Jo Park\n"
        "T-2,VPN,No tunnel,n/a,Network,P3,Closed,Fixed,05/04/2024 10:00,,internal hint,private,"
        "Ben Ott,Raj Patel,\n",
    )
    (one, two), report = read_all(data, mapping=mapping)
    assert (one.id, one.resolution, one.resolution_status, one.category) == (
        "T-1",
        "Repaired Office",
        "Fixed",
        "Email",
    )
    assert one.opened is not None and one.opened.isoformat() == "2024-04-03T10:00:00"
    assert [c.body for c in one.comments] == ["Try safe mode"]
    assert (two.resolution, two.comments, report.private_dropped) == ("", [], 1)
    # People columns feed redaction: reporter, assignee and CC names.
    assert one.people == ["Ana Lima", "Jo Park", "Raj Patel"]
    assert two.people == ["Ben Ott", "Raj Patel"]
