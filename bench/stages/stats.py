"""Stats: the collector under loopback load, and access-log import against GoAccess.

The collector runs under waitress in its own process (``python -m
bench.stages.stats serve ...``); the load generator runs in the measuring child,
with ``CONCURRENCY`` keep-alive connections sending page-view beacons. The
baseline is the same server and load with an empty WSGI app that answers 204,
so the ratio is the cost kbgen adds per event on top of HTTP itself.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.measure import percentile, stopwatch
from bench.stages import require

CONCURRENCY = 8


def write_pages_manifest(site_dir: Path, n_articles: int) -> None:
    """The page list the collector and the log import accept (what ``kbgen build`` writes)."""
    pages = [
        {"page": f"/KB-{i:05d}/", "id": f"KB-{i:05d}", "category": "bench"}
        for i in range(1, n_articles + 1)
    ]
    site_dir.mkdir(parents=True, exist_ok=True)
    (site_dir / "kbgen-pages.json").write_text(json.dumps(pages), encoding="utf-8")


def goaccess_baseline(log: str) -> dict[str, float]:
    with open(log, "rb") as fh:
        lines = sum(1 for _ in fh)
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-goaccess-") as tmp:
        result: dict[str, float] = {}
        with stopwatch(result):
            subprocess.run(
                [
                    "goaccess",
                    log,
                    "--log-format=COMBINED",
                    "--no-global-config",
                    "-o",
                    f"{tmp}/report.json",
                ],
                check=True,
                capture_output=True,
            )
    result["lines_per_second"] = lines / result["seconds"]
    return result


def kbgen_import_log(log: str, n_articles: int) -> dict[str, float]:
    logimport = require("kbgen.stats.logimport", "import_log")
    store_mod = require("kbgen.stats.store", "StatsStore")
    events = require("kbgen.stats.events", "PageIndex")
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-import-") as tmp:
        site = Path(tmp) / "site"
        write_pages_manifest(site, n_articles)
        store = store_mod.StatsStore(Path(tmp) / "stats.sqlite")
        result: dict[str, float] = {}
        with stopwatch(result):
            imported = logimport.import_log(store, Path(log), events.PageIndex(site))
        store.close()
    result["lines_per_second"] = imported.lines / result["seconds"]
    result["views"] = imported.views
    return result


def collector_load(app: str, n_articles: int, events: int, db_url: str = "") -> dict[str, float]:
    """Start the server, send ``events`` beacons over ``CONCURRENCY`` connections, stop it."""
    if app == "kbgen":
        require("kbgen.stats.collector", "make_app", "CollectorSettings")
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-collector-") as tmp:
        site = Path(tmp) / "site"
        write_pages_manifest(site, n_articles)
        url = db_url or str(Path(tmp) / "stats.sqlite")
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.stages.stats", "serve", app, str(site), url],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            return _load(port, n_articles, events)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _load(port: int, n_articles: int, events: int) -> dict[str, float]:
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    per_thread = events // CONCURRENCY

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        for i in range(per_thread):
            page = f"/KB-{(offset * per_thread + i) % n_articles + 1:05d}/"
            body = json.dumps({"type": "view", "page": page}).encode()
            start = time.perf_counter()
            conn.request(
                "POST",
                "/api/events",
                body,
                {"Content-Type": "text/plain", "User-Agent": f"bench/{offset}"},
            )
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            bad += response.status != 204
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.append(bad)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    result: dict[str, float] = {}
    with stopwatch(result):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    result["events_per_second"] = len(latencies) / result["seconds"]
    result["p50_ms"] = percentile(latencies, 50)
    result["p99_ms"] = percentile(latencies, 99)
    result["non_204"] = sum(failures)
    return result


def _empty_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    stream = environ["wsgi.input"]
    stream.read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("204 No Content", [("Cache-Control", "no-store")])
    return []


def serve(app_name: str, site_dir: str, db_url: str) -> None:
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress").setLevel(logging.ERROR)  # "Task queue depth" lines under load

    if app_name == "kbgen":
        from kbgen.stats.collector import CollectorSettings, make_app

        app: Any = make_app(
            CollectorSettings(site_dir=Path(site_dir), db_url=db_url, rate_limit_per_minute=0)
        )
    else:
        app = _empty_app
    server = create_server(app, host="127.0.0.1", port=0, threads=CONCURRENCY)
    print(server.effective_port, flush=True)
    server.run()


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    os.environ.setdefault("KBGEN_TODAY", "2026-11-25")
    serve(*sys.argv[2:5])
