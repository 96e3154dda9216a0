"""Browser: time to the first search result in headless Chromium, stock Material as baseline.

The baseline is Material's own client-side search (lunr in a web worker,
which builds its index in the browser on every visit) on a plain ``mkdocs
build`` of the same pages, served from loopback. The kbgen side is the
``kbgen build`` site, whose search is Material's search UI with kbgen's small
index and kbgen's own worker (``kbgen/site/assets/search-worker.js``). Both
are measured by the same procedure, ``bench/browser_search.py``: the clock runs
from the start of navigation to the home page until the first result is in the
DOM, so it includes downloading and indexing ``search_index.json``, which is
what a user waits for on a cold visit.
"""

from __future__ import annotations

from bench.browser_search import time_to_first_result


def material_first_result(site_dir: str, query: str) -> dict[str, float]:
    return {"seconds": time_to_first_result(site_dir, query)}


def kbgen_first_result(site_dir: str, query: str) -> dict[str, float]:
    return {"seconds": time_to_first_result(site_dir, query)}
