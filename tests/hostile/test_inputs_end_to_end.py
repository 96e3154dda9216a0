"""Cases 3, 5-9, 14, 15 through ``kbgen capture``: refused whole, or imported exactly.

A bad file given together with a good one must leave the KB exactly as it was
(no draft from the good file either, no branch, no store row): the tree, every
git ref and the ticket store are compared before and after.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .kbrun import FIXTURES, changed, git, kbgen, new_kb, snapshot

INPUTS = FIXTURES / "inputs"
GOOD = INPUTS / "jira_good.csv"
STORE = ".kbgen/tickets.sqlite"
SKIP_HINT = (
    "; nothing was imported (fix the record, or pass --skip-bad-records to skip and list such "
    "records)"
)
RAGGED = (
    "line 3: 11 cells but the header has 10 columns (ragged row); check for unquoted commas or a "
    "cut line"
)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return new_kb(tmp_path / "kb", "capture:\n  require_positive_resolution: false\n")


@pytest.mark.parametrize(
    ("name", "error"),
    [
        (
            "jira_gb18030.csv",
            "line 2: not UTF-8 (bytes b4 f2); it looks like Chinese GB18030/GBK text: "
            "pass --encoding gb18030",
        ),
        (
            "jira_unterminated.csv",
            "line 3: a quoted cell is never closed (unterminated quote); fix the quoting and "
            "export again",
        ),
        ("jira_ragged.csv", RAGGED + SKIP_HINT),
        (
            "jira_nul.csv",
            "line 3, field 'Description': contains a NUL character; the file is binary or "
            "corrupted, export it again" + SKIP_HINT,
        ),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(kb: Path, name: str, error: str) -> None:
    """Cases 3, 5, 6, 8: exit 1, the file and line named, no draft, branch, commit or store row."""
    before = snapshot(kb)
    result = kbgen("capture", GOOD, INPUTS / name, "--branch", "--kb", kb)
    assert (result.exit_code, result.output) == (1, f"Error: {INPUTS / name}, {error}\n")
    assert changed(before, snapshot(kb)) == []


@pytest.mark.parametrize(
    "exports",
    [["jira_good.csv", "jira_nul.csv"], ["jira_nul.csv"], ["jira_unterminated.csv"]],
    ids=["good file then bad file", "bad record after a good one", "unterminated quote"],
)
def test_a_refused_run_leaves_no_rows_in_the_ticket_store(kb: Path, exports: list[str]) -> None:
    """Cases 5 + 42: "nothing was imported" must hold for the store too."""
    before = snapshot(kb)
    result = kbgen("capture", *(INPUTS / e for e in exports), "--branch", "--kb", kb)
    assert result.exit_code == 1
    assert changed(before, snapshot(kb)) == []


def test_gb18030_is_read_with_the_encoding_and_never_garbled(kb: Path) -> None:
    """Case 3: with --encoding gb18030 the Chinese text arrives intact."""
    result = kbgen(
        "capture", INPUTS / "jira_gb18030.csv", "--encoding", "gb18030", "--no-branch", "--kb", kb
    )
    assert result.exit_code == 0, result.output
    (draft,) = (kb / "content" / "articles").glob("*.md")
    text = draft.read_text(encoding="utf-8")
    assert "title: 打印机无法连接\n" in text
    assert "办公室打印机显示脱机，无法打印任何文件。" in text


def test_skip_bad_records_drafts_the_rest(kb: Path) -> None:
    """Case 6: with --skip-bad-records the good row is drafted and the bad line is in the report."""
    result = kbgen(
        "capture",
        INPUTS / "jira_ragged.csv",
        "--skip-bad-records",
        "--no-branch",
        "--json",
        "--kb",
        kb,
    )
    assert result.exit_code == 0, result.output
    assert '"reason": "11 cells but the header has 10 columns (ragged row)' in result.output
    assert [p.name for p in (kb / "content" / "articles").glob("*.md")] == [
        "kb-0001-printer-queue-stuck-after-driver-update.md"
    ]


def test_skip_bad_records_lists_the_skipped_lines_in_the_text_output(kb: Path) -> None:
    """Case 6: "the run continues only if --skip-bad-rows is set and reported"."""
    result = kbgen(
        "capture", INPUTS / "jira_ragged.csv", "--skip-bad-records", "--no-branch", "--kb", kb
    )
    assert result.exit_code == 0
    assert f"  {RAGGED}\n" in result.output


def test_a_pasted_log_over_the_csv_limit_is_drafted_truncated_with_a_marker(
    kb: Path, tmp_path: Path
) -> None:
    """Case 7: a 200 KiB cell does not stop the import; the draft says what was cut."""
    log = "ERROR disk quota exceeded on /var/spool\n" * 5200  # 208,000 characters
    export = tmp_path / "huge.csv"
    export.write_text(
        GOOD.read_text(encoding="utf-8").replace(
            "The queue shows every job as paused after the driver update.", f'"{log}"'
        ),
        encoding="utf-8",
    )
    result = kbgen("capture", export, "--no-branch", "--kb", kb)
    assert result.exit_code == 0, result.output
    (draft,) = (kb / "content" / "articles").glob("*.md")
    text = draft.read_text(encoding="utf-8")
    assert "more characters were cut from this field" in text
    assert len(text) < 140_000


def test_control_characters_never_reach_the_markdown(kb: Path, tmp_path: Path) -> None:
    """Case 8: bell, escape and bidi overrides are stripped before drafting."""
    export = tmp_path / "controls.csv"
    export.write_text(
        GOOD.read_text(encoding="utf-8").replace(
            "The queue shows every job", "The\x07 queue\x1b[31m shows \u202eevery job"
        ),
        encoding="utf-8",
    )
    assert kbgen("capture", export, "--no-branch", "--kb", kb).exit_code == 0
    (draft,) = (kb / "content" / "articles").glob("*.md")
    text = draft.read_text(encoding="utf-8")
    assert [c for c in text if (ord(c) < 32 and c != "\n") or c == "\u202e"] == []


def store_rows(kb: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    with sqlite3.connect(kb / ".kbgen" / "tickets.sqlite") as db:
        return list(
            db.execute("SELECT ticket_id, opened, resolved, article_id FROM tickets ORDER BY 1")
        )


def test_mapped_csv_dates_ids_and_missing_values(kb: Path) -> None:
    """Cases 9, 14, 15: day-first dates, '?' as missing, ids as text, placeholders not prose."""
    result = kbgen(
        "capture",
        INPUTS / "helpdesk.csv",
        "--mapping",
        INPUTS / "helpdesk.yml",
        "--no-branch",
        "--kb",
        kb,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "Read 6 tickets from 1 source.",
        f"Note on {INPUTS / 'helpdesk.csv'}: this export has no resolution-status field: drafting "
        "counts a ticket as resolved only by a closed status or a resolved time",
        "Drafted 6 articles: 1 with a resolution, 5 marked 'resolution needed'.",
    ]
    assert store_rows(kb) == [
        ("HD-0008", "2016-03-02T00:00:00", "2016-03-03T00:00:00", "KB-0003"),
        ("HD-0009", "2016-03-04T00:00:00", "2016-03-05T00:00:00", "KB-0004"),
        ("HD-0010", "2016-03-06T00:00:00", "2016-03-07T00:00:00", "KB-0005"),
        ("HD-0011", "2016-03-08T00:00:00", "2016-03-09T00:00:00", "KB-0006"),
        ("HD-007", "2016-03-01T00:00:00", None, "KB-0002"),  # 1 March; "?" is missing
        ("HD-1004298", "2016-02-29T00:00:00", "2016-03-01T00:00:00", "KB-0001"),
    ]
    for path in sorted((kb / "content" / "articles").glob("kb-000[2-6]-*.md")):
        body = path.read_text(encoding="utf-8").split("## Resolution\n", 1)[1]
        assert body == (
            '\n!!! warning "Resolution needed"\n\n'
            "    The source tickets have no public resolution. "
            "Write the fix here before approving this draft.\n"
        ), path.name


def test_a_date_in_another_format_is_refused_naming_the_column(kb: Path) -> None:
    """Case 9: '2016-03-01' against '%d-%m-%Y' is an error, never a guess."""
    export = INPUTS / "helpdesk_bad_date.csv"
    before = snapshot(kb)
    result = kbgen("capture", export, "--mapping", INPUTS / "helpdesk.yml", "--kb", kb)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {export}, line 3 (id HD-007), field 'when': '2016-03-01' is not a date in the "
        f"expected format ('%d-%m-%Y'){SKIP_HINT}\n",
    )
    assert changed(before, snapshot(kb)) == []
    assert git(kb, "branch", "--list") == "* main\n"


def test_a_text_less_event_log_gives_no_articles_and_keeps_the_latest_state(kb: Path) -> None:
    """Case 10: one record per incident from its highest sys_mod_count; no empty files."""
    before = snapshot(kb)
    result = kbgen("capture", INPUTS / "servicenow_event_log_no_text.csv", "--branch", "--kb", kb)
    assert (result.exit_code, result.output) == (
        0,
        "Read 2 tickets from 1 source.\n"
        f"Note on {INPUTS / 'servicenow_event_log_no_text.csv'}: no free-text fields in this "
        "export: tickets carry metadata only, no drafts\n"
        "Drafted 0 articles: 0 with a resolution, 0 marked 'resolution needed'.\n"
        "Linked 0 tickets to existing articles.\n"
        "Skipped 2 tickets.\n"
        "  2 × no text to draft from\n",
    )
    assert [k for k in changed(before, snapshot(kb)) if k != STORE] == []
    with sqlite3.connect(kb / STORE) as db:
        rows = list(
            db.execute("SELECT ticket_id, status, category, outcome FROM tickets ORDER BY 1")
        )
    # INC0000901's rows are out of order in the file: update 3 (Resolved, Category 2) is the last.
    assert rows == [
        ("INC0000901", "Resolved", "Category 2", "skipped"),
        ("INC0000902", "Closed", "Category 3", "skipped"),
    ]


FIRST_PAGE_NOTE = (
    "the export is one page of a larger search (total 3); export the remaining pages to capture "
    "them too"
)


def test_one_page_of_a_larger_search_is_noted_in_the_json_report(kb: Path) -> None:
    """Case 13: the page's tickets are whole; the missing pages are reported, not ignored."""
    export = INPUTS / "jira_search_first_page.json"
    result = kbgen("capture", export, "--no-branch", "--json", "--kb", kb)
    assert result.exit_code == 0, result.output
    assert f'"{FIRST_PAGE_NOTE}"' in result.output


def test_one_page_of_a_larger_search_is_noted_in_the_text_output(kb: Path) -> None:
    export = INPUTS / "jira_search_first_page.json"
    result = kbgen("capture", export, "--no-branch", "--kb", kb)
    assert result.exit_code == 0
    assert FIRST_PAGE_NOTE in result.output
