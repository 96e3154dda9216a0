"""The build's leak scan: pages scanned as they are written (in a child), the search index decoded."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kbgen.exceptions import SiteError
from kbgen.kb import KnowledgeBase
from kbgen.redaction import Finding
from kbgen.site.build import build_site
from kbgen.site.leaks import Leak, SiteScan, scan_site

WriteArticle = Callable[..., Path]
MARKERS = ("leak@corp.example", "泄露标记")


def marker_scanner(text: str) -> list[Finding]:
    """Flags the marker strings, as the real re-scan flags an email address."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        for marker in MARKERS:
            col = line.find(marker)
            if col >= 0:
                found.append(Finding("email", number, col + 1, f"…{marker}…"))
    return found


def broken_scanner(text: str) -> list[Finding]:
    raise ValueError("scanner bug")


@pytest.fixture
def built(kb: KnowledgeBase, write: WriteArticle) -> Path:
    write("mail", "KB-0001", "Mail problems", "Write to leak@corp.example for access.")
    write("vpn", "KB-0002", "VPN drops", "Update the client.")
    site = kb.root / "plain-site"
    build_site(kb, site_dir=site, scanner=lambda text: [])
    return site


def scan_pages(site: Path, *, in_child: bool) -> tuple[int, list[Leak]]:
    """Feed every page as the build does (page_observer), then finish."""
    scan = SiteScan(marker_scanner, site, in_child=in_child)
    try:
        for path in sorted(site.rglob("index.html")):
            scan.add_page(path.relative_to(site).as_posix(), path.read_text(encoding="utf-8"))
        return scan.finish()
    finally:
        scan.close()


def test_child_and_in_process_scans_agree(built: Path) -> None:
    in_child = scan_pages(built, in_child=True)
    in_process = scan_pages(built, in_child=False)
    after_the_fact = scan_site(built, marker_scanner)
    assert in_child == in_process == after_the_fact
    files, leaks = in_child
    pages = [p for p in built.rglob("*.html") if p.relative_to(built).parts[0] != "assets"]
    assert files == len(pages) + 4  # + search index, sitemap, tags.json, kbgen-pages.json
    assert [(leak.file, leak.kind, leak.excerpt) for leak in leaks] == [
        ("mail/index.html", "email", "…leak@corp.example…")
    ]


def test_a_line_shared_by_pages_is_reported_on_each(built: Path) -> None:
    (built / "a.html").write_text(
        "<!-- kbgen:content -->\nsee leak@corp.example\n<!-- /kbgen:content -->", encoding="utf-8"
    )
    (built / "b.html").write_text(
        "<p>theme</p>\n<!-- kbgen:content -->\nsee leak@corp.example\n<!-- /kbgen:content -->",
        encoding="utf-8",
    )
    _, leaks = scan_site(built, marker_scanner)
    assert [
        (leak.file, leak.line, leak.column) for leak in leaks if leak.file in ("a.html", "b.html")
    ] == [
        ("a.html", 2, 5),
        ("b.html", 3, 5),
    ]


def test_search_index_entries_are_scanned_decoded(built: Path) -> None:
    # Material writes non-ASCII as \uXXXX and joins jieba's words with U+200B: as stored, the
    # marker is invisible to a scan of the raw file.
    index = built / "search" / "search_index.json"
    docs = [
        {"location": "x/", "title": "Fine", "text": "<p>nothing</p>"},
        {"location": "y/", "title": "泄\u200b露\u200b标记 here", "text": "", "tags": []},
    ]
    index.write_text(json.dumps({"config": {}, "docs": docs}), encoding="utf-8")
    assert "泄" not in index.read_text(encoding="utf-8")
    _, leaks = scan_site(built, marker_scanner)
    assert [leak for leak in leaks if leak.file == "search/search_index.json"] == [
        Leak("search/search_index.json", 2, 1, "email", "…泄露标记…")
    ]


def test_a_search_index_of_another_shape_is_scanned_as_text(built: Path) -> None:
    (built / "search" / "search_index.json").write_text("not json leak@corp.example", "utf-8")
    _, leaks = scan_site(built, marker_scanner)
    assert Leak("search/search_index.json", 1, 10, "email", "…leak@corp.example…") in leaks


def test_a_failing_scanner_fails_the_build_with_its_own_error(
    kb: KnowledgeBase, write: WriteArticle
) -> None:
    write("vpn", "KB-0002", "VPN drops", "Update the client.")
    with pytest.raises(ValueError, match="scanner bug"):
        build_site(kb, scanner=broken_scanner)
    assert not kb.site_dir.exists()


def test_the_build_scans_each_article_before_it_is_published(
    kb: KnowledgeBase, write: WriteArticle
) -> None:
    write("mail", "KB-0001", "Mail problems", "Write to leak@corp.example for access.")
    write("fine", "KB-0002", "Printer offline")
    result = build_site(kb, scanner=marker_scanner)
    assert result.withheld == [
        "withheld KB-0001 (content/articles/mail.md): possible email (leak scan)"
    ]
    assert (result.published, (kb.site_dir / "mail").exists()) == (1, False)


STOP_EARLY = """
import time
from pathlib import Path
from kbgen.site.leaks import SiteScan
scan = SiteScan(lambda text: (time.sleep(60), [])[1], Path('/nonexistent'))
for i in range(400):  # far more than a pipe holds: the feeder thread is left with data
    scan.add_page(f"p{i}", "<title>" + "\\n".join(f"line {i} {j} " + "x" * 200 for j in range(300)) + "</title>")
scan.close()
print("closed")
"""


def test_a_build_that_fails_early_does_not_hang_at_exit() -> None:
    # Before the fix the process waited forever at exit for the queue's feeder thread.
    done = subprocess.run(
        [sys.executable, "-c", STOP_EARLY], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (0, "closed\n")


def test_every_json_file_is_scanned_string_by_string(built: Path) -> None:
    tags = {"mappings": [{"item": {"url": "x/", "title": "ok"}, "tags": ["fine", "泄露标记"]}]}
    (built / "tags.json").write_text(json.dumps(tags), encoding="utf-8")  # \\u escapes
    (built / "kbgen-pages.json").write_text(
        json.dumps([{"id": "A"}, {"id": "B", "title": "see leak@corp.example"}], indent=1),
        encoding="utf-8",
    )
    _, leaks = scan_site(built, marker_scanner)
    assert [leak for leak in leaks if leak.file.endswith(("tags.json", "pages.json"))] == [
        Leak("kbgen-pages.json", 2, 5, "email", "…leak@corp.example…"),
        Leak("tags.json", 1, 1, "email", "…泄露标记…"),
    ]
