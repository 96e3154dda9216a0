"""build_site and the kbgen MkDocs plugin, through real MkDocs + Material builds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import SiteError
from kbgen.hookspecs import hookimpl
from kbgen.kb import KnowledgeBase
from kbgen.plugins import plugin_manager
from kbgen.redaction import Finding
from kbgen.site.build import build_site

WriteArticle = Callable[..., Path]


def no_leaks(text: str) -> list[Any]:
    return []


def fake_scanner(text: str) -> list[Finding]:
    """Flags one marker string, like the real re-scan flags an email address."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        col = line.find("leak@corp.example")
        if col >= 0:
            found.append(Finding("email", number, col + 1, "…for [email] access…"))
    return found


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_build_publishes_only_published_articles(sample: KnowledgeBase) -> None:
    result = build_site(sample, scanner=no_leaks)
    assert result.summary_lines() == [
        "Built 3 published articles into site/ (search index: 3 documents)",
        "1 retired article left a tombstone page",
        "Leak scan: 16 files, no findings",
        "Note: Material for MkDocs reaches end of life on 2027-05-05; kbgen's publishing guarantees "
        "do not depend on it (see kbgen's docs/site.md for the way to Zensical).",
    ]
    site = sample.site_dir
    assert (site / "printer-offline" / "index.html").is_file()
    assert (site / "vpn-drops" / "index.html").is_file()
    assert not (site / "outlook-draft").exists()  # drafts never appear, even merged by mistake
    assert not (site / "KB-0001.source.json").exists()  # sidecar files are not published
    assert "Secret draft" not in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert not list(site.parent.glob(".site.*"))  # no temporary directories left behind
    assert list((sample.root / ".kbgen" / "build").iterdir()) == []


def test_pages_manifest_lists_every_published_article(sample: KnowledgeBase) -> None:
    build_site(sample, scanner=no_leaks)
    records = json.loads((sample.site_dir / "kbgen-pages.json").read_text(encoding="utf-8"))
    assert records == [
        {
            "page": "/printer-offline/",
            "id": "KB-0001",
            "title": "Printer shows offline after Windows update",
            "category": "Printing",
            "tags": ["printer", "windows"],
            "status": "published",
        },
        {
            "page": "/printer-queue-zh/",
            "id": "KB-0002",
            "title": "打印机无法打印，队列卡住",
            "category": "Printing",
            "tags": ["打印机"],
            "status": "published",
        },
        {
            "page": "/vpn-drops/",
            "id": "KB-0003",
            "title": "VPN disconnects every 10 minutes",
            "category": "Network",
            "tags": ["vpn"],
            "status": "needs_update",
        },
    ]


def test_generated_pages_and_navigation(sample: KnowledgeBase) -> None:
    build_site(sample, scanner=no_leaks)
    site = sample.site_dir
    home = page(site, "")
    assert "How can we help?" in home
    assert '<a class="kb-card" href="browse/network/" rel="noopener noreferrer">' in home
    assert '<span class="kb-card__count">2 articles</span>' in home
    printing = page(site, "browse/printing")
    assert (
        '<a class="kb-list__title" href="../../printer-offline/" rel="noopener noreferrer">'
        in printing
    )
    assert (
        '<a class="kb-list__title" href="../../printer-queue-zh/" rel="noopener noreferrer">'
        in printing
    )
    recent = page(site, "browse/recent")
    assert recent.index("vpn-drops/") < recent.index("printer-offline/")  # newest first
    assert "No usage data yet" in page(site, "browse/popular")
    tags = page(site, "browse/tags")
    assert 'id="tag:打印机"' in tags and "../../printer-queue-zh/" in tags
    # Articles are reached through index pages, never listed in the navigation.
    article = page(site, "printer-offline")
    nav = article[
        article.index('class="md-tabs"') : article.index("</nav>", article.index('class="md-tabs"'))
    ]
    assert "printer-queue-zh" not in nav and "Recently updated" in nav


def test_article_panel_notice_and_tombstone(sample: KnowledgeBase) -> None:
    build_site(sample, scanner=no_leaks)
    site = sample.site_dir
    article = page(site, "printer-offline")
    assert (
        '<div class="kb-panel"><span class="kb-chip">Troubleshooting</span>'
        '<span class="kb-fact"><span class="kb-fact__label">Applies to</span> Windows 11</span>'
        '<span class="kb-fact"><span class="kb-fact__label">Updated</span> 2026-11-20</span>'
        '<span class="kb-fact"><span class="kb-fact__label">Reviewed by</span> Ana Reviewer</span>'
        '<span class="kb-fact kb-fact--id">KB-0001</span></div>'
    ) in article
    assert '<div class="admonition note">' in article  # admonitions survive sanitising
    assert '<a class="headerlink" href="#resolution"' in article  # so do permalinks
    assert 'class="highlight"' in article
    assert "This article is being updated" in page(site, "vpn-drops")
    assert "This article is being updated" not in article
    tombstone = page(site, "old-vpn")
    assert '<meta http-equiv="refresh" content="0; url=../vpn-drops/">' in tombstone
    assert "It has been replaced by" in tombstone


