"""A refused file leaves nothing behind: no article and no ticket recorded as drafted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase

GOOD = {
    "key": "A-1",
    "fields": {
        "summary": "Printer offline",
        "description": "The printer shows offline.",
        "resolution": {"name": "Fixed"},
        "status": {"name": "Closed"},
        "created": "2020-01-01T00:00:00.000+0000",
        "resolutiondate": "2020-01-02T00:00:00.000+0000",
        "comment": {"comments": [], "total": 0, "maxResults": 0},
    },
}
BAD = {"key": "A-2", "fields": {"summary": "x", "created": "yesterday"}}


def test_file_refused_half_way_records_no_ticket(kb: KnowledgeBase, tmp_path: Path) -> None:
    export = tmp_path / "half.json"
    export.write_text(json.dumps({"issues": [GOOD, BAD]}))
    result = CliRunner().invoke(cli, ["capture", str(export), "--kb", str(kb.root), "--no-branch"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {export}, issues[1] (A-2), field 'created': ")
    assert result.output.endswith(
        "nothing was imported (fix the record, or pass --skip-bad-records to skip and list such records)\n"
    )
    assert [p.name for p in kb.articles_dir.iterdir()] == [".gitkeep"]
    with sqlite3.connect(kb.ticket_store_path) as conn:
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
