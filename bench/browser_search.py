"""Time to the first search result in headless Chromium, on a site built by ``kbgen build``.

The clock starts when navigation to the home page starts and stops when the
first result is in the DOM, so it includes downloading and indexing
``search/search_index.json`` (what a reader waits for on a cold visit); the
same measurement as the stock-Material baseline in ``bench/stages/browser.py``.

Usage::

    python bench/browser_search.py SITE_DIR "printer offline" [--runs 3]
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
