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
