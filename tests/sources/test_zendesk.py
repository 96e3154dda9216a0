"""Zendesk: public:false comments are internal, and ticket.description is never used."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def test_private_first_comment_is_not_the_problem(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "zendesk" / "tickets.json")
    assert report.format == "zendesk-json"
    fire, password = tickets
    assert fire.id == "35436"
    assert fire.title == "Help, my printer is on fire!"
    # The first comment (and ticket.description, its copy) is a private note: no problem text.
    assert fire.problem == ""
    assert fire.flags == ["problem-internal-or-missing"]
    assert [(c.role, c.body) for c in fire.comments] == [
        ("reporter", "Smoke is coming out of the printer tray &lt;tray 2&gt;."),
        ("resolver", "Unplug the printer and replace the fuser unit; the new one ships today."),
    ]
    assert fire.private_dropped == 2
    assert (report.private_dropped, report.unknown_visibility) == (1, 1)
    assert (fire.status, fire.resolution_status, fire.priority, fire.category) == (
        "solved",
        "Solved",
        "high",
        "incident",
    )
    assert fire.tags == ["printer", "hardware"]
    assert fire.url == "https://example.zendesk.com/agent/tickets/35436"
    assert fire.people == ["Pat Requester", "Sam Agent", "pat@example.com", "sam@example.com"]
    assert password.problem == "I forgot my password and the reset mail never arrives."
    assert (password.status, password.resolution_status) == ("open", "")


def test_description_and_metadata_never_read(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "zendesk" / "tickets.json")
    everything = json.dumps([vars(t) for t in tickets], default=str) + json.dumps(report.to_json())
    assert "drunk" not in everything
    assert "203.0.113.7" not in everything and "Oslo" not in everything
    assert "visibility unknown" not in everything


def test_incremental_json_lines(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "zendesk" / "incremental.jsonl")
    assert report.format == "zendesk-json"
    vpn, teams = tickets
    assert (vpn.id, vpn.problem, vpn.resolution_status) == ("501", "", "Solved")
    assert [(c.role, c.body) for c in vpn.comments] == [
        ("reporter", "The VPN disconnects every 60 minutes."),
        ("resolver", "Raised the idle timeout in the VPN profile; fixed."),
    ]
    assert "CFO" not in json.dumps([vars(t) for t in tickets], default=str)
    assert teams.problem == "Camera shows a black image in Teams."
    assert report.private_dropped == 1


def test_embedded_comments_in_tickets_array(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            {
                "tickets": [
                    {
                        "id": 9,
                        "subject": "Disk full",
                        "requester_id": 1,
                        "status": "closed",
                        "comments": [
                            {"author_id": 1, "public": True, "body": "C: is full"},
                            {"author_id": 2, "public": False, "body": "internal only"},
                        ],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    (ticket,), report = read_all(path, format="zendesk-json")
    assert (ticket.problem, ticket.comments, ticket.private_dropped) == ("C: is full", [], 1)


def test_incremental_page_that_is_not_the_last(tmp_path: Path, read_all: Any) -> None:
    page = {
        "tickets": [{"id": 1, "subject": "A", "comments": []}],
        "after_cursor": "x",
        "end_of_stream": False,
    }
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    _, report = read_all(path)
    assert report.notes == [
        "the export is one page of an incremental export (more pages follow); "
        "export until end_of_stream is true to capture every ticket"
    ]
