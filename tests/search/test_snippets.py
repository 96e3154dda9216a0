"""Snippets: escaped text, <mark> around matches, the window with most query terms."""

from __future__ import annotations

from kbgen.search.snippets import snippet_html


def test_whole_word_runs_are_marked_when_any_of_their_terms_matches() -> None:
    text = "at org.apache.lucene.analysis.de.GermanStemFilter.next(Unknown Source) & more"
    assert snippet_html(text, {"stem"}) == (
        "at <mark>org.apache.lucene.analysis.de.GermanStemFilter.next</mark>"
        "(Unknown Source) &amp; more"
    )


def test_chinese_matches_prefer_the_longest_term() -> None:
    assert snippet_html("重启打印机，清空打印队列。", {"打印", "打印机", "队列"}) == (
        "重启<mark>打印机</mark>，清空<mark>打印</mark><mark>队列</mark>。"
    )


def test_the_window_holds_most_query_terms_and_is_cut_with_ellipses() -> None:
    text = ("filler words " * 40) + "the spooler crashed and the queue stalled " + ("tail " * 60)
    snippet = snippet_html(text, {"spooler", "queue"}, width=80)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>spooler</mark> crashed and the <mark>queue</mark>" in snippet


def test_no_match_gives_the_start_of_the_text_escaped() -> None:
    assert snippet_html("<b>Bold</b>\n\n claim", {"zzz"}) == "&lt;b&gt;Bold&lt;/b&gt; claim"
    assert snippet_html("", {"x"}) == ""
