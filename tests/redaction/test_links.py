"""A link whose target held personal data loses its target, keeps its label, and stays valid Markdown."""

from __future__ import annotations

import markdown

from kbgen.redaction import Redactor


def test_link_target_with_a_name_becomes_its_label() -> None:
    redactor = Redactor(people=["Rhoda Fairweather"])
    text = "See [the runbook](https://wiki.fairweather.example/runbook) by Rhoda Fairweather."
    assert redactor.redact(text).text == "See the runbook by \\[name\\]."


def test_image_with_redacted_target_is_dropped_and_clean_links_stay() -> None:
    redactor = Redactor(people=["Rhoda Fairweather"])
    text = "![shot](http://x.fairweather.example/a.png) [docs](https://example.com/a) \\[x\\](y)"
    out = redactor.redact(text).text
    assert out == " [docs](https://example.com/a) \\[x\\](y)"
    html = markdown.markdown(out)
    assert 'href="https://example.com/a"' in html and "fairweather" not in html


def test_plain_mode_leaves_link_syntax_alone() -> None:
    redactor = Redactor(people=["Rhoda Fairweather"], markdown=False)
    assert redactor.redact("[a](https://fairweather.example)").text == "[a](https://[name].example)"