def test_related_articles_come_from_similarity(kb: KnowledgeBase, write: WriteArticle) -> None:
    write(
        "a",
        "KB-0001",
        "Printer spooler crashes",
        "Restart the spooler service on the print server.",
    )
    write("b", "KB-0002", "Spooler service stops on print server", "Clear the spooler folder.")
    write("c", "KB-0003", "VPN disconnects", "Update the client.")
    build_site(kb, scanner=no_leaks)
    related = page(kb.site_dir, "a")
    assert (
        '<nav class="kb-related"><h2 class="kb-related__title">Related articles</h2><ul><li><a href="../b/">Spooler service stops on print server</a></li></ul></nav>'
        in related
    )
    assert "../c/" not in related


class _Markup(HTMLParser):
    """Collects what can execute: scripts, event-handler attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []
        self.ids: list[str] = []
        self.frames: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag in ("iframe", "object", "embed"):
            self.frames.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag}.{name}")
            unsafe = ("javascript:", "data:", "vbscript:")
            if name in ("href", "src", "action", "formaction") and value:
                self.urls.extend(
                    [value] if re.sub(r"\s", "", value).lower().startswith(unsafe) else []
                )
            if name == "id" and value:
                self.ids.append(value)


THEME_SCRIPTS = re.compile(
    r"(assets/javascripts/bundle\.[0-9a-f]+\.min\.js|assets/kbgen/kbgen\.js)$"
)


def test_hostile_content_cannot_execute(
    kb: KnowledgeBase, write: WriteArticle, hostile_body: str
) -> None:
    write(
        "hostile",
        "KB-0006",
        'Evil </title><script>alert("title")</script> {{ config }}',
        "## Issue\n\nA plain body.\n",
        summary='"><script>alert("description")</script>',
        category="<b>Bold</b> category",
        tags=["<script>tag"],
        reviewed_by='"><img src=x onerror=alert(5)>',
    )
    write("body", "KB-0007", "Hostile body", hostile_body)
    result = build_site(kb, scanner=no_leaks)
    assert len(result.withheld) == 1 and result.withheld[0].startswith(
        "withheld KB-0007 (content/articles/body.md): raw HTML "
    )
    assert not (kb.site_dir / "body").exists()
    assert "Hostile body" not in (kb.site_dir / "search" / "search_index.json").read_text()
    for path in sorted(kb.site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        markup = _Markup()
        markup.feed(html)
        where = path.relative_to(kb.site_dir)
        assert markup.handlers == [], where
        assert markup.urls == [], where
        assert markup.frames == [], where
        assert markup.ids.count("__config") == 1, where  # only Material's own
        for script in markup.scripts:
            src = script.get("src")
            assert src is None or THEME_SCRIPTS.search(src), (where, src)
        assert "alert(" not in re.sub(r"&[a-z]+;|&#\d+;", "", _inline_scripts(html)), where
        assert "internal comment" not in html, where
    hostile = page(kb.site_dir, "hostile")
    assert (
        "<title>Evil &lt;/title&gt;&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; {{ config }} - "
        in hostile
    )
    assert (
        '<meta name="description" content="&quot;&gt;&lt;script&gt;alert(&quot;description&quot;)&lt;/script&gt;">'
        in hostile
    )


def _inline_scripts(html: str) -> str:
    return "".join(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S))


def test_collector_url_reaches_the_analytics_partial(
    kb: KnowledgeBase, write: WriteArticle
) -> None:
    write("a", "KB-0001", "Printer offline")
    build_site(kb, scanner=no_leaks)
    assert 'var collector = "";' in page(kb.site_dir, "a")
    config = kb.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text().replace('collector_url: ""', "collector_url: /api/events"))
    build_site(KnowledgeBase.open(kb.root), scanner=no_leaks)
    html = page(kb.site_dir, "a")
    assert 'var collector = "/api/events";' in html
    assert "navigator.sendBeacon(collector, JSON.stringify(data))" in html
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html


def test_stats_show_on_popular_page_and_panel(
    kb: KnowledgeBase, write: WriteArticle, site_hooks: Callable[..., None]
) -> None:
    write("a", "KB-0001", "Printer offline")
    write("b", "KB-0002", "VPN drops")
    stats = {"KB-0002": {"views": 12, "votes": 4, "helpful_share": 0.75}, "KB-0001": {"views": 1}}
    site_hooks(site_article_usage=lambda kb: stats)
    config = kb.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text() + "  show_stats: true\n")
    build_site(KnowledgeBase.open(kb.root), scanner=no_leaks)
    popular = page(kb.site_dir, "browse/popular")
    assert popular.index("../../b/") < popular.index("../../a/")
    assert '<span class="kb-list__meta">12 views · Updated 2026-11-20</span>' in popular
    assert '<p class="kb-stats">12 views · 75% found it helpful (4 votes)</p>' in page(
        kb.site_dir, "b"
    )


def test_failed_build_leaves_the_served_site_untouched(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_site(sample, scanner=no_leaks)
    before = page(sample.site_dir, "printer-offline")
    write("broken-link", "KB-0009", "Broken link", "See [the guide](missing.md).")
    with pytest.raises(SiteError) as exc:
        build_site(sample, scanner=no_leaks)
    assert exc.value.message == (
        "the site build failed and site/ is unchanged:\n"
        "  Doc file 'broken-link.md' contains a link 'missing.md', but the target is not found "
        "among documentation files.\n"
        "  Aborted with 1 warnings in strict mode!"
    )
    assert page(sample.site_dir, "printer-offline") == before
    assert not list(sample.root.glob(".site.*"))


def test_a_leak_in_one_article_withholds_it_and_publishes_the_rest(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_site(sample, scanner=fake_scanner)
    write("leaky", "KB-0010", "Mail problems", "Write to leak@corp.example for access.")

    result = build_site(sample, scanner=fake_scanner)

    assert result.withheld == [
        "withheld KB-0010 (content/articles/leaky.md): possible email (leak scan)"
    ]
    assert "Withheld: KB-0010 (content/articles/leaky.md): possible email (leak scan)" in (
        result.summary_lines()
    )
    assert not (sample.site_dir / "leaky").exists()
    assert (sample.site_dir / "printer-offline" / "index.html").is_file()
    withheld = json.loads((sample.root / ".kbgen" / "withheld.json").read_text())
    assert withheld == [
        {
            "id": "KB-0010",
            "path": "content/articles/leaky.md",
            "reason": "possible email (leak scan)",
        }
    ]


def test_strict_leaks_fail_the_build_and_keep_the_site(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_site(sample, scanner=fake_scanner)
    before = page(sample.site_dir, "printer-offline")
    write("leaky", "KB-0010", "Mail problems", "Write to leak@corp.example for access.")
    with pytest.raises(SiteError) as exc:
        build_site(sample, scanner=fake_scanner, strict_leaks=True)
    assert exc.value.message == (
        "the site build failed and site/ is unchanged:\n"
        "  withheld KB-0010 (content/articles/leaky.md): possible email (leak scan); "
        "--strict builds publish nothing then"
    )
    assert page(sample.site_dir, "printer-offline") == before


def test_a_leak_the_stage_missed_fails_the_build(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    """The rendered site is scanned again: a finding there (here planted in a generated
    page's text) fails the build and leaves the served site alone."""
    build_site(sample, scanner=fake_scanner)
    config = sample.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text() + "  internal: true\n")

    def dashboard(kb: KnowledgeBase) -> dict[str, str]:
        return {"stats.md": "# Usage\n\nWrite to leak@corp.example for access.\n"}

    plugin = type("P", (), {"register_site_pages": staticmethod(hookimpl(dashboard))})
    plugin_manager().register(plugin)
    try:
        with pytest.raises(SiteError) as exc:
            build_site(KnowledgeBase.open(sample.root), scanner=fake_scanner)
    finally:
        plugin_manager().unregister(plugin)
    message = exc.value.message
    # The page and Material's search index entry for it.
    assert message.startswith("the leak scan found 2 problems in the built site, so site/ is")
    assert re.search(
        r"\n  internal/stats/index\.html:\d+:\d+: email: …for \[email\] access…\n", message
    )
    assert message.endswith(
        "Redact them in the articles (or add deliberate strings to redaction.allow in "
        "site_config/kbgen.yml) and build again"
    )
    assert not (sample.site_dir / "internal").exists()


