"""The collector and the report on PostgreSQL (KBGEN_STATS_URL), over real HTTP."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.stats.store import URL_ENV, has_stats

from .conftest import PRINTER, VPN, make_kb, start_live

pytestmark = pytest.mark.postgres


def test_collector_and_report_on_postgres(
    pg_store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(URL_ENV, pg_store_url)
    kb = make_kb(tmp_path / "kb", stats_config="  rate_limit_per_minute: 0\n")
    assert has_stats(kb)
    live = start_live(kb)
    try:

        def worker(n: int) -> None:
            for i in range(25):
                page = VPN if i % 5 else PRINTER
                assert live.post({"type": "view", "page": page}, ua=f"Mozilla/5.0 Gecko/{n}") == (
                    204,
                    b"",
                )
            assert live.post({"type": "feedback", "page": VPN, "helpful": n % 2 == 0},
                             ua=f"Mozilla/5.0 Gecko/{n}") == (204, b"")  # fmt: skip
            assert live.post({"type": "search", "query": "Printer JAM", "results": 0}) == (204, b"")

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert live.post({"type": "view", "page": "/nope/"})[0] == 400
    finally:
        live.server.stop()
        live.collector.close()

    result = CliRunner().invoke(cli, ["stats", "report", "--json", "--kb", str(kb.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(a["id"], a["views"], a["helpful"], a["not_helpful"]) for a in data["articles"]] == [
        ("KB-0001", 120, 3, 3),
        ("KB-0002", 30, 0, 0),
    ]
    assert data["zero_result_searches"] == [{"query": "printer jam", "count": 6}]
    assert data["totals"]["visitors"] == 7
    assert not (kb.state_dir / "stats.sqlite").exists()
