"""The CLI surface: help with examples, prune, and `kbgen serve` as a real process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase
from kbgen.stats.events import Event, record_event
from kbgen.stats.store import StatsStore

from .conftest import BROWSER_UA, VPN, dump


@pytest.mark.parametrize(
    "command",
    [["serve"], ["stats"], ["stats", "report"], ["stats", "import-log"], ["stats", "prune"],
     ["stats", "dashboard"]],
)  # fmt: skip
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    if command != ["stats"]:
        assert "--kb DIR" in result.output


def test_prune_removes_old_rows_and_yesterdays_hashes(kb: KnowledgeBase) -> None:
    with StatsStore(kb.stats_db_path) as store:
        for day in ("2025-01-01", "2026-11-24", "2026-11-25"):
            record_event(store, Event("view", page=VPN, article_id="KB-0001"), day, "v1")
    result = CliRunner().invoke(cli, ["stats", "prune", "--kb", str(kb.root)])
    assert (result.exit_code, result.output) == (
        0,
        "Removed 2 rows from before 2025-10-21 (stats.retention_days = 400).\n"
        "Removed 2 visitor hashes from before 2026-11-25.\n",
    )
    assert [r[0] for r in dump(kb)["page_views"]] == ["2026-11-24", "2026-11-25"]
    again = CliRunner().invoke(cli, ["stats", "prune", "--json", "--kb", str(kb.root)])
    assert json.loads(again.output) == {
        "kept_from": "2025-10-21",
        "retention_days": 400,
        "removed": {"page_views": 0, "votes": 0, "searches": 0, "feedback_comments": 0,
                    "visitor_counts": 0, "daily_visitors": 0, "vote_guard": 0},
    }  # fmt: skip


def test_serve_without_a_built_site_says_what_to_do(kb: KnowledgeBase) -> None:
    (kb.site_dir / "index.html").unlink()
    result = CliRunner().invoke(cli, ["serve", "--kb", str(kb.root), "--port", "0"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: site: no built site here (index.html is missing); run: kbgen build\n",
    )


def test_serve_on_a_busy_port_says_what_to_do(kb: KnowledgeBase) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--kb", str(kb.root), "--port", str(port)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port\n",
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kbgen_serve_process_serves_site_and_collector_until_ctrl_c(kb: KnowledgeBase) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbgen", "serve", "--kb", str(kb.root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        assert first == f"Serving site on http://127.0.0.1:{port}/\n"
        assert second == f"Collector: POST http://127.0.0.1:{port}/api/events (Ctrl-C to stop)\n"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", VPN)
        assert conn.getresponse().read() == b"<!doctype html><title>VPN drops every hour</title>"
        body = json.dumps({"type": "view", "page": VPN})
        conn.request(
            "POST", "/api/events", body, {"User-Agent": BROWSER_UA, "Content-Type": "text/plain"}
        )
        assert conn.getresponse().status == 204
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out == "Stopped.\n"
    assert "127.0.0.1" not in err
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "beacon", 1)]
