"""Time to the first search result in headless Chromium, on a site built by ``kbgen build``.

The clock starts when navigation to the home page starts and stops when the
first result is in the DOM, so it includes downloading ``search/search_index.json``
and indexing it in the search worker (what a reader waits for on a cold visit).
``bench/stages/browser.py`` takes the same measurement of stock Material.

``--worker`` also times the search worker alone, as the browser runs it: the
site's own worker and index, from posting SETUP to READY (the structured clone
of the documents included, the worker's start-up not) and from QUERY to
RESULT, each run in a fresh page.

Usage::

    python bench/browser_search.py SITE_DIR "printer offline" [--runs 3] [--worker]
    python bench/browser_search.py --kb KB_DIR --build "query"   # build first, then measure

``time_to_first_result(site_dir, query) -> seconds`` is what ``make bench`` calls.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@contextmanager
def serve(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def time_to_first_result(site_dir: str | Path, query: str) -> float:
    """Seconds from navigation start to the first search result, in a fresh browser."""
    from playwright.sync_api import sync_playwright

    with serve(Path(site_dir)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(url)
            page.click(".md-search__input", timeout=60_000)
            page.fill(".md-search__input", query)
            page.keyboard.press("End")  # Material reads the query on keyup
            page.wait_for_selector(".md-search-result__item", timeout=120_000)
            return time.perf_counter() - start
        finally:
            browser.close()


# Runs in the served home page: the worker __config names, fed the site's own index.
_WORKER_TIMES = """async (query) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const index = await (await fetch("search/search_index.json")).json();
  const worker = new Worker(new URL(config.search, location.href));
  const reply = () => new Promise(resolve =>
    worker.addEventListener("message", ev => resolve(ev.data), {once: true}));
  worker.postMessage({type: 2, data: query});  // answered once the script runs: start-up not timed
  await reply();
  let start = performance.now();
  worker.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {}}});
  await reply();
  const setup = performance.now() - start;
  start = performance.now();
  worker.postMessage({type: 2, data: query});
  const result = await reply();
  const took = performance.now() - start;
  worker.terminate();
  return [setup, took, result.data.items.length];
}"""


def worker_times(site_dir: str | Path, query: str, runs: int) -> list[tuple[float, float, int]]:
    """(SETUP ms, QUERY ms, result groups) per run, each in a fresh page of one browser."""
    from playwright.sync_api import sync_playwright

    out = []
    with serve(Path(site_dir)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for _ in range(runs):
                page = browser.new_page()
                page.goto(url)
                setup, took, groups = page.evaluate(_WORKER_TIMES, query)
                out.append((float(setup), float(took), int(groups)))
                page.close()
        finally:
            browser.close()
    return out


def index_figures(site_dir: Path) -> dict[str, float]:
    index = site_dir / "search" / "search_index.json"
    docs = json.loads(index.read_text(encoding="utf-8"))["docs"]
    return {"index_mb": index.stat().st_size / 2**20, "index_docs": len(docs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_dir", nargs="?", type=Path)
    parser.add_argument("query")
    parser.add_argument("--kb", type=Path, help="KB to build first (with kbgen build)")
    parser.add_argument("--build", action="store_true", help="build the KB's site before measuring")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help="also time the worker alone")
    args = parser.parse_args(argv)
    site_dir = args.site_dir
    if args.kb:
        from kbgen.kb import KnowledgeBase
        from kbgen.site.build import build_site

        kb = KnowledgeBase.open(args.kb)
        if args.build:
            start = time.perf_counter()
            result = build_site(kb, scanner=lambda text: [])
            print(f"build: {time.perf_counter() - start:.1f} s; {result.summary_lines()[0]}")
        site_dir = kb.site_dir
    if site_dir is None:
        parser.error("give SITE_DIR or --kb")
    runs = [time_to_first_result(site_dir, args.query) for _ in range(args.runs)]
    figures = index_figures(site_dir)
    print(
        f"{site_dir}: first result for {args.query!r} after {statistics.median(runs):.2f} s "
        f"(median of {len(runs)}: {', '.join(f'{r:.2f}' for r in runs)}); "
        f"browser index {figures['index_mb']:.2f} MB, {figures['index_docs']:.0f} documents"
    )
    if args.worker:
        times = worker_times(site_dir, args.query, max(args.runs, 5))
        setups, queries = [t[0] for t in times], [t[1] for t in times]
        print(
            f"worker: SETUP {statistics.median(setups):.0f} ms, QUERY {statistics.median(queries):.1f}"
            f" ms (medians of {len(times)}; SETUP {', '.join(f'{t:.0f}' for t in setups)}); "
            f"{times[0][2]} result groups"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
