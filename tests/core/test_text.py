from __future__ import annotations

import markdown
import pytest

from kbgen.text import clean_text, detect_language, fence, is_missing, one_line, plain_to_markdown


def render(text: str) -> str:
    return markdown.markdown(plain_to_markdown(text), extensions=["fenced_code"])


@pytest.mark.parametrize(
    ("plain", "visible"),
    [
        ("Use List<String> here", "List&lt;String&gt;"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
        ("<!-- secret -->", "&lt;!-- secret --&gt;"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("5*3*2 and snake_case_name", "5*3*2 and snake_case_name"),
    ],
)
def test_plain_text_renders_exactly_as_written(plain: str, visible: str) -> None:
    html = render(plain)
    assert visible in html
    assert "<script" not in html and "<img" not in html and "href=" not in html


def test_block_syntax_is_not_interpreted() -> None:
    html = render("# not a heading\n> not a quote\n1. not a list\nTitle\n---")
    assert (
        "<h1>" not in html
        and "<blockquote>" not in html
        and "<ol>" not in html
        and "<h2>" not in html
    )


def test_stack_traces_and_diffs_are_fenced() -> None:
    trace = "java.lang.NullPointerException: boom\n\tat org.apache.Foo.bar(Foo.java:12)\n\tat org.apache.Foo.main(Foo.java:3)"
    diff = "--- a/x\n+++ b/x\n-old line\n+new line"
    out = plain_to_markdown(f"It fails:\n\n{trace}\n\n{diff}")
    assert out == f"It fails:\n\n```text\n{trace}\n```\n\n```text\n{diff}\n```"


def test_fence_is_longer_than_backtick_runs() -> None:
    assert fence("a ```` b") == "`````text\na ```` b\n`````"


def test_clean_text_drops_controls_and_bidi_but_keeps_newlines() -> None:
    assert clean_text("a\x00b\r\nc\u202ed\tf\u2028") == "ab\ncd\tf"


@pytest.mark.parametrize("value", ["", "  ", "?", "0", "无", "无报告", "（未反馈）", "N/A", None])
def test_missing_vocabulary(value: str | None) -> None:
    assert is_missing(value)


def test_language_detection() -> None:
    assert detect_language("Lock files don't work on NFS") == "en"
    assert detect_language("协同办公系统多个domino节点告警") == "zh"


def test_one_line_cuts_on_a_word() -> None:
    assert one_line("word " * 50, limit=20) == "word word word…"
