"""The detection copy: escapes, entities and full-width forms undone, offsets mapped back."""

from __future__ import annotations

from kbgen.redaction import Redactor
from kbgen.redaction.textmap import DetectionText, literal_regions


def test_plain_ascii_is_its_own_copy() -> None:
    detection = DetectionText("mail a@b.co now")
    assert detection.text == "mail a@b.co now"
    assert detection.span(5, 11) == (5, 11)


def test_escapes_entities_and_full_width_digits_are_undone() -> None:
    original = "john\\_doe&#64;example.com &lt;１３８&gt; 10．0．0．1"
    detection = DetectionText(original)
    assert detection.text == "john_doe@example.com <138> 10.0.0.1"
    start = detection.text.index("john")
    end = start + len("john_doe@example.com")
    assert detection.span(start, end) == (0, original.index(" &lt;"))
    digits = detection.text.index("138")
    assert original[slice(*detection.span(digits, digits + 3))] == "１３８"
    assert original[slice(*detection.span(digits - 1, digits + 4))] == "&lt;１３８&gt;"


def test_hard_break_backslash_stays_out_of_values() -> None:
    original = "password: hunter2\\\nnext line"
    assert DetectionText(original).text == "password: hunter2\nnext line"
    assert Redactor().redact(original).text == "password: \\[secret\\]\\\nnext line"


def test_literal_regions_are_fences_code_spans_and_autolinks() -> None:
    text = "a `x\\_y` b <http://h/p> c\n\n```\nraw \\_\n```\nd ``e`` f \\`g\\`"
    regions = [text[s:e] for s, e in literal_regions(text)]
    assert regions == ["`x\\_y`", "<http://h/p>", "```\nraw \\_\n```", "``e``"]
    assert (
        DetectionText(text).text == "a `x\\_y` b <http://h/p> c\n\n```\nraw \\_\n```\nd ``e`` f `g`"
    )
    assert DetectionText(text, markdown=False).text == (
        "a `x_y` b <http://h/p> c\n\n```\nraw _\n```\nd ``e`` f `g`"
    )


def test_tokens_inside_code_spans_are_plain_and_redacted_links_are_unlinked() -> None:
    markdown = "use `ssh 10.0.0.1` or <http://10.0.0.2/x>, [docs](<http://10.0.0.3/y>) and 10.0.0.4"
    # A link to "http://[ip]/" is no URL at all (MkDocs fails on it), so it becomes text.
    assert Redactor().redact(markdown).text == (
        "use `ssh [ip]` or http://\\[ip\\]/x, docs and \\[ip\\]"
    )


def test_invisible_characters_do_not_hide_values() -> None:
    original = "mail jo\u200bhn@example.com, 电话138\u00ad1234\u200d5678请, ip 10.0\u2060.0.1"
    assert DetectionText(original).text == "mail john@example.com, 电话13812345678请, ip 10.0.0.1"
    assert Redactor().redact(original).text == "mail \\[email\\], 电话\\[phone\\]请, ip \\[ip\\]"


def test_one_to_many_normalisation_maps_whole_characters() -> None:
    original = "call ⑩①②③④⑤⑥⑦⑧⑨ now"
    detection = DetectionText(original)
    assert detection.text == "call 10123456789 now"
    assert original[slice(*detection.span(5, 16))] == "⑩①②③④⑤⑥⑦⑧⑨"


def test_digits_of_other_scripts_count_as_digits() -> None:
    original = "هاتف ١٣٨١٢٣٤٥٦٧٨ و १०.०.०.१"
    assert DetectionText(original).text == "هاتف 13812345678 و 10.0.0.1"
    assert Redactor().redact(original).text == "هاتف \\[phone\\] و \\[ip\\]"
