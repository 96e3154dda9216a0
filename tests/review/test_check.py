"""kbgen check: every blocking rule, the duplicate warning, JSON and GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from review_helpers import BODY_EN, BODY_ZH, article_text, commit_on_main

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase
from kbgen.review.check import check_paths


def write(kb: KnowledgeBase, name: str, text: str | bytes) -> Path:
    path = kb.articles_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_check(kb: KnowledgeBase, *args: str) -> Result:
    return CliRunner().invoke(cli, ["check", "--kb", str(kb.root), *args], catch_exceptions=False)


def test_a_valid_draft_passes(kb: KnowledgeBase) -> None:
    write(kb, "kb-0001-printer.md", article_text())
    result = run_check(kb)
    assert (result.exit_code, result.output) == (0, "Checked 1 file: 0 errors, 0 warnings.\n")


def test_a_valid_chinese_draft_passes(kb: KnowledgeBase) -> None:
    write(kb, "kb-0002.md", article_text("KB-0002", "打印机脱机", language="zh", body=BODY_ZH))
    assert run_check(kb).output == "Checked 1 file: 0 errors, 0 warnings.\n"


def test_planted_pii_fails_with_line_and_kind(kb: KnowledgeBase) -> None:
    body = BODY_EN.replace(
        "after the spooler update.",
        "after the update. Call 13812345678 or li.lei@corp.example.com.",
    )
    write(kb, "kb-0001.md", article_text(body=body))

    result = run_check(kb)

    assert result.exit_code == 1
    assert result.output == (
        "content/articles/kb-0001.md:20: error [pii] possible phone at column 60: "
        "…after the update. Call [phone] or [email].; redact it or add it to redaction.allow\n"
        "content/articles/kb-0001.md:20: error [pii] possible email at column 75: "
        "…update. Call [phone] or [email].; redact it or add it to redaction.allow\n"
        "Error: Checked 1 file: 2 errors, 0 warnings.\n"
    )


def test_raw_html_and_comments_fail_but_entities_and_code_pass(kb: KnowledgeBase) -> None:
    body = (
        "## Issue\n\nClick <b>here</b> to see &lt;NUMBER&gt; and `<init>`.\n\n"
        "<!-- reviewer: internal host is db7 -->\n\n"
        "```text\n<script>in a code block is fine</script>\n```\n\n"
        '<img src=x onerror="alert(1)">\n\n## Resolution\n\nRestart.\n'
    )
    write(kb, "kb-0001.md", article_text(body=body))

    result = run_check(kb)

    assert result.output == (
        "content/articles/kb-0001.md:20: error [raw-html] raw HTML '<b>' would be published; "
        "write Markdown, or escape < as &lt;\n"
        "content/articles/kb-0001.md:20: error [raw-html] raw HTML '</b>' would be published; "
        "write Markdown, or escape < as &lt;\n"
        "content/articles/kb-0001.md:22: error [raw-html] raw HTML '<!-- reviewer: internal host is db7 -->' "
        "would be published; write Markdown, or escape < as &lt;\n"
        "content/articles/kb-0001.md:24: error [broken-link] link 'x' points to a file that does not exist\n"
        "content/articles/kb-0001.md:28: error [raw-html] raw HTML '<img src=x onerror=\"alert(1)\">' "
        "would be published; write Markdown, or escape < as &lt;\n"
        "Error: Checked 1 file: 5 errors, 0 warnings.\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            b"\xef\xbb\xbf" + article_text().encode(),
            "1: error [front-matter] starts with a byte-order mark; save the file as UTF-8 without BOM",
        ),
        (
            "\n" + article_text(),
            "1: error [front-matter] front-matter must start on the first line with '---' (found a blank line)",
        ),
        (
            "-" + article_text(),
            "1: error [front-matter] front-matter fence must be exactly '---', not '----'",
        ),
        (
            '---\ntitle: "unclosed\n---\n\nbody\n',
            "3: error [front-matter] front-matter is not valid YAML: found unexpected end of stream",
        ),
        (
            "---\n- a\n- b\n---\n\nbody\n",
            "2: error [front-matter] front-matter must be a mapping of keys to values, not a list",
        ),
    ],
    ids=["bom", "blank-line", "four-dashes", "yaml-error", "not-a-mapping"],
)
def test_front_matter_that_mkdocs_would_print_as_text_fails(
    kb: KnowledgeBase, text: str | bytes, expected: str
) -> None:
    write(kb, "a.md", text)
    result = run_check(kb)
    assert result.exit_code == 1
    assert (
        result.output
        == f"content/articles/a.md:{expected}\nError: Checked 1 file: 1 error, 0 warnings.\n"
    )


def test_schema_forbidden_and_unknown_keys_fail_on_their_lines(kb: KnowledgeBase) -> None:
    write(
        kb,
        "a.md",
        article_text(
            status="live", tags=["printer", "printer"], template="home.html", reporter_email="x"
        ),
    )

    result = run_check(kb)

    assert result.output == (
        "content/articles/a.md:5: error [schema] 'status': 'live' is not one of "
        "['draft', 'published', 'needs_update', 'retired']\n"
        "content/articles/a.md:10: error [schema] 'tags': ['printer', 'printer'] has non-unique elements\n"
        "content/articles/a.md:17: error [forbidden-key] 'template' is not allowed in articles: "
        "it chooses the page template; remove it\n"
        "content/articles/a.md:18: error [unknown-key] unknown front-matter key 'reporter_email' (allowed: "
        "applies_to, approved_sha256, category, confidence, created, id, language, published_at, redirect_to, review_by, "
        "reviewed_by, status, suggested_edit, summary, tags, tickets, title, type, updated); remove it\n"
        "Error: Checked 1 file: 4 errors, 0 warnings.\n"
    )


def test_duplicate_ids_fail_on_both_files_even_when_checking_one(kb: KnowledgeBase) -> None:
    first = write(kb, "a.md", article_text())
    write(kb, "b.md", article_text(title="Another title"))

    report = check_paths(kb, [first])

    assert [f.format() for f in report.findings] == [
        "content/articles/a.md:2: error [duplicate-id] id KB-0001 is also used by content/articles/b.md; ids must be unique"
    ]


def test_missing_required_sections_in_english_and_chinese(kb: KnowledgeBase) -> None:
    write(kb, "en.md", article_text(type="howto", body="## Goal\n\nPrint again.\n"))
    write(
        kb,
        "zh.md",
        article_text("KB-0002", language="zh", type="known_error", body="## 问题现象\n\n脱机。\n"),
    )

    assert run_check(kb).output == (
        "content/articles/en.md:18: error [missing-section] a howto article needs a 'Steps' section (a '## Steps' heading)\n"
        "content/articles/zh.md:18: error [missing-section] a known_error article needs a '原因分析' section (a '## 原因分析' heading)\n"
        "content/articles/zh.md:18: error [missing-section] a known_error article needs a '处理过程' section (a '## 处理过程' heading)\n"
        "Error: Checked 2 files: 3 errors, 0 warnings.\n"
    )


def test_broken_internal_links_and_anchors_fail(kb: KnowledgeBase) -> None:
    write(kb, "target.md", article_text("KB-0002", title="Target"))
    links = (
        "See [ok](target.md#resolution), [self](#cause), [web](https://example.org/x.md), "
        "[gone](missing.md), [anchor](target.md#nope) and [root](/kb/a.md)."
    )
    write(kb, "a.md", article_text(body=BODY_EN + "\n" + links + "\n"))

    assert run_check(kb, str(kb.articles_dir / "a.md")).output == (
        "content/articles/a.md:31: error [broken-link] link 'missing.md' points to a file that does not exist\n"
        "content/articles/a.md:31: error [broken-link] link 'target.md#nope': no heading with anchor '#nope' "
        "in content/articles/target.md\n"
        "content/articles/a.md:31: error [broken-link] link '/kb/a.md' is absolute; link to the article file "
        "relatively, e.g. other-article.md\n"
        "Error: Checked 1 file: 3 errors, 0 warnings.\n"
    )


def test_files_mkdocs_would_publish_beside_articles_fail(kb: KnowledgeBase) -> None:
    write(kb, "a.md", article_text())
    write(kb, "INC001.source.json", "{}")
    write(kb, "_private/notes.txt", "secret")
    write(kb, ".gitkeep", "")
    write(kb, "printer.png", b"\x89PNG\r\n")  # an image beside its article is fine
    write(kb, "diagram.svg", "<svg onload=alert(1)/>")  # SVG can carry script

    assert run_check(kb).output == (
        "content/articles/INC001.source.json:1: error [not-an-article] only Markdown articles and "
        "images may live in content/articles (MkDocs would publish this file); move it outside content/\n"
        "content/articles/_private/notes.txt:1: error [not-an-article] only Markdown articles and "
        "images may live in content/articles (MkDocs would publish this file); move it outside content/\n"
        "content/articles/diagram.svg:1: error [not-an-article] only Markdown articles and "
        "images may live in content/articles (MkDocs would publish this file); move it outside content/\n"
        "Error: Checked 5 files: 3 errors, 0 warnings.\n"
    )


def test_status_and_confidence_changes_are_compared_with_main(kb: KnowledgeBase) -> None:
    commit_on_main(
        kb.root,
        {
            "content/articles/a.md": article_text(
                status="published", reviewed_by="Rita", published_at="2026-11-21"
            ),
            "content/articles/b.md": article_text("KB-0002", status="retired", confidence="wip"),
        },
    )
    write(
        kb,
        "a.md",
        article_text(
            status="draft", confidence="validated", reviewed_by="Rita", published_at="2026-11-21"
        ),
    )
    write(kb, "b.md", article_text("KB-0002", status="published", confidence="validated"))
    write(kb, "c.md", article_text("KB-0003", status="published", confidence="validated"))

    assert run_check(kb).output == (
        "content/articles/a.md:5: error [status-transition] status may not change from 'published' to 'draft' "
        "(from 'published' it may become 'needs_update', 'retired')\n"
        "content/articles/b.md:5: error [status-transition] status may not change from 'retired' to 'published' "
        "('retired' is final)\n"
        "content/articles/b.md:6: error [confidence-transition] confidence may rise one step at a time "
        "(wip -> not_validated -> validated), not from 'wip' to 'validated'\n"
        "content/articles/c.md:1: warning [likely-duplicate] looks like KB-0001 (content/articles/a.md) "
        "already on main (similarity 1.00); consider linking the tickets to it instead\n"
        "content/articles/c.md:5: error [status-transition] a new article must start as status 'draft', not "
        "'published'; set status back, then: kbgen review approve ID --reviewer NAME\n"
        "content/articles/c.md:6: error [confidence-transition] a new article cannot start as confidence "
        "'validated'; it rises through reviewed changes\n"
        "Error: Checked 3 files: 5 errors, 1 warning.\n"
    )


def test_a_likely_duplicate_of_a_published_article_only_warns(kb: KnowledgeBase) -> None:
    commit_on_main(
        kb.root,
        {
            "content/articles/a.md": article_text(
                status="published", reviewed_by="Rita", published_at="2026-11-21"
            )
        },
    )
    new = write(kb, "b.md", article_text("KB-0002"))

    result = run_check(kb, str(new))

    assert (result.exit_code, result.output) == (
        0,
        "content/articles/b.md:1: warning [likely-duplicate] looks like KB-0001 (content/articles/a.md) already "
        "on main (similarity 1.00); consider linking the tickets to it instead\n"
        "Checked 1 file: 0 errors, 1 warning.\n",
    )


def test_github_actions_gets_annotations(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    write(kb, "a.md", article_text(body=BODY_EN.replace("Open Services.", "Open <b>Services</b>.")))

    assert run_check(kb).output.splitlines()[-3:] == [
        "::error file=content/articles/a.md,line=28::[raw-html] raw HTML '<b>' would be published; "
        "write Markdown, or escape < as &lt;",
        "::error file=content/articles/a.md,line=28::[raw-html] raw HTML '</b>' would be published; "
        "write Markdown, or escape < as &lt;",
        "Error: Checked 1 file: 2 errors, 0 warnings.",
    ]


def test_json_output_and_exit_code(kb: KnowledgeBase) -> None:
    write(kb, "a.md", article_text(type="howto"))

    result = run_check(kb, "--json")

    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "ok": False,
        "checked": ["content/articles/a.md"],
        "errors": 2,
        "warnings": 0,
        "findings": [
            {
                "path": "content/articles/a.md",
                "line": 18,
                "severity": "error",
                "code": "missing-section",
                "message": "a howto article needs a 'Goal' section (a '## Goal' heading)",
            },
            {
                "path": "content/articles/a.md",
                "line": 18,
                "severity": "error",
                "code": "missing-section",
                "message": "a howto article needs a 'Steps' section (a '## Steps' heading)",
            },
        ],
        "config_changes": [],
        "config_diff": "",
    }


def test_symlinks_in_the_articles_folder_fail(kb: KnowledgeBase, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(article_text("KB-0002"), encoding="utf-8")
    kb.articles_dir.mkdir(parents=True, exist_ok=True)
    (kb.articles_dir / "link.md").symlink_to(outside)

    assert run_check(kb).output == (
        "content/articles/link.md:1: error [symlink] symbolic links are not allowed in content/articles "
        "(MkDocs would publish what they point to); replace it with the file itself\n"
        "Error: Checked 1 file: 1 error, 0 warnings.\n"
    )