def test_real_leak_scanner_catches_an_email(kb: KnowledgeBase, write: WriteArticle) -> None:
    write("a", "KB-0001", "Mail problems", "Write to jane.doe@example.org for access.")
    result = build_site(kb)
    assert result.withheld == [
        "withheld KB-0001 (content/articles/a.md): possible email (leak scan)"
    ]


def test_broken_front_matter_fails_with_the_file_name(kb: KnowledgeBase) -> None:
    (kb.articles_dir / "bad.md").write_text("\n---\ntitle: x\n---\nbody\n", encoding="utf-8")
    with pytest.raises(SiteError) as exc:
        build_site(kb, scanner=no_leaks)
    assert exc.value.message == (
        "the site build failed and site/ is unchanged:\n"
        "  content/articles/bad.md:1: front-matter must start on the first line with '---' "
        "(found a blank line). Fix the file ('kbgen check' lists every problem)"
    )


def test_reserved_paths_are_refused(kb: KnowledgeBase, write: WriteArticle) -> None:
    (kb.articles_dir / "browse").mkdir()
    write("browse/popular", "KB-0001", "Sneaky")
    with pytest.raises(SiteError) as exc:
        build_site(kb, scanner=no_leaks)
    assert (
        "content/articles/browse/popular.md: 'browse/popular.md' is reserved for kbgen's generated "
        "pages; rename or move the file"
    ) in exc.value.message


