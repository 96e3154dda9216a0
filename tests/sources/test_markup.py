"""Jira wiki markup and ADF converters: whitelisted markup only, literal text always escaped."""

from __future__ import annotations

import markdown
import pytest

from kbgen.sources.jira_markup import adf_plain_text, adf_to_markdown, wiki_to_markdown


def render(md: str) -> str:
    return markdown.markdown(md, extensions=["fenced_code"])


@pytest.mark.parametrize(
    ("wiki", "expected"),
    [
        ("h1. Title <b>", "# Title &lt;b&gt;"),
        ("plain <script>alert(1)</script>", "plain &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Use {{List<String>}} here", "Use `List<String>` here"),
        ("[click|javascript:alert(1)]", "\\[click\\|javascript:alert(1)\\]"),
        ("[docs|https://example.org/a]", "[docs](<https://example.org/a>)"),
        ("*bold* and 5*3*2", "**bold** and 5\\*3\\*2"),
        ("{noformat}\n```inner```\n{noformat}", "````text\n```inner```\n````"),
        ("- not a list", "\\- not a list"),
        ("*.java and *.txt files", "\\*.java and \\*.txt files"),
        (
            "Steps:\n* open it\n** nested <b>\nafter",
            "Steps:\n\n- open it\n    - nested &lt;b&gt;\n\nafter",
        ),
        ("# first\n# second", "1. first\n1. second"),
        ("*** marked as a duplicate ***", "\\*\\*\\* marked as a duplicate \\*\\*\\*"),
    ],
)
def test_wiki_to_markdown(wiki: str, expected: str) -> None:
    assert wiki_to_markdown(wiki) == expected


def test_wiki_never_renders_html_or_script_links() -> None:
    html = render(
        wiki_to_markdown("*x* <img src=x onerror=alert(1)> [a|javascript:alert(1)] {{<b>}}")
    )
    assert (
        "<img" not in html and 'javascript:alert(1)"' not in html and 'href="javascript' not in html
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_adf_unknown_nodes_become_visible_placeholders() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "a"},
                    {"type": "inlineExtension", "attrs": {}},
                ],
            },
            {
                "type": "bodiedExtension",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hidden"}]}],
            },
            {"type": "paragraph", "content": "not a list"},
            "not a node",
        ],
    }
    md, flags, people = adf_to_markdown(doc)
    assert (
        md
        == "a\\[unsupported Jira content: inlineExtension\\]\n\n\\[unsupported Jira content: bodiedExtension\\]"
    )
    assert flags == ["adf-unknown-node:inlineExtension", "adf-unknown-node:bodiedExtension"]
    assert people == []


def test_adf_marks_lists_quotes_and_mentions() -> None:
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "orderedList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {"type": "text", "text": "one", "marks": [{"type": "em"}]}
                                ],
                            }
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [
                                    {
                                        "type": "text",
                                        "text": "two",
                                        "marks": [
                                            {
                                                "type": "link",
                                                "attrs": {"href": "javascript:alert(1)"},
                                            }
                                        ],
                                    }
                                ],
                            }
                        ],
                    },
                ],
            },
            {
                "type": "blockquote",
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": "quoted <tag>"}]}
                ],
            },
            {
                "type": "paragraph",
                "content": [
                    {"type": "mention", "attrs": {"id": "123", "text": "@Jane Doe"}},
                    {"type": "hardBreak"},
                    {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
                ],
            },
            {"type": "rule"},
        ],
    }
    md, flags, people = adf_to_markdown(doc)
    assert md == "1. *one*\n2. two\n\n> quoted &lt;tag&gt;\n\n\\[user\\]\\\n😄\n\n---"
    assert flags == [] and people == ["Jane Doe"]


def test_adf_plain_text_for_over_long_documents() -> None:
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [{"type": "text", "text": "a "}, {"type": "text", "text": "b"}],
            },
            {"type": "codeBlock", "content": [{"type": "text", "text": "x = 1"}]},
        ],
    }
    assert adf_plain_text(doc) == "a b\nx = 1"
