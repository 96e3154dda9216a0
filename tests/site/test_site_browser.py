"""The built site in a real headless Chromium: search (English, Chinese), beacons, hostile content.

The site is built once per module from a small KB and served by an
``http.server`` thread on 127.0.0.1, which also plays the collector: it
records the bodies POSTed to ``/api/events`` (the stats stage tests the real
collector). Screenshots of the home page, an article and search results go
to ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.browser_search import CHROMIUM, FLAGS  # one Chromium set-up for tests and bench
from kbgen.kb import KnowledgeBase, init_kb, write_article
from kbgen.models import Article
from kbgen.site.build import build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_MS = 20_000

# Published: markup-looking text kbgen keeps as text (escaped, or inside code).
TRICKY = """\
## Issue

The log said &lt;script&gt;window.__pwned = 1&lt;/script&gt; and `javascript:alert(1)`.

```html
<img src=x onerror="window.__pwned = 'code'">
<script>window.__pwned = "code"</script>
```

Steps: open `{: onmouseover="x" }` as text.
"""

# Withheld by the build: markup of its own (raw HTML, a javascript: link, an attribute list).
HOSTILE = """\
<script>window.__pwned = "script"; alert("script")</script>

<img src=x onerror="window.__pwned = 'img'; alert('img')">

[click me](javascript:alert('link'))

<svg onload="window.__pwned = 'svg'"><circle r="1"/></svg>

<iframe srcdoc="<script>parent.__pwned = 'iframe'</script>"></iframe>

<div id="__config">{"search": "/evil.js"}</div>

Attribute list {: onmouseover="window.__pwned = 'attr'" }
"""


class _Recorder(http.server.SimpleHTTPRequestHandler):
    """Serves the site; records beacons POSTed to /api/events like a collector would."""

    events: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        if self.path == "/api/events":
            self.events.append(
                {"content_type": self.headers.get("Content-Type"), "body": json.loads(body)}
            )
        self.send_response(204)
        self.end_headers()


def _article(
    kb: KnowledgeBase, slug: str, article_id: str, title: str, body: str, **extra: Any
) -> None:
    meta = {
        "id": article_id,
        "title": title,
        "summary": extra.pop("summary", title),
        "status": "published",
        "confidence": "validated",
        "type": extra.pop("type", "troubleshooting"),
        "language": extra.pop("language", "en"),
        "category": extra.pop("category", "General"),
        "tags": extra.pop("tags", []),
        "tickets": [],
        "created": "2026-11-01",
        "updated": extra.pop("updated", "2026-11-20"),
        **extra,
    }
    write_article(kb.articles_dir / f"{slug}.md", Article(meta=meta, body=body))


def _build(root: Path, collector: str) -> Path:
    kb = init_kb(root)
    config = kb.site_config_dir / "kbgen.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'collector_url: ""', f'collector_url: "{collector}"'
        ),
        encoding="utf-8",
    )
    _article(
        kb,
        "printer-offline",
        "KB-0001",
        "Printer shows offline after a Windows update",
        "## Issue\n\nThe printer shows offline in Settings.\n\n## Resolution\n\n"
        "1. Open Services.\n2. Restart the Print Spooler service.\n\n```text\nnet stop spooler\nnet start spooler\n```\n",
        summary="The printer shows offline after Windows Update; restart the print spooler.",
        category="Printing",
        tags=["printer", "windows"],
        applies_to={"product": "Windows", "version": "11"},
        reviewed_by="Ana Reviewer",
    )
    _article(
        kb,
        "printer-queue-zh",
        "KB-0002",
        "打印机无法打印，打印队列卡住",
        "## 问题现象\n\n打印机无法打印，打印队列中的文档一直显示正在打印。\n\n"
        "## 处理过程\n\n重启打印后台处理程序服务，清空打印队列后恢复正常。\n",
        summary="打印队列卡住导致打印机无法打印：重启打印后台处理程序服务。",
        language="zh",
        category="打印",
        tags=["打印机"],
    )
    _article(
        kb,
        "vpn-drops",
        "KB-0003",
        "VPN disconnects every 10 minutes",
        "## Resolution\n\nUpdate the VPN client to 5.2, which keeps idle tunnels open.\n",
        summary="The VPN drops after 10 idle minutes; update the client to 5.2.",
        category="Network",
        tags=["vpn"],
        status="needs_update",
    )
    _article(
        kb,
        "outlook-password",
        "KB-0004",
        "Outlook keeps asking for the password",
        "## Resolution\n\nRemove the saved credentials in Credential Manager, then restart Outlook.\n",
        summary="Outlook prompts for the password again and again; clear saved credentials.",
        category="Email",
        tags=["outlook"],
        type="howto",
    )
    _article(kb, "hostile", "KB-0005", "Hostile fixture", HOSTILE, category="Security")
    _article(
        kb,
        "tricky",
        "KB-0006",
        'Evil </title><script>window.__pwned = "title"</script>',
        TRICKY,
        summary='"><img src=x onerror="window.__pwned = 1">',
        category="Security",
    )
    build_site(KnowledgeBase.open(kb.root), scanner=lambda text: [])
    return kb.site_dir


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run 'make system-deps' (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Recorder, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {
            "KBGEN_TODAY": "2026-11-25",
            "GIT_AUTHOR_NAME": "Eve Engineer",
            "GIT_AUTHOR_EMAIL": "eve@example.test",
            "GIT_COMMITTER_NAME": "Eve Engineer",
            "GIT_COMMITTER_EMAIL": "eve@example.test",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_MKDOCS_2_WARNING": "1",
        }.items():
            mp.setenv(key, value)
        site = _build(tmp_path_factory.mktemp("browser") / "kb", "/api/events")
    server, url = _serve(site)
    yield url
    server.shutdown()
    server.server_close()


class Watch:
    """Console errors, page errors, dialogs and every request of one page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r.url))

    def external(self) -> list[str]:
        return [
            u for u in self.requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))
        ]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    tab = context.new_page()
    yield tab
    context.close()