def test_cli_build_output(
    sample: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("kbgen.site.build.default_scanner", lambda kb: no_leaks)
    runner = CliRunner()
    out = tmp_path / "public"
    result = runner.invoke(cli, ["build", "--kb", str(sample.root), "--site-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Built 3 published articles into {out}/ (search index: 3 documents)\n"
        "1 retired article left a tombstone page\n"
        "Leak scan: 16 files, no findings\n"
        "Note: Material for MkDocs reaches end of life on 2027-05-05; kbgen's publishing guarantees "
        "do not depend on it (see kbgen's docs/site.md for the way to Zensical).\n"
    )
    result = runner.invoke(cli, ["build", "--kb", str(sample.root), "--json"])
    assert json.loads(result.output) == {
        "site_dir": "site/",
        "published": 3,
        "retired": 1,
        "search_documents": 3,
        "index_documents": 5,
        "leak_scan": {"files": 16, "findings": 0},
        "withheld": [],
        "published_as_approved": [],
    }


@pytest.mark.slow
def test_plain_mkdocs_build_uses_the_plugin(sample: KnowledgeBase) -> None:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    proc = subprocess.run(
        [str(mkdocs), "build", "--quiet"],
        cwd=sample.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (sample.root / "site" / "kbgen-pages.json").is_file()
    assert not (sample.root / "site" / "outlook-draft").exists()


def test_internal_site_adds_the_stats_engineer_pages(
    kb: KnowledgeBase, write: WriteArticle, site_hooks: Callable[..., None]
) -> None:
    write("a", "KB-0001", "Printer offline")
    dashboard = "---\ntitle: Usage\n---\n\n| page | views |\n|---|---|\n| /a/ | 3 |\n\n<script>x()</script>\n"
    site_hooks(register_site_pages=lambda kb: {"stats.md": dashboard})
    config = kb.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text() + "  internal: true\n")
    build_site(KnowledgeBase.open(kb.root), scanner=no_leaks)
    assert '<li><a href="stats/" rel="noopener noreferrer">stats</a></li>' in page(
        kb.site_dir, "internal"
    )
    stats = page(kb.site_dir, "internal/stats")
    assert "<td>/a/</td>" in stats and "x()" not in stats


def test_show_stats_with_no_usage_yet(kb: KnowledgeBase, write: WriteArticle) -> None:
    write("a", "KB-0001", "Printer offline")
    config = kb.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text() + "  show_stats: true\n")
    build_site(KnowledgeBase.open(kb.root), scanner=no_leaks)
    assert "No usage data yet" in page(kb.site_dir, "browse/popular")
    assert "kb-stats" not in page(kb.site_dir, "a")


def test_chinese_articles_get_chinese_labels(sample: KnowledgeBase) -> None:
    build_site(sample, scanner=no_leaks)
    zh = page(sample.site_dir, "printer-queue-zh")
    assert '<span class="kb-chip">故障排除</span>' in zh
    assert '<span class="kb-fact__label">更新于</span> 2026-11-20' in zh


def test_any_mkdocs_exception_becomes_a_site_error(kb: KnowledgeBase, write: WriteArticle) -> None:
    write(
        "runbook", "KB-0001", "Runbook", "See [the runbook](https://wiki.[name].example/runbook)."
    )
    with pytest.raises(SiteError) as exc:
        build_site(kb, scanner=no_leaks)
    assert exc.value.message == (
        "the site build failed and site/ is unchanged:\n"
        "  Error reading page 'runbook.md': 'name' does not appear to be an IPv4 or IPv6 address\n"
        "  ValueError: 'name' does not appear to be an IPv4 or IPv6 address"
    )


def test_a_body_that_starts_like_metadata_is_published_as_text(
    kb: KnowledgeBase, write: WriteArticle
) -> None:
    # kbgen hands MkDocs the body it parsed; "Key: value" first lines must stay body text,
    # not become MultiMarkdown metadata.
    write("note", "KB-0001", "Spooler note", "Note: restart the spooler.\nAuthor: support\n")
    build_site(kb, scanner=no_leaks)
    html = page(kb.site_dir, "note")
    assert "<p>Note: restart the spooler.\nAuthor: support</p>" in html
    assert "kbgen: article" not in html
