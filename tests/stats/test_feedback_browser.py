"""End to end in headless Chromium: a real built site served by `kbgen serve`, a click on
"helpful" recorded by the collector, and the internal dashboard rendering its charts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase

from .conftest import BROWSER_UA

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARTICLE = "/network/vpn-drops/"


def build_kb(root: Path) -> KnowledgeBase:
    from kbgen.kb import init_kb, write_article
    from kbgen.models import Article

    init_kb(root)
    (root / "site_config" / "kbgen.yml").write_text(
        "site:\n  collector_url: /api/events\n  internal: true\n  show_stats: true\n"
    )
    kb = KnowledgeBase.open(root)
    meta = {
        "id": "KB-0001", "title": "VPN drops every hour", "summary": "The VPN client disconnects hourly.",
        "status": "published", "confidence": "validated", "type": "troubleshooting", "language": "en",
        "category": "network", "tags": ["vpn"], "tickets": ["T-1"], "created": "2026-11-01",
        "updated": "2026-11-20",
    }  # fmt: skip
    body = "## Problem\n\nThe VPN drops every hour.\n\n## Resolution\n\nRenew the machine certificate.\n"
    write_article(kb.articles_dir / "network" / "vpn-drops.md", Article(meta=meta, body=body))
    return kb


def build(kb: KnowledgeBase) -> None:
    from kbgen.site.build import build_site

    build_site(kb)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[KnowledgeBase, str]]:
    pytest.importorskip("kbgen.site.build")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run make system-deps")
    kb = build_kb(tmp_path / "kb")
    build(kb)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kbgen", "serve", "--kb", str(kb.root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == f"Serving site on http://127.0.0.1:{port}/\n"
    try:
        yield kb, f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def report(kb: KnowledgeBase) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["stats", "report", "--json", "--kb", str(kb.root)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def wait_for(predicate, what: str, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Beacons are asynchronous: poll until the collector has the event (no timing asserted)."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"the collector never recorded {what}")
        time.sleep(0.1)


def test_click_helpful_is_recorded_and_dashboard_renders_charts(
    served: tuple[KnowledgeBase, str],
) -> None:
    from playwright.sync_api import sync_playwright

    kb, base = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            # Headless Chromium says "HeadlessChrome", which the bot filter drops by design.
            page = browser.new_context(user_agent=BROWSER_UA).new_page()
            page.goto(base + ARTICLE)
            helpful = page.locator("form[name=feedback] button[data-md-value='1']")
            helpful.wait_for(state="visible")
            page.locator("form[name=feedback] textarea[name=comment]").fill(
                "Worked, thanks! Mail me at ana@example.com"
            )
            helpful.click()

            def recorded() -> bool:
                totals = report(kb)["totals"]
                return (totals["views"], totals["helpful"]) == (1, 1)

            wait_for(recorded, "the page view and the helpful vote")

            data = report(kb)
            assert [
                (a["id"], a["views"], a["helpful"], a["not_helpful"]) for a in data["articles"]
            ] == [("KB-0001", 1, 1, 0)]
            assert [c["comment"] for c in data["comments"]] == [
                "Worked, thanks! Mail me at [email]"
            ]

            # A rebuild puts the numbers on the internal dashboard; its charts are live.
            build(kb)
            page.goto(base + "/internal/stats/")
            charts = page.locator("img.kb-chart")
            assert charts.count() == 4
            for i in range(4):
                charts.nth(i).scroll_into_view_if_needed()
            page.wait_for_function(
                "Array.from(document.querySelectorAll('img.kb-chart')).every(i => i.complete)"
            )
            widths = page.eval_on_selector_all(
                "img.kb-chart", "els => els.map(e => e.naturalWidth)"
            )
            assert widths == [640, 640, 640, 640]
            assert page.locator("h1").first.inner_text().startswith("Usage dashboard")
        finally:
            browser.close()
