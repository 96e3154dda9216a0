"""GitHub, Discourse, Stack Exchange and Freshdesk exports in their vendors' documented shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbgen.exceptions import SourceError
from kbgen.models import Comment

# --- GitHub -----------------------------------------------------------------------------


def test_github_folder_of_gh_api_outputs(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "github")
    assert report.format == "github-json"
    assert [t.id for t in tickets] == ["acme/widgets#41", "acme/widgets#43"]
    first, dup = tickets
    assert (first.status, first.resolution_status, first.tags) == (
        "closed",
        "completed",
        ["bug", "config"],
    )
    assert first.resolved is not None and first.resolved.isoformat() == "2024-03-01T09:30:00+00:00"
    assert first.problem == (
        "Starting with a config saved by Notepad I get `KeyError: '\\ufeffname'`.\n\n"
        "Steps:\n\n1. Save `config.ini` in Notepad\n2. Run `widgets start`"
    )  # the <script> block is gone, the list is a list
    assert [(c.role, c.body) for c in first.comments] == [
        ("resolver", "Reproduced. We open the file with `utf-8` instead of `utf-8-sig`; fix in #42.\n\n"
         "Workaround: save the file as *UTF-8* (without BOM)."),
        ("reporter", "Confirmed fixed in 2.3.1, thanks @devon!"),
    ]  # fmt: skip
    assert (
        first.people == ["devon", "mira-k"]
        and first.url == "https://github.com/acme/widgets/issues/41"
    )
    assert (dup.resolution_status, dup.language) == ("duplicate", "zh")
    assert dup.flags == [
        "comments-incomplete: the export holds 0 of 1 comments; the rest were not exported with the issues"
    ]
    assert [(s.ticket, s.reason) for s in report.skipped] == [
        ("acme/widgets#42", "a pull request, not an issue")
    ]
    assert report.records_read == 3


ISSUE = {"url": "https://api.github.com/repos/o/r/issues/1", "number": 1, "title": "Crash", "state": "closed",
         "state_reason": "completed", "user": {"login": "ann"}, "body": "It crashes.", "comments": 0,
         "comments_url": "https://api.github.com/repos/o/r/issues/1/comments", "labels": ["plain-string-label"]}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([ISSUE, {**ISSUE, "number": 2, "url": ISSUE["url"][:-1] + "2"}])
        + " ",  # gh >= 2.48
        json.dumps([ISSUE])
        + json.dumps([{**ISSUE, "number": 2, "url": ISSUE["url"][:-1] + "2"}])
        + "[]",
        json.dumps([[ISSUE], [{**ISSUE, "number": 2, "url": ISSUE["url"][:-1] + "2"}]]),  # --slurp
        json.dumps(ISSUE)
        + "\n"
        + json.dumps({**ISSUE, "number": 2, "url": ISSUE["url"][:-1] + "2"})
        + "\n",
        json.dumps({"total_count": 2, "items": [ISSUE]})
        + json.dumps(
            {"total_count": 2, "items": [{**ISSUE, "number": 2, "url": ISSUE["url"][:-1] + "2"}]}
        ),
    ],
    ids=["merged", "back-to-back", "slurp", "jq-lines", "search-objects"],
)
def test_github_every_gh_paginate_shape(tmp_path: Path, read_all: Any, text: str) -> None:
    path = tmp_path / "issues.json"
    path.write_text(text, encoding="utf-8")
    tickets, report = read_all(path)
    assert report.format == "github-json"
    assert [t.id for t in tickets] == ["o/r#1", "o/r#2"] and tickets[0].tags == [
        "plain-string-label"
    ]


def test_github_wrong_types_and_strict(tmp_path: Path, read_all: Any) -> None:
    bad = {**ISSUE, "body": 42, "labels": "bug", "created_at": 17}
    cut = {**ISSUE, "number": 3, "url": ISSUE["url"][:-1] + "3", "comments": 2}
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([bad, {"message": "Bad credentials"}, cut]), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_all(path)
    assert (
        "item 2, field" not in info.value.message
        and "not a GitHub issue or comment" in info.value.message
    )
    tickets, report = read_all(path, skip_bad_records=True)
    assert [t.id for t in tickets] == ["o/r#1", "o/r#3"]
    assert tickets[0].problem == "42" and tickets[0].tags == []
    assert tickets[0].opened is not None  # epoch seconds are a time, never a crash
    tickets, report = read_all(path, skip_bad_records=True, strict=True)
    assert [t.id for t in tickets] == ["o/r#1"]
    assert [b.reason for b in report.bad_records][-1] == (
        "the export holds 0 of 2 comments; export the issue's comments too (half a conversation is not captured)"
    )


# --- Discourse ------------------------------------------------------------------------------


def test_discourse_topics_folder(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "discourse")
    assert report.format == "discourse-json"
    solved, cut = tickets
    assert (solved.id, solved.title, solved.status, solved.resolution_status) == (
        "812",
        'Backup job fails with "disk quota exceeded"',
        "solved",
        "answered",
    )
    assert solved.problem == (
        "Our nightly backup fails with:\n\n```plaintext\nErrno::EDQUOT: Disk quota exceeded <backup>\n```\n\n"
        "**ANSWER:** none yet &amp; we tried *twice*."
    )
    assert solved.resolution == (
        "> Our nightly backup fails\n\n"
        "Old backups are kept in `/var/discourse/shared/standalone/backups`; lower *maximum backups* to 3 "
        "in the admin settings and delete the oldest files:\n\n"
        "1. Open **Admin › Backups**\n2. Set *maximum backups* to 3\n\n"
        "See [the backup guide](<https://meta.discourse.org/t/backups/1234>), thanks \\[user\\]. click\n\n"
        "\\[image\\]"
    )
    assert solved.comments == [
        Comment("Disk is 90% full, if that matters.", "reporter", solved.comments[0].created),
        Comment("That did it, thanks! :tada:", "reporter", solved.comments[1].created),
    ]
    assert solved.private_dropped == 1 and report.private_dropped == 1  # the whisper
    assert "cheap one" not in json.dumps([vars(t) for t in tickets], default=str)
    assert solved.people == ["Nina K", "Sam Porter", "nina_k", "sam"]
    assert (cut.language, cut.resolution, cut.flags) == (
        "zh",
        "",
        [
            "comments-incomplete: the export holds 2 of 3 posts; the rest were not fetched (a topic page holds 20 posts)"
        ],
    )
    with pytest.raises(SourceError) as info:
        read_all(fixtures / "discourse", strict=True)
    assert (
        "the export holds 2 of 3 posts; fetch the rest with /t/815/posts.json" in info.value.message
    )


def test_discourse_flat_posts_and_private_messages(tmp_path: Path, read_all: Any) -> None:
    posts = [
        {"id": 2, "topic_id": 9, "topic_title": "Mail queue stuck", "post_number": 2, "username": "sam", "staff": True,
         "cooked": "<p>Restart sidekiq.</p>", "accepted_answer": True, "created_at": "2024-03-02T10:00:00Z"},
        {"id": 1, "topic_id": 9, "topic_title": "Mail queue stuck", "post_number": 1, "username": "ann",
         "cooked": "<p>Mails wait in the queue.</p>", "created_at": "2024-03-02T09:00:00Z"},
    ]  # fmt: skip
    pm = {
        "id": 5,
        "title": "DM",
        "archetype": "private_message",
        "post_stream": {"posts": [], "stream": []},
    }
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([*posts, pm]), encoding="utf-8")
    tickets, report = read_all(path)
    (topic,) = tickets
    assert (topic.id, topic.title, topic.problem, topic.resolution) == (
        "9",
        "Mail queue stuck",
        "Mails wait in the queue.",
        "Restart sidekiq.",
    )
    assert [(s.ticket, s.reason) for s in report.skipped] == [
        ("5", "a private message, not a public topic")
    ]


# --- Stack Exchange ---------------------------------------------------------------------------


def test_stack_exchange_dump_xml(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "stackexchange" / "Posts.xml")
    assert report.format == "stackexchange"
    answered, closed, chinese = tickets
    assert (answered.status, answered.resolution_status, answered.tags) == (
        "answered",
        "answered",
        ["windows-11", "printer"],
    )
    assert (
        answered.problem
        == "After a Windows update, my printer shows *Offline* although it is on the network &amp; pings."
    )
    assert (
        answered.resolution
        == "Disable `Use SNMP status` in the printer port settings; the update changed the SNMP community."
    )
    assert [(c.role, c.body) for c in answered.comments] == [
        ("other", "Try reinstalling the driver."),
        ("reporter", "That was it, thanks!"),
    ]
    assert answered.people == ["guest123"]  # numeric user ids are never names
    assert (closed.status, closed.resolution_status, closed.tags) == (
        "closed",
        "closed",
        ["windows-10", "printer"],
    )
    assert (chinese.language, chinese.status, chinese.problem) == (
        "zh",
        "open",
        "打印机**脱机**，怎么办？",
    )
    assert report.notes == [
        "posts that are neither questions nor answers (tag wikis, nominations) were left out: 1"
    ]


def test_stack_exchange_api_folder_and_one_array(fixtures: Path, read_all: Any) -> None:
    tickets, _ = read_all(fixtures / "stackexchange" / "api")
    first, dup = tickets
    assert first.title == 'Printer shows "Offline" after Windows update'
    assert first.resolution.startswith("Disable `Use SNMP status`") and first.url.startswith(
        "https://superuser.com/"
    )
    assert first.opened is not None and first.opened.isoformat() == "2024-03-01T08:00:12+00:00"
    assert (dup.status, dup.resolution_status) == ("closed", "Duplicate")
    (only,), _ = read_all(fixtures / "stackexchange" / "posts-one-array.json")
    assert (
        only.problem == "After a Windows update, my printer shows *Offline* \\_again\\_."
    )  # Markdown, read once
    assert only.resolution == (
        "Disable `Use SNMP status` in the printer port settings.\n\n1. Open *Printer properties*\n2. Untick **SNMP status**"
    )


def test_stack_exchange_broken_xml_is_refused(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "Posts.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<posts>\n<row Id="1" PostTypeId="1" Title="x" Body="y"',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as info:
        read_all(path, format="stackexchange")
    assert info.value.message.startswith(f"{path}, line 3: not valid XML (")


# --- Freshdesk --------------------------------------------------------------------------------


def test_freshdesk_tickets_and_conversations(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "freshdesk")
    assert report.format == "freshdesk-json"
    reset, export = tickets
    assert (reset.status, reset.priority, reset.tags) == (
        "Resolved",
        "Medium",
        ["password", "login"],
    )
    assert [(c.role, c.body) for c in reset.comments] == [
        (
            "resolver",
            "Hi Dana, please try the link in a private browser window; some extensions pre-open links.",
        ),
        ("reporter", "The private window worked, thank you!"),
    ]
    assert (reset.private_dropped, export.private_dropped, report.private_dropped) == (1, 1, 2)
    text = json.dumps([vars(t) for t in tickets], default=str)
    assert "SafeLinks" not in text and "旧版套餐" not in text
    assert (export.language, export.status, export.comments[0].body) == (
        "zh",
        "Closed",
        "请在导出对话框里选择 **UTF-8 (BOM)** 编码。",
    )
    assert [(s.ticket, s.reason) for s in report.skipped] == [("3105", "a spam or deleted ticket")]
