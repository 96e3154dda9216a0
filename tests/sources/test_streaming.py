"""Sources stream: a large export is never loaded whole.

Reading a whole 11 MB export into memory costs several times its size in Python
objects; streaming keeps the peak at one record, a read buffer and the set of ids
seen, well under a fifth of the file.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from kbgen.sources import read_tickets

ISSUES = 4_000
FILLER = "The sync job fails after the nightly rotation; logs show the same stack every time. " * 32


def peak_while_reading(path: Path, warm_up: Path) -> tuple[int, int]:
    # Read a tiny file of the same format first, so imports and the format registry
    # are not counted as "the file in memory".
    list(read_tickets(warm_up))
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_tickets(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def jira_issue(i: int) -> str:
    return json.dumps(
        {"key": f"BIG-{i}", "fields": {"summary": f"Issue {i}", "description": FILLER}}
    )


@pytest.mark.slow
def test_large_jira_search_response_streams(tmp_path: Path) -> None:
    warm_up = tmp_path / "small.json"
    warm_up.write_text('{"issues": [' + jira_issue(0) + "]}", encoding="utf-8")
    path = tmp_path / "big.json"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f'{{"startAt": 0, "total": {ISSUES}, "issues": [')
        fh.write(",".join(jira_issue(i) for i in range(ISSUES)))
        fh.write("]}")
    size = path.stat().st_size
    count, peak = peak_while_reading(path, warm_up)
    assert count == ISSUES and size > 10_000_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte file: not streaming"


@pytest.mark.slow
def test_large_csv_streams(tmp_path: Path) -> None:
    header = "number,short_description,description,incident_state\r\n"
    warm_up = tmp_path / "small.csv"
    warm_up.write_text(header + "INC0,a,b,Closed\r\n", encoding="utf-8")
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        fh.writelines(f'INC{i:07d},Issue {i},"{FILLER}",Closed\r\n' for i in range(ISSUES))
    size = path.stat().st_size
    count, peak = peak_while_reading(path, warm_up)
    assert count == ISSUES and size > 10_000_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte file: not streaming"


HALF = ISSUES // 2  # two records per ticket (issue and comment, question and answer)


def _github(i: int) -> str:
    url = f"https://api.github.com/repos/o/r/issues/{i}"
    return json.dumps({"url": url, "number": i, "title": f"Issue {i}", "state": "closed",
                       "state_reason": "completed", "user": {"login": "ann"}, "body": FILLER,
                       "comments": 1, "comments_url": url + "/comments"})  # fmt: skip


@pytest.mark.slow
def test_large_github_export_with_joined_comments_streams(tmp_path: Path) -> None:
    warm = tmp_path / "warm"
    warm.mkdir()
    (warm / "issues.json").write_text("[" + _github(0) + "]", encoding="utf-8")
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "issues.json", "w", encoding="utf-8") as fh:
        fh.write("[" + ",".join(_github(i) for i in range(HALF)) + "]")
    with open(folder / "comments.json", "w", encoding="utf-8") as fh:
        fh.write("[")
        fh.write(",".join(json.dumps({"issue_url": f"https://api.github.com/repos/o/r/issues/{i}",
                                      "user": {"login": "bo"}, "author_association": "MEMBER",
                                      "body": FILLER, "created_at": "2024-03-01T10:00:00Z"})
                          for i in range(HALF)))  # fmt: skip
        fh.write("]")
    size = sum(p.stat().st_size for p in folder.iterdir())
    count, peak = peak_while_reading(folder, warm)
    assert count == HALF and size > 10_000_000
    assert peak < size / 5, f"peak {peak} bytes for {size} bytes of export: not streaming"


@pytest.mark.slow
def test_large_stack_exchange_dump_streams(tmp_path: Path) -> None:
    from xml.sax.saxutils import quoteattr

    body = quoteattr("<p>" + FILLER + "</p>")
    warm = tmp_path / "warm.xml"
    warm.write_text(
        '<?xml version="1.0"?>\n<posts>\n<row Id="1" PostTypeId="1" Title="t" Body="b" />\n</posts>\n',
        encoding="utf-8",
    )
    path = tmp_path / "Posts.xml"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for i in range(HALF):
            fh.write(
                f'  <row Id="{2 * i + 2}" PostTypeId="2" ParentId="{2 * i + 1}" CreationDate="2024-03-01T10:00:00.000" Body={body} />\n'
            )
            fh.write(
                f'  <row Id="{2 * i + 1}" PostTypeId="1" AcceptedAnswerId="{2 * i + 2}" Title="Q {i}" CreationDate="2024-03-01T09:00:00.000" Body={body} Tags="|a|b|" />\n'
            )
        fh.write("</posts>\n")
    size = path.stat().st_size
    count, peak = peak_while_reading(path, warm)
    assert count == HALF and size > 10_000_000
    assert peak < size / 5, f"peak {peak} bytes for a {size}-byte dump: not streaming"
