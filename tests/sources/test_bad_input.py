"""Bad input: each case is refused whole with an error naming file, line/record and field,
or, with --skip-bad-records, the bad records are skipped and listed. Run through the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.sources import textio

JIRA_HEADER = "Issue key,Summary,Description\n"
SKIP_HINT = "; nothing was imported (fix the record, or pass --skip-bad-records to skip and list such records)"


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sources", "check", *args])
    return result.exit_code, result.output


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))
    return path


def test_utf8_bom_is_stripped_from_the_header(tmp_path: Path, read_all: Any) -> None:
    path = write(
        tmp_path,
        "bom.csv",
        "\ufeffnumber,short_description,incident_state\nINC1,Mail down,Closed\n",
    )
    tickets, report = read_all(path)
    assert report.format == "servicenow-csv"
    assert [(t.id, t.title) for t in tickets] == [("INC1", "Mail down")]


def test_gb18030_is_refused_without_encoding_and_read_with_it(
    tmp_path: Path, read_all: Any
) -> None:
    path = write(tmp_path, "gb.csv", (JIRA_HEADER + "HD-1,打印机故障,无法打印\n").encode("gb18030"))
    assert check(str(path)) == (
        1,
        f"Error: {path}, line 2: not UTF-8 (bytes b4 f2); it looks like Chinese GB18030/GBK text: "
        "pass --encoding gb18030\n",
    )
    tickets, _ = read_all(path, encoding="gb18030")
    assert [(t.title, t.problem, t.language) for t in tickets] == [("打印机故障", "无法打印", "zh")]


def test_utf8_file_read_as_gb18030_is_refused_not_garbled(tmp_path: Path) -> None:
    path = write(tmp_path, "utf8.csv", JIRA_HEADER + "HD-1,打印机故障,无法打印\n")
    assert check(str(path), "--encoding", "gb18030") == (
        1,
        f"Error: {path}: the file is valid UTF-8 but --encoding gb18030 was given; decoding it as "
        "gb18030 would garble the text. Run again without --encoding\n",
    )


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", JIRA_HEADER + "HD-1,a,b\n")
    assert check(str(path), "--encoding", "klingon") == (
        1,
        f"Error: {path}: unknown encoding 'klingon'; use a Python codec name such as utf-8 or gb18030\n",
    )


def test_multiline_cells_with_mixed_line_endings(tmp_path: Path, read_all: Any) -> None:
    data = (
        "Issue key,Summary,Description\r\n"
        'HD-1,one,"first line\nsecond line\r\nthird line"\r\n'
        'HD-2,two,"a\rb"\r\n'
        "HD-3,three,plain\r\n"
        "HD-4,ragged\r\n"
    )
    path = write(tmp_path, "mixed.csv", data)
    tickets, report = read_all(path, skip_bad_records=True)
    assert [t.id for t in tickets] == ["HD-1", "HD-2", "HD-3"]
    assert tickets[0].problem == "first line  \nsecond line  \nthird line"
    assert tickets[1].problem == "a  \nb"
    # Line numbers count physical lines (LF, CRLF or a bare CR), also inside quoted cells.
    assert [str(b) for b in report.bad_records] == [
        "line 8: 2 cells but the header has 3 columns (ragged row); check for unquoted commas or a cut line"
    ]


def test_unterminated_quote_refuses_the_whole_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "q.csv", JIRA_HEADER + 'HD-1,ok,fine\nHD-2,bad,"never closed\nHD-3,x,y\n'
    )
    expected = (
        1,
        f"Error: {path}, line 3: a quoted cell is never closed (unterminated quote); fix the quoting "
        "and export again\n",
    )
    assert check(str(path)) == expected
    # Not a record problem: skipping cannot help, the rest of the file is unreadable.
    assert check(str(path), "--skip-bad-records") == expected


def test_ragged_rows_refused_or_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", JIRA_HEADER + "HD-1,ok,fine\nHD-2,short\nHD-3,x,y,extra\n")
    assert check(str(path)) == (
        1,
        f"Error: {path}, line 3: 2 cells but the header has 3 columns (ragged row); check for "
        f"unquoted commas or a cut line{SKIP_HINT}\n",
    )
    assert check(str(path), "--skip-bad-records") == (
        0,
        f"{path}: 1 ticket read as jira-csv\n"
        "internal comments dropped: 0\n"
        "comments of unknown visibility dropped: 0\n"
        "bad records skipped: 2\n"
        "  line 3: 2 cells but the header has 3 columns (ragged row); check for unquoted commas or a cut line\n"
        "  line 4: 4 cells but the header has 3 columns (ragged row); check for unquoted commas or a cut line\n",
    )


def test_cells_over_128_kib_are_read_and_truncated_with_a_flag(
    tmp_path: Path, read_all: Any
) -> None:
    big = "x" * (200 * 1024)
    path = write(tmp_path, "big.csv", JIRA_HEADER + f'HD-1,huge log,"{big}"\n')
    (ticket,), _ = read_all(path)
    assert ticket.flags == ["truncated:Description"]
    assert (
        ticket.problem
        == "x" * 128 * 1024 + "\n\n\\[kbgen: 73728 more characters were cut from this field\\]"
    )


def test_cell_over_the_hard_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textio, "CSV_FIELD_LIMIT", 1024 * 1024)
    path = write(
        tmp_path,
        "huge.csv",
        JIRA_HEADER + "HD-1,ok,fine\n" + f'HD-2,huge,"{"y" * (1024 * 1024 + 10)}"\n',
    )
    assert check(str(path)) == (
        1,
        f"Error: {path}, line 3: a cell is larger than 1 MiB; this is not a ticket export\n",
    )


def test_nul_is_refused_and_other_controls_are_stripped(tmp_path: Path, read_all: Any) -> None:
    path = write(tmp_path, "nul.csv", JIRA_HEADER + "HD-1,ok,fi\x00ne\n")
    assert check(str(path)) == (
        1,
        f"Error: {path}, line 2, field 'Description': contains a NUL character; the file is binary "
        f"or corrupted, export it again{SKIP_HINT}\n",
    )
    path = write(
        tmp_path, "ctl.csv", JIRA_HEADER + "HD-1,bell\x07 title,esc\x1b[31m red \u202eevil\n"
    )
    (ticket,), _ = read_all(path)
    assert (ticket.title, ticket.problem) == ("bell title", "esc\\[31m red evil")


def test_float_ids_are_normalised_and_fractions_refused(tmp_path: Path, read_all: Any) -> None:
    header = "number,short_description,incident_state\n"
    path = write(tmp_path, "ids.csv", header + "1004298.0,a,Closed\n007,b,Closed\n12.5,c,Closed\n")
    tickets, report = read_all(path, skip_bad_records=True)
    assert [t.id for t in tickets] == ["1004298", "007"]
    assert [str(b) for b in report.bad_records] == [
        "line 4, field 'number': id '12.5' is not a whole number; export ids as text"
    ]


def test_truncated_json(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.json",
        '{"issues": [{"key": "A-1", "fields": {"summary": "x"}}, {"key": "A-2", "fie',
    )
    assert check(str(path)) == (
        1,
        f"Error: {path}: the JSON ends too early in 'issues' at item 2 (truncated file?); export it again\n",
    )


def test_invalid_json_between_items(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{"issues": [{"key": "A-1", "fields": {}} {"key": "A-2"}]}')
    assert check(str(path)) == (
        1,
        f"Error: {path}: not valid JSON: expected ',' or ']' after item 1 in 'issues', found '{{'\n",
    )


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "empty.csv", content)
    assert check(str(path)) == (
        1,
        f"Error: {path}: the file is empty; there is nothing to import\n",
    )


def test_wrong_format(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "hello world\nthis is not an export\n")
    assert check(str(path)) == (
        1,
        f"Error: {path}: cannot tell which export format this is; pass --format with one of: "
        "jira-json, servicenow-json, github-json, discourse-json, stackexchange, freshdesk-json, "
        "zendesk-json, jira-csv, servicenow-csv, threads-csv, or "
        "--mapping with a mapping file\n",
    )
    csv_path = write(tmp_path, "a.csv", JIRA_HEADER + "HD-1,a,b\n")
    assert check(str(csv_path), "--format", "jira-json") == (
        1,
        f"Error: {csv_path}: not JSON: the file does not start with '{{' or '['\n",
    )
    assert check(str(csv_path), "--format", "threads-csv") == (
        1,
        f"Error: {csv_path}, line 1: columns 'issueid', 'id', 'comment_seq', 'utr_seq', 'author', "
        "'created', 'is_private', 'actionbody', 'author_role' missing from the header; is this the "
        "right --format?\n",
    )
    assert check(str(csv_path), "--format", "nonsense") == (
        1,
        "Error: unknown format 'nonsense'; use auto or one of: jira-json, servicenow-json, "
        "github-json, discourse-json, stackexchange, freshdesk-json, zendesk-json, jira-csv, "
        "servicenow-csv, threads-csv, mapping\n",
    )


def test_broken_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", 'Issue key,"Summary\n')
    assert check(str(path), "--format", "jira-csv") == (
        1,
        f"Error: {path}, line 1: a quoted cell is never closed (unterminated quote); fix the quoting "
        "and export again\n",
    )


def test_broken_json_line(tmp_path: Path) -> None:
    good = '{"key": "A-1", "fields": {"summary": "x"}}'
    path = write(tmp_path, "issues.jsonl", f'{good}\n{good}\n{{"key": "A-3", "fields": \n')
    assert check(str(path)) == (1, f"Error: {path}, line 3: not valid JSON (Expecting value)\n")


def test_invalid_item_is_refused_without_reading_the_rest(tmp_path: Path) -> None:
    good = '{"key": "A-1", "fields": {"summary": "x"}}'
    rest = ",".join([good] * 20_000)  # far more than one read buffer
    path = write(tmp_path, "bad.json", '{"issues": [' + good + ', {"key": nope}, ' + rest + "]}")
    assert check(str(path)) == (
        1,
        f"Error: {path}: not valid JSON in 'issues' at item 2: Expecting value\n",
    )
