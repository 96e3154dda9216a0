"""Hostile ticket text renders as visible text in a real `mkdocs build`, never as live HTML."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import yaml

from kbgen.drafting.capture import CaptureOptions, capture_tickets
from kbgen.drafting.draft import validate_meta
from kbgen.kb import KnowledgeBase, load_article
from kbgen.text import plain_to_markdown

from .fakes import fake_stages, ticket

HOSTILE = (
    "<script>alert('x')</script>\n"
    "<img src=x onerror=alert(1)> and <svg onload=alert(2)>\n"
    "<iframe src=//evil.example></iframe>\n"
    '[click](javascript:alert(3)) <a href="javascript:alert(4)">a</a>\n'
    "<!-- hidden comment with secret -->\n"
    "Encountered <NUMBER> while parsing List<String> where a < b && c > d\n"
    "# not a heading\n- not a list\n1. not a list\n5*3*2 and __init__ | pipe `tick`\n"
    "title\n---\n"
)
HOSTILE_TITLE = "RE: </title><script>alert('t')</script> {{ config }}\n---\nstatus: published"


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bad_attrs: list[tuple[str, str, str]] = []
        self.comments: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.bad_attrs.append((tag, name, value or ""))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_text_is_visible_text_in_a_real_mkdocs_build(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    hostile = ticket(
        "EVIL-1",
        title=HOSTILE_TITLE,
        problem=plain_to_markdown(HOSTILE),
        resolution=plain_to_markdown(
            "Escape <b>bold</b> and run `rm -rf /tmp/x` <script>x</script>"
        ),
        comments=[("resolver", plain_to_markdown("<img src=x onerror=alert(5)>"))],
    )
    stages = fake_stages({"evil.json": [hostile]})
    report = capture_tickets(kb, [Path("evil.json")], CaptureOptions(branch=False), stages=stages)
    (created,) = report.created
    article = load_article(kb.root / created["path"])
    validate_meta(article.meta, created["path"])  # the schema forbids < and > in titles
    assert article.meta["status"] == "draft"
    assert "\n" not in article.title and "<" not in article.title

    config = {
        "site_name": "t",
        "docs_dir": str(kb.articles_dir),
        "site_dir": str(tmp_path / "site"),
        "theme": {"name": "mkdocs"},
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml")],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    page = next((tmp_path / "site").rglob("kb-0001*/index.html")).read_text()
    main = page[page.index('role="main">') : page.index("<footer")]
    parsed = Collector()
    parsed.feed(main)
    assert "script" not in parsed.tags and "iframe" not in parsed.tags and "svg" not in parsed.tags
    assert "img" not in parsed.tags
    assert parsed.bad_attrs == []
    assert parsed.comments == []
    visible = "".join(parsed.text)
    for literal in (
        "<NUMBER>",
        "List<String>",
        "a < b && c > d",
        "<script>alert('x')</script>",
        "<!-- hidden comment with secret -->",
        "# not a heading",
        "5*3*2",
        "__init__",
    ):
        assert literal in visible, literal
    # Nowhere on the page (title, nav, head) does ticket text become a tag.
    assert "<script>alert" not in page and "</title><script>" not in page
