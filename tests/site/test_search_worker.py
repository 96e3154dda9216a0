"""kbgen's search worker (kbgen/site/assets/search-*.js) in Chromium, and its installation.

The browser tests create the worker from the served site, exactly as
Material's bundle does, and speak Material's protocol to it: SETUP with
documents written here (with the site's search config), then QUERY, checking
the RESULTs by exact values. The site, Chromium and the server are
test_site_browser's fixtures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from mkdocs.exceptions import PluginError
from test_site_browser import browser, site_url  # noqa: F401 - fixtures, shared with that module

from kbgen.kb import KnowledgeBase
from kbgen.site.build import build_site
from kbgen.site.worker import ASSETS, WORKER_PARTS, install_search_worker


def browser_test(fn: Any) -> Any:
    return pytest.mark.browser(pytest.mark.slow(fn))


CONFIG = {  # what mkdocs.yml gives Material's search plugin, as it writes it into the index
    "lang": ["en"],
    "separator": "[\\s\\u200b\\u3000\\-、。，．？！；]+",
    "pipeline": ["stopWordFilter"],
    "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1000000.0}},
}

# Creates the worker Material's page config names, posts SETUP, then each query in turn.
DRIVE = """async ([setup, queries]) => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const worker = new Worker(new URL(config.search, location.href));
  const reply = () => new Promise(resolve =>
    worker.addEventListener("message", ev => resolve(ev.data), {once: true}));
  const out = {};
  if (setup !== null) {
    const start = performance.now();
    worker.postMessage({type: 0, data: setup});
    out.ready = await reply();
    out.setup_ms = performance.now() - start;
  }
  out.results = [];
  out.query_ms = [];
  for (const query of queries) {
    const start = performance.now();
    worker.postMessage({type: 2, data: query});
    out.results.push(await reply());
    out.query_ms.push(performance.now() - start);
  }
  worker.terminate();
  return out;
}"""


@pytest.fixture(scope="module")
def tab(browser: Any, site_url: str) -> Any:  # noqa: F811 - the imported fixtures
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url)
    yield page
    context.close()


def drive(
    tab: Any, docs: list[dict[str, Any]] | None, queries: list[str], **config: Any
) -> dict[str, Any]:
    setup = None if docs is None else {"config": {**CONFIG, **config}, "docs": docs, "options": {}}
    out: dict[str, Any] = tab.evaluate(DRIVE, [setup, queries])
    if setup is not None:
        assert out["ready"] == {"type": 1}
    for reply in out["results"]:
        assert reply["type"] == 3
    return out


def search(tab: Any, docs: list[dict[str, Any]], *queries: str, **config: Any) -> list[Any]:
    """The RESULT data of each query."""
    return [r["data"] for r in drive(tab, docs, list(queries), **config)["results"]]


def locations(result: dict[str, Any]) -> list[list[str]]:
    return [[item["location"] for item in group] for group in result["items"]]


def doc(location: str, title: str, text: str = "", tags: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"location": location, "title": title, "text": text}
    if tags is not None:
        out["tags"] = tags
    return out


PRINTING = [
    doc("spooler/", "Restart the print spooler", "<p>The queue is stuck.</p>", ["printing"]),
    doc("offline/", "Printer shows offline", "<p>After a Windows update.</p>", ["printer"]),
    doc("vpn/", "VPN drops", "<p>Update the client.</p>", ["vpn"]),
]


@browser_test
def test_result_has_materials_shape_with_highlights_and_terms(tab: Any) -> None:
    [result] = search(tab, PRINTING, "spooler")
    assert result == {
        "items": [
            [
                {
                    "location": "spooler/",
                    "title": "Restart the print <mark>spooler</mark>",
                    "text": "<p>The queue is stuck.</p>",
                    "tags": ["printing"],
                    "score": result["items"][0][0]["score"],
                    "terms": {"spooler": True},
                }
            ]
        ]
    }
    assert 1 < result["items"][0][0]["score"] < 2  # one matched word, plus relevance below 1


@browser_test
def test_exact_word_beats_prefix_of_a_longer_one(tab: Any) -> None:
    # "print" is a word of the first title and a prefix of "Printer" (and of the tags).
    [result] = search(tab, PRINTING, "print")
    assert locations(result) == [["spooler/"], ["offline/"]]
    assert result["items"][1][0]["title"] == "<mark>Printer</mark> shows offline"


@browser_test
def test_tags_beat_title_and_title_beats_text(tab: Any) -> None:
    docs = [
        doc("text/", "Mail client", "<p>Outlook asks again.</p>", ["mail"]),
        doc("title/", "Outlook asks again", "<p>Mail client.</p>", ["mail"]),
        doc("tag/", "Mail client asks", "<p>Again.</p>", ["outlook"]),
    ]
    [result] = search(tab, docs, "outlook")
    assert locations(result) == [["tag/"], ["title/"], ["text/"]]
    assert result["items"][0][0]["tags"] == ["<mark>outlook</mark>"]
    assert result["items"][2][0]["text"] == "<p><mark>Outlook</mark> asks again.</p>"


@browser_test
def test_more_matched_words_rank_first(tab: Any) -> None:
    docs = [
        doc("one/", "VPN", "", ["vpn"]),  # one word, in title and tags
        doc("two/", "Network", "<p>The vpn client drops.</p>"),  # both words, in text only
    ]
    [result] = search(tab, docs, "vpn client")
    assert locations(result) == [["two/"], ["one/"]]
    assert [group[0]["terms"] for group in result["items"]] == [
        {"vpn": True, "client": True},
        {"vpn": True, "client": False},
    ]
    assert 2 < result["items"][0][0]["score"] < 3 and 1 < result["items"][1][0]["score"] < 2


@browser_test
def test_chinese_query_is_segmented_against_the_index(tab: Any) -> None:
    # Material's search plugin joins jieba's words with U+200B at build time.
    docs = [
        doc("queue/", "打印机\u200b无法\u200b打印", "<p>打印\u200b队列\u200b卡住</p>", ["打印机"]),
        doc("mail/", "邮件\u200b无法\u200b发送", "<p>检查\u200b邮件\u200b服务器</p>"),
    ]
    queue, unknown, mixed = search(tab, docs, "打印队列", "打印机坏了", "无法 VPN")
    assert locations(queue) == [["queue/"]]
    assert queue["items"][0][0]["terms"] == {"打印": True, "队列": True}
    assert (
        queue["items"][0][0]["text"] == "<p><mark>打印</mark>\u200b<mark>队列</mark>\u200b卡住</p>"
    )
    # Characters no indexed word starts with stay one term, which matches nothing.
    assert unknown["items"][0][0]["terms"] == {"打印机": True, "坏了": False}
    assert mixed["items"][0][0]["terms"] == {"无法": True, "vpn": False}
    assert locations(mixed) == [["queue/"], ["mail/"]]


@browser_test
def test_chinese_query_finds_the_sites_own_article(tab: Any) -> None:
    index = tab.evaluate("fetch('search/search_index.json').then(r => r.json())")
    out = tab.evaluate(DRIVE, [{**index, "options": {}}, ["打印队列"]])
    first = out["results"][0]["data"]["items"][0][0]
    assert first["location"] == "printer-queue-zh/"
    # A word the query term is a prefix of is marked whole, as lunr's positions are.
    assert first["terms"] == {"打印": True, "队列": True}
    assert first["title"] == (
        "<mark>打印机</mark>\u200b无法\u200b<mark>打印</mark>\u200b，\u200b<mark>打印</mark>"
        "\u200b<mark>队列</mark>\u200b卡住"
    )


@browser_test
def test_sections_are_grouped_under_their_article(tab: Any) -> None:
    docs = [
        doc("guide/", "Printer guide", "<p>Start here.</p>"),
        doc("guide/#spooler", "Spooler", "<p>Restart the spooler service.</p>"),
        doc("guide/#drivers", "Drivers", "<p>Reinstall the printer driver.</p>"),
        doc("other/", "Spooler errors", "<p>Event log.</p>"),
    ]
    spooler, printer = search(tab, docs, "spooler", "printer")
    assert locations(spooler) == [["other/"], ["guide/#spooler", "guide/"]]
    article = spooler["items"][1][1]  # added so every group shows its article, as Material does
    assert article == {**docs[0], "score": 0, "terms": {}}
    assert spooler["items"][1][0]["parent"] == docs[0]
    assert locations(printer) == [["guide/", "guide/#drivers"]]


@browser_test
def test_highlighting_only_adds_marks_inside_text(tab: Any) -> None:
    text = (
        "<p>Use <code>&lt;script&gt;</code> &amp; mark &quot;quoted&quot; "
        '<a href="https://x.example/?q=mark&amp;x=1" title="script > mark">mark link</a> '
        "caf&eacute; &#233;t&#xE9; $5 (a+b) [x].* ^y|z\\</p>"
    )
    docs = [doc("h/", "Mark &lt;b&gt; mark", text, ["mark"])]
    queries = ["<script>", "&amp;", "mark", '"', ".*", "(a+b)", "$5", "été", "[x]", "^y|z\\", "lt"]
    results = search(tab, docs, *queries)
    marked = {
        q: r["items"][0][0] if r["items"] else None for q, r in zip(queries, results, strict=True)
    }
    for query, item in marked.items():
        if item is not None:  # the input plus <mark>/</mark> pairs, nothing else
            assert re.sub("</?mark>", "", item["text"]) == text, query
            assert re.sub("</?mark>", "", item["title"]) == docs[0]["title"], query
    assert marked["<script>"]["text"] == text.replace(
        "&lt;script&gt;", "&lt;<mark>script</mark>&gt;"
    )
    assert marked["mark"]["title"] == "<mark>Mark</mark> &lt;b&gt; <mark>mark</mark>"
    assert marked["mark"]["text"] == text.replace("&amp; mark", "&amp; <mark>mark</mark>").replace(
        ">mark link", "><mark>mark</mark> link"
    )
    assert marked["mark"]["tags"] == ["<mark>mark</mark>"]
    assert marked["été"]["text"] == text.replace("&#233;t&#xE9;", "<mark>&#233;t&#xE9;</mark>")
    assert marked["(a+b)"]["text"] == text.replace("(a+b)", "(<mark>a+b</mark>)")
    assert marked["$5"]["text"] == text.replace("$5", "$<mark>5</mark>")
    assert marked["[x]"]["terms"] == {"x": True}
    # Entity names, quotes and lone punctuation are not words.
    assert [marked[q] for q in ("&amp;", '"', ".*", "lt")] == [None, None, None, None]


@browser_test
@pytest.mark.parametrize(
    "query", ["", "   ", "*", "+foo", "~", ":", "^", "-", '"', "\U0001f600", "🙂 *~:", "x" * 1000]
)
def test_odd_queries_return_no_items(tab: Any, query: str) -> None:
    assert search(tab, PRINTING, query) == [{"items": []}]


@browser_test
def test_query_syntax_is_plain_text(tab: Any) -> None:
    plus, field, long = search(tab, PRINTING, "+printer", "title:vpn", "vpn " * 300)
    assert locations(plus) == [["offline/"]] and plus["items"][0][0]["terms"] == {"printer": True}
    assert field == {"items": []}  # one word, where Material's lunr would search titles for vpn
    assert locations(long) == [["vpn/"]] and long["items"][0][0]["terms"] == {"vpn": True}


@browser_test
def test_stop_words_are_not_indexed_or_searched(tab: Any) -> None:
    the, the_printer = search(tab, PRINTING, "the", "the printer")
    assert the == {"items": []}
    assert the_printer["items"][0][0]["terms"] == {"printer": True}
    assert the_printer["items"][0][0]["title"] == "<mark>Printer</mark> shows offline"
    [unfiltered] = search(tab, PRINTING, "the", pipeline=[])
    assert locations(unfiltered) == [["spooler/"], ["vpn/"]]  # title and text, then text


@browser_test
def test_no_results_and_query_before_setup(tab: Any) -> None:
    assert search(tab, PRINTING, "kerberos") == [{"items": []}]
    before = drive(tab, None, ["printer"])
    assert before["results"] == [{"type": 3, "data": {"items": []}}]


@browser_test
def test_suggestions_when_material_asks_for_them(tab: Any) -> None:
    setup = {"config": CONFIG, "docs": PRINTING, "options": {"suggest": True}}
    out = tab.evaluate(DRIVE, [setup, ["printer sho", "kerberos"]])
    assert [r["data"].get("suggest") for r in out["results"]] == [["printer", "shows"], []]


@browser_test
def test_ten_thousand_documents_index_and_answer_quickly(tab: Any) -> None:
    """Generous bounds for a loaded CI machine; docs/search.md has the measured figures."""
    words = [f"w{i}" for i in range(2000)]
    docs = [
        doc(
            f"a{i}/",
            " ".join(words[(i * 7 + k) % 2000] for k in range(6)),
            "<p>" + " ".join(words[(i * 13 + k) % 2000] for k in range(12)) + "</p>",
            [words[i % 2000]],
        )
        for i in range(10_000)
    ]
    queries = ["w1", "w77 w78", "w1999"]
    out = drive(tab, docs, queries)
    expected = [
        sum(
            any(word.startswith(term) for term in query.split() for word in _words(d)) for d in docs
        )
        for query in queries
    ]
    assert [len(r["data"]["items"]) for r in out["results"]] == expected
    assert out["setup_ms"] < 2000 and max(out["query_ms"]) < 500


def _words(d: dict[str, Any]) -> list[str]:
    return [*d["title"].split(), *d["text"][3:-4].split(), *d["tags"]]


def test_a_built_site_runs_kbgens_worker(sample: KnowledgeBase) -> None:
    build_site(sample, scanner=lambda text: [])
    site = sample.site_dir
    [worker] = site.glob("assets/javascripts/workers/search.*.min.js")
    parts = [(ASSETS / name).read_text(encoding="utf-8") for name in WORKER_PARTS]
    assert worker.read_text(encoding="utf-8") == "\n".join(parts)
    assert not list(site.glob("assets/javascripts/workers/*.map"))
    config = re.search(
        r'<script id="__config" type="application/json">(.*?)</script>', home_html(site)
    )
    assert config is not None
    assert json.loads(config.group(1))["search"] == worker.relative_to(site).as_posix()
    raw = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    index = json.loads(raw)
    # UTF-8, not Material's \uXXXX escapes (the separator's own "\u200b" is regex syntax).
    assert "\\u" not in "".join(_doc_lines(raw))
    assert '"title":"打印机\u200b无法\u200b打印\u200b，\u200b队列\u200b卡住"' in raw
    assert [json.loads(line.rstrip(","))["location"] for line in _doc_lines(raw)] == [
        d["location"] for d in index["docs"]
    ]
    assert index["config"]["separator"] == CONFIG["separator"]


def _doc_lines(raw: str) -> list[str]:
    """Line k of the rewritten index holds docs[k - 1], between the JSON's head and tail."""
    lines = raw.split("\n")
    lines[0] = lines[0].split('"docs":[', 1)[1]
    lines[-1] = lines[-1].removesuffix("]}")
    return lines


def home_html(site: Path) -> str:
    return (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("names", [[], ["search.a.min.js", "search.b.min.js"]])
def test_install_needs_exactly_one_material_worker(tmp_path: Path, names: list[str]) -> None:
    workers = tmp_path / "assets" / "javascripts" / "workers"
    workers.mkdir(parents=True)
    for name in names:
        (workers / name).write_text("// Material's", encoding="utf-8")
    found = ", ".join(f"assets/javascripts/workers/{n}" for n in names) or "none"
    with pytest.raises(PluginError) as error:
        install_search_worker(tmp_path)
    assert str(error.value) == (
        f"kbgen replaces Material's search worker, but found {len(names)} files matching "
        f"assets/javascripts/workers/search.*.min.js in {tmp_path} ({found}); exactly one is "
        "needed. Use theme 'material' (mkdocs-material 9.x) in mkdocs.yml and build into an "
        "empty site directory"
    )
    assert [p.read_text(encoding="utf-8") for p in workers.iterdir()] == ["// Material's"] * len(
        names
    )
