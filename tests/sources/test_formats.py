"""Text formats: HTML and Markdown become safe Markdown, never escaped twice, never executable."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown
import pytest

from kbgen.sources import to_markdown
from kbgen.sources.formats import to_plain

SITE_EXTENSIONS = ["tables", "fenced_code"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def rendered_tags(md: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(markdown.markdown(md, extensions=SITE_EXTENSIONS))
    return parser.tags


SAFE_TAGS = {"p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "blockquote", "h1", "h2",
             "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "br"}  # fmt: skip


def assert_safe(md: str) -> None:
    for tag, attrs in rendered_tags(md):
        assert tag in SAFE_TAGS, f"{tag} rendered from {md!r}"
        href = attrs.get("href")
        assert href is None or href.startswith(("http://", "https://")), href
        assert not any(k.startswith("on") for k in attrs), attrs


def test_discourse_html_becomes_markdown_not_literal_tags() -> None:
    md = to_markdown(
        "<p><strong>ANSWER:</strong> restart the <em>spooler</em> &amp; retry</p>", "html"
    )
    assert md == "**ANSWER:** restart the *spooler* &amp; retry"
    html = markdown.markdown(md)
    assert html == "<p><strong>ANSWER:</strong> restart the <em>spooler</em> &amp; retry</p>"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>hello",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<svg onload=alert(1)><circle/></svg>",
        "<!-- secret comment -->visible",
        "<style>body{display:none}</style>text",
        "<p onclick='x()'>para</p>",
        "<object data='x.swf'></object><embed src='y'>",
        '<a href="https://ok.example/a" onclick="x()">ok</a>',
        "<<script>script>alert(1)<</script>/script>",
        "<form action='https://evil'><input name=p></form>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
        "<a href='https://x.example/\"onmouseover=\"alert(1)'>q</a>",
    ],
)
def test_hostile_html_renders_nothing_executable(hostile: str) -> None:
    md = to_markdown(hostile, "html")
    assert_safe(md)
    # Nothing active survives; what text is left is escaped (the site's Markdown shows it as text).
    assert "<" not in md.replace("](<", "").replace("<https://", "")
    assert "secret comment" not in md


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_angle_bracket_literals_stay_visible(fmt: str) -> None:
    source = (
        "<p>List<String> and <NUMBER> and a &lt; b</p>"
        if fmt == "html"
        else "List<String> and <NUMBER> and a < b"
    )
    md = to_markdown(source, fmt)
    html = markdown.markdown(md)
    assert "List&lt;String&gt;" in html and "&lt;NUMBER&gt;" in html and "a &lt; b" in html
    assert "<string>" not in html.lower()


def test_markdown_escapes_and_entities_are_read_once() -> None:
    md = to_markdown("Set `max_size` to 3, then\\_rename&#x20;it &amp; go.", "markdown")
    assert md == "Set `max_size` to 3, then\\_rename it &amp; go."
    assert (
        markdown.markdown(md) == "<p>Set <code>max_size</code> to 3, then_rename it &amp; go.</p>"
    )


def test_markdown_structure_survives_and_raw_html_is_sanitised() -> None:
    md = to_markdown(
        "Steps:\n1. Open **Settings**\n2. Untick *power saving*\n\n"
        "```powershell\nGet-NetAdapter | Disable-NetAdapterPowerManagement\n```\n\n"
        "| Setting | Value |\n|---|---|\n| Mode | off |\n\n"
        '<div onclick="x()">raw <b>html</b></div>\n\n[doc](https://docs.example/a) [bad](javascript:alert(1))',
        "markdown",
    )
    assert md == (
        "Steps:\n\n1. Open **Settings**\n2. Untick *power saving*\n\n"
        "```powershell\nGet-NetAdapter | Disable-NetAdapterPowerManagement\n```\n\n"
        "| Setting | Value |\n| --- | --- |\n| Mode | off |\n\n"
        "raw **html**\n\n[doc](<https://docs.example/a>) bad"
    )
    assert_safe(md)


def test_chinese_html_and_block_syntax_at_line_start() -> None:
    md = to_markdown("<p>1. 这不是列表<br># 也不是标题</p><p>请在<b>管理</b>中设置</p>", "html")
    assert md == "1\\. 这不是列表  \n\\# 也不是标题\n\n请在**管理**中设置"
    assert rendered_tags(md) == [("p", {}), ("br", {}), ("p", {}), ("strong", {})]


def test_mentions_become_placeholders_and_feed_people() -> None:
    people: list[str] = []
    md = to_markdown(
        '<p>thanks <a class="mention" href="/u/nina_k">@nina_k</a></p>', "html", people=people
    )
    assert md == "thanks \\[user\\]" and people == ["nina_k"]


def test_deep_nesting_and_huge_input_do_not_crash() -> None:
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    assert to_markdown(deep, "html") == "deep text"
    flags: list[str] = []
    huge = "<p>" + "x" * (300 * 1024) + "</p>"
    md = to_markdown(huge, "html", field="body", flags=flags)
    assert flags == ["truncated:body"] and md.endswith(
        "more characters were cut from this field\\]"
    )


def test_wrong_types_become_empty_text() -> None:
    assert to_markdown(None, "html") == "" and to_markdown(["a"], "markdown") == ""
    assert to_markdown(42, "plain") == "42" and to_markdown(True, "plain") == ""
    with pytest.raises(ValueError):
        to_markdown("x", "rtf")


def test_titles_read_entities_once() -> None:
    assert to_plain("Printer &quot;Offline&quot; &amp; more", "html") == 'Printer "Offline" & more'
    assert to_plain("List<String> fails", "html") == "List<String> fails"
    assert to_plain("a *b*", "plain") == "a *b*"