def _search(page: Any, query: str) -> Any:
    page.click(".kb-hero__search")
    page.fill("[data-md-component=search-query]", query)
    page.keyboard.press("End")  # Material reads the query on keyup
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=WAIT_MS)
    return first


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # Material fades the search overlay in; a shot taken mid-transition looks washed out.
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running')", timeout=WAIT_MS
    )
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_english_search_shows_the_right_article_first_and_opens_it(
    site_url: str, page: Any
) -> None:
    watch = Watch(page)
    page.goto(site_url)
    page.wait_for_selector(".kb-hero")
    _shot(page, "home.png")
    first = _search(page, "printer offline")
    assert first.locator("h1").inner_text() == "Printer shows offline after a Windows update"
    _shot(page, "search-results.png")
    first.locator("a").first.click()
    page.wait_for_url(f"{site_url}printer-offline/**", timeout=WAIT_MS)
    page.wait_for_selector(".kb-panel")
    _shot(page, "article.png")
    assert watch.errors == []
    assert watch.external() == []


def test_chinese_search_shows_the_right_article_first_and_opens_it(
    site_url: str, page: Any
) -> None:
    watch = Watch(page)
    page.goto(site_url)
    first = _search(page, "打印队列")
    # Material shows jieba's word breaks as zero-width spaces.
    assert first.locator("h1").inner_text().replace("\u200b", "") == "打印机无法打印，打印队列卡住"
    _shot(page, "search-results-zh.png")
    first.locator("a").first.click()
    page.wait_for_url(f"{site_url}printer-queue-zh/**", timeout=WAIT_MS)
    assert page.locator("article h1").first.inner_text() == "打印机无法打印，打印队列卡住"
    assert watch.errors == [] and watch.external() == []


def test_an_article_with_markup_of_its_own_is_not_published(site_url: str, page: Any) -> None:
    response = page.goto(f"{site_url}hostile/")
    assert response is not None and response.status == 404


def test_markup_looking_text_runs_no_script(site_url: str, page: Any) -> None:
    watch = Watch(page)
    page.goto(f"{site_url}tricky/")
    page.wait_for_selector(".kb-panel")
    assert "window.__pwned = 1</script>" in page.inner_text("article")  # shown, as text
    page.mouse.move(300, 400)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned === undefined")
    assert watch.dialogs == []
    # Only the fixture's own <img src=x> fails to load; no script error of any kind.
    assert [e for e in watch.errors if not e.startswith("Failed to load resource")] == []
    assert watch.external() == []
    # Material still reads its own configuration (search works on this page).
    assert page.evaluate(
        "JSON.parse(document.getElementById('__config').textContent).search"
    ).endswith(".min.js")


def test_beacons_report_views_searches_and_feedback(site_url: str, page: Any) -> None:
    _Recorder.events.clear()
    watch = Watch(page)
    page.goto(f"{site_url}vpn-drops/")
    page.wait_for_selector("form[name=feedback]:not([hidden])", timeout=WAIT_MS)
    page.fill("textarea[name=comment]", "Worked after the update")
    page.click("form[name=feedback] button[data-md-value='1']")
    page.wait_for_selector(".md-feedback__note [data-md-value='1']:not([hidden])")
    page.click("[data-md-component=search-query]")
    page.fill("[data-md-component=search-query]", "outlook password")
    page.keyboard.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=WAIT_MS)
    page.locator(".md-search-result__item a").first.click()  # instant navigation
    page.wait_for_url(f"{site_url}outlook-password/**", timeout=WAIT_MS)
    page.wait_for_timeout(500)
    bodies = [e["body"] for e in _Recorder.events]
    assert bodies[:2] == [
        {"type": "view", "page": "/vpn-drops/"},
        {
            "type": "feedback",
            "page": "/vpn-drops/",
            "helpful": True,
            "comment": "Worked after the update",
        },
    ]
    assert {"type": "search", "query": "outlook password", "results": 1} in bodies
    assert bodies[-1] == {"type": "view", "page": "/outlook-password/"}
    assert {e["content_type"] for e in _Recorder.events} == {"text/plain;charset=UTF-8"}
    assert watch.errors == [] and watch.external() == []
    assert page.context.cookies() == []


def test_without_a_collector_nothing_is_sent(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = _build(tmp_path_factory.mktemp("nocollector") / "kb", "")
    server, url = _serve(site)
    try:
        _Recorder.events.clear()
        context = browser.new_context()
        tab = context.new_page()
        watch = Watch(tab)
        tab.goto(f"{url}printer-offline/")
        tab.wait_for_selector(".kb-panel")
        assert tab.locator("form[name=feedback]").get_attribute("hidden") == ""
        tab.click("[data-md-component=search-query]")
        tab.fill("[data-md-component=search-query]", "vpn")
        tab.keyboard.press("End")
        tab.locator(".md-search-result__item").first.wait_for(timeout=WAIT_MS)
        tab.wait_for_timeout(300)
        assert _Recorder.events == []
        assert [r for r in watch.requests if "/api/" in r] == []
        assert watch.errors == [] and watch.external() == []
        context.close()
    finally:
        server.shutdown()
        server.server_close()
