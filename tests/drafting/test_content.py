"""Titles, symptoms and resolutions come from the ticket, minus the chit-chat."""

from __future__ import annotations

import pytest

from kbgen.drafting.content import clean_prose, clean_title, extract_content
from kbgen.text import plain_to_markdown

from .fakes import ticket


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RE: FW: Printer offline", "Printer offline"),
        ("Fwd: re: VPN drops", "VPN drops"),
        ("答复：回复: 打印机无法连接", "打印机无法连接"),
        ("[LUCENE-12] Colon character not searchable", "Colon character not searchable"),
        ("LUCENE-12: Colon character not searchable", "Colon character not searchable"),
        ("INC0012345 - Outlook crashes", "Outlook crashes"),
        ("Outlook crashes (#12345)", "Outlook crashes"),
        ("Hi team, Outlook crashes on start", "Outlook crashes on start"),
        ("您好，系统登录异常", "系统登录异常"),
        ("List<String> fails </title><script>", "List‹String› fails ‹/title›‹script›"),
        ("  lock files   don't\twork  ", "lock files don't work"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_title_falls_back_to_first_sentence_of_symptoms() -> None:
    assert clean_title("Hello!", "Hello team.\n\nThe VPN drops every hour. It started Monday.") == (
        "The VPN drops every hour."
    )
    assert len(clean_title("x " * 200)) <= 150


def test_clean_prose_drops_chit_chat_and_keeps_the_fix() -> None:
    text = plain_to_markdown(
        "Hi John,\n\nThanks, we are checking.\n\nRun `net stop spooler` then reinstall driver 4.2.\n"
        "Please confirm the fix works.\n\nBest regards,\nSupport\n\n"
        "java.lang.NullPointerException: boom\n    at a.b.C.d(C.java:12)\n    at a.b.C.e(C.java:13)"
    )
    assert clean_prose(text) == (
        "Run \\`net stop spooler\\` then reinstall driver 4.2.\n\n"
        "Support\n\n"
        "```text\njava.lang.NullPointerException: boom\n    at a.b.C.d(C.java:12)\n    at a.b.C.e(C.java:13)\n```"
    )


def test_resolver_questions_are_not_the_resolution() -> None:
    content = extract_content(
        ticket(
            "T-1",
            resolution="",
            comments=[("resolver", "Did the script run?\nRestart the archive tomcat.")],
        )
    )
    assert content.resolution == "Restart the archive tomcat."


def test_resolution_from_resolver_comments_not_reporter() -> None:
    content = extract_content(
        ticket(
            "T-1",
            resolution="",
            comments=[
                ("reporter", "It still fails with error 0x80070005"),
                ("resolver", "Grant write access to C:\\\\spool."),
            ],
        )
    )
    assert content.resolution == "Grant write access to C:\\\\spool."
    assert "0x80070005" in content.symptoms  # a thin description borrows the reporter's follow-up
    assert content.flags == []


def test_other_commenters_only_when_no_resolver_and_flagged() -> None:
    content = extract_content(
        ticket("T-1", resolution="", comments=[("other", "Fixed in CVS, see QueryParser.jj")])
    )
    assert content.resolution == "Fixed in CVS, see QueryParser.jj"
    assert content.flags == ["resolution-from-other-commenters"]


def test_no_usable_resolution_is_flagged() -> None:
    content = extract_content(
        ticket("T-1", resolution="0", comments=[("resolver", "We will check and get back to you.")])
    )
    assert content.resolution == ""
    assert content.flags == ["resolution-needed"]


def test_reporter_who_fixed_it_gives_the_resolution_when_the_source_recorded_one() -> None:
    """LUCENE-1: the reporter's later comment "I fixed this by ..." is the only fix on record."""
    from kbgen.drafting.content import extract_content
    from kbgen.models import Comment, Ticket

    fixed = Ticket(
        id="LUCENE-1",
        source="jira",
        title="Lock files don't work in JDK 1.1",
        problem="The method File.createNewFile() does not exist in JDK 1.1.8 and lock files fail.",
        resolution_status="Fixed",
        comments=[
            Comment(body="I fixed this by disabling lock files in JDK 1.1.", role="reporter")
        ],
    )
    content = extract_content(fixed)
    assert content.resolution == "I fixed this by disabling lock files in JDK 1.1."
    assert "resolution-from-reporter" in content.flags
    # Without a recorded resolution (chat-like threads), a customer's follow-up is no fix.
    unresolved = Ticket(**{**fixed.__dict__, "resolution_status": ""})
    assert extract_content(unresolved).resolution == ""
