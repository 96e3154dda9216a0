"""Browser: time to the first search result in headless Chromium, stock Material as baseline.

The baseline is Material's own client-side search (lunr in a web worker) on a
plain ``mkdocs build`` of the same pages, served from loopback. The clock runs
from the start of navigation to the home page until the first result is in the
DOM, so it includes downloading and indexing ``search_index.json``, which is
what a user waits for on a cold visit. The kbgen side is measured by
``bench/browser_search.py`` (the site engineer's) when it defines
``time_to_first_result(site_dir, query)``; until then, by the same procedure on
the kbgen-built site, whose search is Material's search UI with kbgen's index.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.measure import StageNotLanded

CHROMIUM = "/usr/bin/chromium"
KBGEN_SCRIPT = Path(__file__).resolve().parents[1] / "browser_search.py"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@contextmanager
def serve_dir(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def material_first_result(site_dir: str, query: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with serve_dir(Path(site_dir)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.click("label.md-search__icon, .md-search__input", timeout=60_000)
        page.fill("input.md-search__input", query)
        # "attached", not "visible": a result in the DOM is a result, whatever the theme overrides hide.
        page.wait_for_selector(".md-search-result__item", state="attached", timeout=120_000)
        elapsed = time.perf_counter() - start
        browser.close()
    return {"seconds": elapsed}


def kbgen_first_result(site_dir: str, query: str) -> dict[str, float]:
    """``bench/browser_search.py:time_to_first_result(site_dir, query) -> seconds`` if present."""
    if not KBGEN_SCRIPT.exists():
        return material_first_result(site_dir, query)
    spec = importlib.util.spec_from_file_location("bench_browser_search", KBGEN_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    measure = getattr(module, "time_to_first_result", None)
    if measure is None:
        raise StageNotLanded("not landed: bench/browser_search.py has no time_to_first_result()")
    return {"seconds": float(measure(site_dir, query))}
