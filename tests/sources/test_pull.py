"""Live pulls against local servers that page exactly as each vendor documents.

Each fake asserts the exact requests (method, path, whole query, auth and
Accept headers). Hostile servers: a 500 midway (the rerun resumes at that
page and nothing is imported before), a 429 storm, a cursor loop, a truncated
page, a removed endpoint.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fake_vendor import fake_vendor

from kbgen.cli import cli
from kbgen.exceptions import SourceError
from kbgen.kb import init_kb
from kbgen.sources import read_tickets
from kbgen.sources.pull import PullSpec, pull
from kbgen.sources.pull.jira import FIELDS as JIRA_FIELDS
from kbgen.sources.pull.servicenow import FIELDS as SN_FIELDS


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def issue(
    key: str, updated: str, comments: list[dict[str, Any]], total: int | None = None
) -> dict[str, Any]:
    return {
        "id": key.split("-")[1],
        "key": key,
        "fields": {
            "summary": f"VPN drops on Wi-Fi ({key})",
            "description": "Since the 4.2 update the VPN disconnects every ten minutes.",
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "resolution": {"name": "Fixed"},
            "resolutiondate": updated,
            "created": "2024-03-01T08:00:00.000+0000",
            "updated": updated,
            "reporter": {"name": "a.khan", "displayName": "Aisha Khan"},
            "assignee": {"name": "t.berg", "displayName": "Tom Berg"},
            "comment": {
                "startAt": 0,
                "maxResults": len(comments),
                "total": len(comments) if total is None else total,
                "comments": comments,
            },
        },
    }


def comment(body: str, author: str = "t.berg", **extra: Any) -> dict[str, Any]:
    return {
        "body": body,
        "author": {"name": author},
        "created": "2024-03-01T09:00:00.000+0000",
        **extra,
    }


JQL = "project = HD AND statusCategory = Done"
ORDERED = f"({JQL}) ORDER BY updated ASC, key ASC"


def jira_dc_query(start: int, jql: str = ORDERED) -> dict[str, str]:
    return {"jql": jql, "startAt": str(start), "maxResults": "2", "fields": JIRA_FIELDS}


def test_jira_server_pages_by_start_at_and_completes_cut_comments(tmp_path: Path) -> None:
    headers = {"Authorization": "Bearer pat-123", "Accept": "application/json"}
    with fake_vendor(headers) as fake:
        env = {"KBGEN_JIRA_URL": fake.url, "KBGEN_JIRA_TOKEN": "pat-123"}
        cut = issue(
            "HD-1", "2024-03-02T10:00:00.000+0000", [comment("Turn off power saving.")], total=2
        )
        # The server caps maxResults below the request: step by what came back.
        fake.add(
            "/rest/api/2/search",
            jira_dc_query(0),
            {"startAt": 0, "maxResults": 1, "total": 2, "issues": [cut]},
        )
        fake.add(
            "/rest/api/2/issue/HD-1/comment",
            {"startAt": "0", "maxResults": "100"},
            {
                "startAt": 0,
                "maxResults": 100,
                "total": 2,
                "comments": [
                    comment("Turn off power saving."),
                    comment("That fixed it.", "a.khan"),
                ],
            },
        )
        fake.add(
            "/rest/api/2/search",
            jira_dc_query(1),
            {
                "startAt": 1,
                "maxResults": 1,
                "total": 2,
                "issues": [issue("HD-2", "2024-03-03T11:30:00.000+0000", [])],
            },
        )
        spec = PullSpec("jira", "HD", query=JQL, page_size=2)
        with pull(tmp_path, spec, env=env) as pulled:
            tickets = list(read_tickets(pulled.path, format=pulled.format))
            pulled.commit()
        assert fake.errors == [] and fake.script == []
    assert [t.id for t in tickets] == ["HD-1", "HD-2"]
    assert [(c.role, c.body) for c in tickets[0].comments] == [
        ("resolver", "Turn off power saving."),
        ("reporter", "That fixed it."),
    ]
    assert tickets[0].flags == []
    mark = json.loads((tmp_path / "pulls").glob("jira-HD-*/mark.json").__next__().read_text())
    assert mark == {"mark": "2024-03-03T11:30:00+00:00"}
    # The next run asks only for what changed since the mark (a day back: JQL reads
    # dates in the API user's time zone).
    with fake_vendor(headers) as fake:
        env["KBGEN_JIRA_URL"] = fake.url
        since = f'({JQL}) AND updated >= "2024/03/02 11:30" ORDER BY updated ASC, key ASC'
        fake.add(
            "/rest/api/2/search",
            jira_dc_query(0, since),
            {"startAt": 0, "maxResults": 2, "total": 0, "issues": []},
        )
        with pull(tmp_path, spec, env=env) as pulled:
            assert pulled.items == 0
        assert fake.errors == [] and fake.script == []


def test_jira_cloud_pages_by_token_until_is_last(tmp_path: Path) -> None:
    headers = {"Authorization": basic("agent@example.com", "tok"), "Accept": "application/json"}
    base_query = {"jql": ORDERED, "maxResults": "2", "fields": JIRA_FIELDS}
    with fake_vendor(headers) as fake:
        env = {
            "KBGEN_JIRA_URL": fake.url,
            "KBGEN_JIRA_TOKEN": "tok",
            "KBGEN_JIRA_EMAIL": "agent@example.com",
        }
        fake.add(
            "/rest/api/3/search/jql",
            base_query,
            {
                "issues": [issue("HD-1", "2024-03-02T10:00:00.000+0000", [])],
                "nextPageToken": "CAEaAggD",
                "isLast": False,
            },
        )
        # The last page omits nextPageToken (JRACLOUD-92184) and says isLast.
        fake.add(
            "/rest/api/3/search/jql",
            {**base_query, "nextPageToken": "CAEaAggD"},
            {"issues": [issue("HD-3", "2024-03-04T10:20:00.000+0000", [])], "isLast": True},
        )
        with pull(tmp_path, PullSpec("jira", "HD", query=JQL, page_size=2), env=env) as pulled:
            tickets = list(read_tickets(pulled.path, format=pulled.format))
        assert fake.errors == [] and fake.script == []
    assert [t.id for t in tickets] == ["HD-1", "HD-3"]


def test_a_server_error_midway_imports_nothing_and_the_rerun_resumes_at_that_page(
    tmp_path: Path,
) -> None:
    headers = {"Authorization": "Bearer pat", "Accept": "application/json"}
    waits: list[float] = []
    spec = PullSpec("jira", "HD", query=JQL, page_size=2)
    page1 = {
        "startAt": 0,
        "maxResults": 2,
        "total": 3,
        "issues": [
            issue("HD-1", "2024-03-02T10:00:00.000+0000", []),
            issue("HD-2", "2024-03-02T11:00:00.000+0000", []),
        ],
    }
    with fake_vendor(headers) as fake:
        env = {"KBGEN_JIRA_URL": fake.url, "KBGEN_JIRA_TOKEN": "pat"}
        fake.add("/rest/api/2/search", jira_dc_query(0), page1)
        for _ in range(6):
            fake.add(
                "/rest/api/2/search", jira_dc_query(2), {"errorMessages": ["boom"]}, status=500
            )
        with pytest.raises(SourceError) as info, pull(tmp_path, spec, env=env, sleep=waits.append):
            pytest.fail("nothing may be captured from a half-fetched pull")
        assert fake.errors == [] and fake.script == []
    assert str(info.value).startswith(
        f"GET {fake.url}/rest/api/2/search failed with HTTP 500 after 6 tries: "
    )
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0]
    with fake_vendor(headers) as fake:  # the rerun asks for page 2 only
        env["KBGEN_JIRA_URL"] = fake.url
        fake.add(
            "/rest/api/2/search",
            jira_dc_query(2),
            {
                "startAt": 2,
                "maxResults": 2,
                "total": 3,
                "issues": [issue("HD-3", "2024-03-03T10:00:00.000+0000", [])],
            },
        )
        with pull(tmp_path, spec, env=env) as pulled:
            assert pulled.resumed and pulled.pages == 2
            assert [t.id for t in read_tickets(pulled.path, format=pulled.format)] == [
                "HD-1",
                "HD-2",
                "HD-3",
            ]
        assert fake.errors == [] and fake.script == []


def test_jira_cloud_removed_search_endpoint_and_order_by_are_explained(tmp_path: Path) -> None:
    with fake_vendor({}) as fake:
        env = {"KBGEN_JIRA_URL": fake.url, "KBGEN_JIRA_TOKEN": "pat"}
        fake.add("/rest/api/2/search", jira_dc_query(0), {"errorMessages": ["gone"]}, status=410)
        with (
            pytest.raises(SourceError) as info,
            pull(tmp_path, PullSpec("jira", "HD", query=JQL, page_size=2), env=env),
        ):
            pass
    assert "failed with HTTP 410" in str(info.value) and "/rest/api/3/search/jql" in str(info.value)
    with (
        pytest.raises(SourceError) as info,
        pull(tmp_path, PullSpec("jira", "HD", query=JQL + " ORDER BY key"), env=env),
    ):
        pass
    assert info.value.message == "leave ORDER BY out of --jql: kbgen pages in updated order itself"
    with pytest.raises(SourceError) as info, pull(tmp_path, PullSpec("jira", "HD"), env={}):
        pass
    assert info.value.message == (
        "set KBGEN_JIRA_TOKEN in the environment to pull (tokens never go on the command line)"
    )


def sn_query(offset: int) -> dict[str, str]:
    return {
        "sysparm_query": "stateIN6,7^ORDERBYsys_updated_on^ORDERBYsys_id",
        "sysparm_fields": SN_FIELDS,
        "sysparm_display_value": "all",
        "sysparm_exclude_reference_link": "true",
        "sysparm_limit": "2",
        "sysparm_offset": str(offset),
    }


def incident(number: str, updated: str) -> dict[str, Any]:
    def both(value: str) -> dict[str, str]:
        return {"display_value": value, "value": value}

    return {
        "sys_id": both(number.lower()), "number": both(number),
        "short_description": both("Outlook keeps asking for password"),
        "description": both("Prompts every few minutes."),
        "state": {"display_value": "Resolved", "value": "6"},
        "close_code": both("Solved (Permanently)"),
        "close_notes": both("Removed stale credentials and re-created the profile."),
        "comments": {"display_value": "2024-03-01 10:42:05 - Beth Anglin (Additional comments)\nTry removing the saved credentials.\n\n", "value": ""},
        "work_notes": {"display_value": "2024-03-01 10:40:12 - Beth Anglin (Work notes)\nAccount flagged by the spray detector.\n\n", "value": ""},
        "caller_id": both("Joe Employee"), "assigned_to": both("Beth Anglin"),
        "opened_at": both("2024-03-01 09:30:00"), "resolved_at": both("2024-03-01 11:05:00"),
        "sys_updated_on": {"display_value": updated, "value": updated},
    }  # fmt: skip


def test_servicenow_follows_link_next_past_a_short_page(tmp_path: Path) -> None:
    headers = {"Authorization": basic("api.user", "secret"), "Accept": "application/json"}
    link = (
        '<{base}/api/now/table/incident?sysparm_offset=0>;rel="first",'
        '<{base}/api/now/table/incident?sysparm_offset=NEXT>;rel="next"'
    )
    with fake_vendor(headers) as fake:
        env = {
            "KBGEN_SERVICENOW_URL": fake.url,
            "KBGEN_SERVICENOW_USER": "api.user",
            "KBGEN_SERVICENOW_PASSWORD": "secret",
        }
        fake.add(
            "/api/now/table/incident",
            sn_query(0),
            {"result": [incident("INC1", "2024-03-01 11:05:00")]},
            headers={"Link": link.replace("NEXT", "2"), "X-Total-Count": "3"},
        )  # one row: the limit applies before ACLs
        fake.add(
            "/api/now/table/incident",
            sn_query(2),
            {
                "result": [
                    incident("INC2", "2024-03-02 08:00:00"),
                    incident("INC3", "2024-03-03 08:00:00"),
                ]
            },
            headers={"Link": '<{base}/api/now/table/incident?sysparm_offset=0>;rel="first"'},
        )
        with pull(tmp_path, PullSpec("servicenow", "incident", page_size=2), env=env) as pulled:
            stream = read_tickets(pulled.path, format=pulled.format)
            tickets, report = list(stream), None
            assert stream.report.private_dropped == 3  # one work note per incident, counted
            assert "spray detector" not in pulled.path.read_text(encoding="utf-8")
            assert pulled.mark == "2024-03-03T08:00:00+00:00"
        assert fake.errors == [] and fake.script == []
    assert [t.id for t in tickets] == ["INC1", "INC2", "INC3"]
    assert "Account flagged" not in json.dumps([vars(t) for t in tickets], default=str)
    assert report is None


def zendesk_ticket(ticket_id: int) -> dict[str, Any]:
    return {"id": ticket_id, "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json", "subject": "Invoice shows USD",
            "status": "solved", "requester_id": 9001, "assignee_id": 7001, "created_at": "2024-03-01T08:02:11Z",
            "updated_at": "2024-03-01T15:40:03Z", "tags": ["billing"]}  # fmt: skip


def test_zendesk_cursor_export_waits_out_a_429_and_stops_on_end_of_stream(tmp_path: Path) -> None:
    headers = {
        "Authorization": basic("agent@example.com/token", "zt"),
        "Accept": "application/json",
    }
    waits: list[float] = []
    comments_page = {"comments": [
        {"id": 1, "author_id": 9001, "body": "Our invoice shows USD.", "public": True, "created_at": "2024-03-01T08:02:11Z"},
        {"id": 2, "author_id": 7001, "body": "Internal: legacy plan.", "public": False, "created_at": "2024-03-01T09:00:00Z"},
        {"id": 3, "author_id": 7001, "body": "Set the account currency to EUR and regenerate.", "public": True, "created_at": "2024-03-01T10:00:00Z"}],
        "users": [{"id": 9001, "name": "Lena Vogel"}, {"id": 7001, "name": "Tom Berg"}], "next_page": None}  # fmt: skip
    with fake_vendor(headers) as fake:
        env = {
            "KBGEN_ZENDESK_URL": fake.url,
            "KBGEN_ZENDESK_EMAIL": "agent@example.com",
            "KBGEN_ZENDESK_TOKEN": "zt",
        }
        first = {"start_time": "0", "per_page": "1", "exclude_deleted": "true"}
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            first,
            raw=b"Too Many Requests",
            status=429,
            headers={"Retry-After": "7", "Content-Type": "text/plain"},
        )
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            first,
            {
                "tickets": [zendesk_ticket(5101)],
                "after_cursor": "c1",
                "after_url": "{base}/x",
                "end_of_stream": False,
            },
        )
        fake.add("/api/v2/tickets/5101/comments.json", {"include": "users"}, comments_page)
        second = {"cursor": "c2" if False else "c1", "per_page": "1", "exclude_deleted": "true"}
        # The last page still carries after_url: only end_of_stream ends the export.
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            second,
            {"tickets": [], "after_cursor": "c2", "after_url": "{base}/y", "end_of_stream": True},
        )
        with pull(
            tmp_path, PullSpec("zendesk", "", page_size=1), env=env, sleep=waits.append
        ) as pulled:
            (ticket,) = read_tickets(pulled.path, format=pulled.format)
            pulled.commit()
        assert fake.errors == [] and fake.script == []
    assert waits == [7.0]
    assert ticket.problem == "Our invoice shows USD."
    assert [(c.role, c.body) for c in ticket.comments] == [
        ("resolver", "Set the account currency to EUR and regenerate.")
    ]
    assert ticket.private_dropped == 1 and "Lena Vogel" in ticket.people
    # The next run starts from the stored cursor.
    with fake_vendor(headers) as fake:
        env["KBGEN_ZENDESK_URL"] = fake.url
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            {"cursor": "c2", "per_page": "1", "exclude_deleted": "true"},
            {"tickets": [], "after_cursor": "c2", "end_of_stream": True},
        )
        with pull(tmp_path, PullSpec("zendesk", "", page_size=1), env=env) as pulled:
            assert pulled.items == 0
        assert fake.errors == [] and fake.script == []


def test_a_429_storm_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    waits: list[float] = []
    with fake_vendor({}) as fake:
        env = {"KBGEN_ZENDESK_URL": fake.url, "KBGEN_ZENDESK_OAUTH_TOKEN": "o"}
        first = {"start_time": "0", "per_page": "100", "exclude_deleted": "true"}
        for _ in range(6):
            fake.add(
                "/api/v2/incremental/tickets/cursor.json",
                first,
                raw=b"slow down",
                status=429,
                headers={"Retry-After": "2"},
            )
        with (
            pytest.raises(SourceError) as info,
            pull(tmp_path, PullSpec("zendesk", ""), env=env, sleep=waits.append),
        ):
            pass
    assert waits == [2.0] * 5
    assert info.value.message == (
        f"GET {fake.url}/api/v2/incremental/tickets/cursor.json failed with HTTP 429 after 6 tries: slow down"
    )


def test_a_cursor_loop_stops_the_pull(tmp_path: Path) -> None:
    with fake_vendor({}) as fake:
        env = {"KBGEN_ZENDESK_URL": fake.url, "KBGEN_ZENDESK_OAUTH_TOKEN": "o"}
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            {"start_time": "0", "per_page": "100", "exclude_deleted": "true"},
            {"tickets": [], "after_cursor": "same", "end_of_stream": False},
        )
        fake.add(
            "/api/v2/incremental/tickets/cursor.json",
            {"cursor": "same", "per_page": "100", "exclude_deleted": "true"},
            {"tickets": [], "after_cursor": "same", "end_of_stream": False},
        )
        with pytest.raises(SourceError) as info, pull(tmp_path, PullSpec("zendesk", ""), env=env):
            pass
        assert fake.script == []
    assert info.value.message == (
        "the zendesk server sent a page cursor it had sent before (a loop); the pull stopped and "
        "nothing was imported"
    )


def test_a_truncated_page_is_retried_then_refused(tmp_path: Path) -> None:
    with fake_vendor({}) as fake:
        env = {"KBGEN_GITHUB_URL": fake.url, "KBGEN_GITHUB_TOKEN": "g"}
        query = {"state": "closed", "sort": "updated", "direction": "asc", "per_page": "100"}
        for _ in range(6):
            fake.add("/repos/acme/widgets/issues", query, raw=b'[{"number": 1, "title": "cut')
        with (
            pytest.raises(SourceError) as info,
            pull(tmp_path, PullSpec("github", "acme/widgets"), env=env, sleep=lambda _s: None),
        ):
            pass
    assert info.value.message.endswith(
        "failed after 6 tries: the answer is not JSON (a truncated page or an error page)"
    )


def gh_issue(number: int, updated: str, *, comments: int = 0, pr: bool = False) -> dict[str, Any]:
    base = "{base}/repos/acme/widgets/issues/" + str(number)
    data = {"url": base, "number": number, "title": f"Issue {number}", "user": {"login": "mira-k"},
            "labels": [{"name": "bug"}], "state": "closed", "state_reason": "completed", "comments": comments,
            "created_at": "2024-02-27T10:00:00Z", "updated_at": updated, "closed_at": updated,
            "body": "Crash with a BOM in `config.ini`.", "html_url": f"https://github.com/acme/widgets/issues/{number}",
            "comments_url": base + "/comments"}  # fmt: skip
    if pr:
        data["pull_request"] = {"url": "x"}
    return data


def test_github_follows_link_next_verbatim_and_fetches_comments(tmp_path: Path) -> None:
    headers = {
        "Authorization": "Bearer ghp_x",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    query = {"state": "closed", "sort": "updated", "direction": "asc", "per_page": "2"}
    with fake_vendor(headers) as fake:
        env = {"KBGEN_GITHUB_URL": fake.url, "GITHUB_TOKEN": "ghp_x"}
        page2 = "{base}/repositories/123456/issues?state=closed&sort=updated&direction=asc&per_page=2&page=2"
        fake.add(
            "/repos/acme/widgets/issues",
            query,
            [
                gh_issue(41, "2024-03-01T09:30:00Z", comments=1),
                gh_issue(42, "2024-03-01T09:31:00Z", pr=True),
            ],
            headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'},
        )
        fake.add(
            "/repos/acme/widgets/issues/41/comments",
            {"per_page": "100"},
            [
                {
                    "user": {"login": "devon"},
                    "author_association": "MEMBER",
                    "body": "Open it with `utf-8-sig`.",
                    "created_at": "2024-02-27T12:10:00Z",
                    "issue_url": "{base}/repos/acme/widgets/issues/41",
                }
            ],
        )
        fake.add(
            "/repositories/123456/issues",
            {**query, "page": "2"},
            [gh_issue(43, "2024-03-01T13:05:00Z")],
            headers={"Link": '<{base}/repositories/123456/issues?page=1>; rel="prev"'},
        )
        with pull(tmp_path, PullSpec("github", "acme/widgets", page_size=2), env=env) as pulled:
            stream = read_tickets(pulled.path, format=pulled.format)
            tickets = list(stream)
            pulled.commit()
        assert fake.errors == [] and fake.script == []
    assert [t.id for t in tickets] == ["acme/widgets#41", "acme/widgets#43"]
    assert [(c.role, c.body) for c in tickets[0].comments] == [
        ("resolver", "Open it with `utf-8-sig`.")
    ]
    assert [s.reason for s in stream.report.skipped] == ["a pull request, not an issue"]
    with fake_vendor(headers) as fake:  # incremental: since the newest updated_at
        env["KBGEN_GITHUB_URL"] = fake.url
        fake.add("/repos/acme/widgets/issues", {**query, "since": "2024-03-01T13:05:00Z"}, [])
        with pull(tmp_path, PullSpec("github", "acme/widgets", page_size=2), env=env) as pulled:
            assert pulled.items == 0
        assert fake.errors == [] and fake.script == []


def test_capture_cli_pulls_drafts_and_accounts_for_every_ticket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = init_kb(tmp_path / "kb")
    headers = {"Authorization": "Bearer pat", "Accept": "application/json"}
    with fake_vendor(headers) as fake:
        monkeypatch.setenv("KBGEN_JIRA_URL", fake.url)
        monkeypatch.setenv("KBGEN_JIRA_TOKEN", "pat")
        cut = issue(
            "HD-1",
            "2024-03-02T10:00:00.000+0000",
            [comment("Disable power saving on the Wi-Fi adapter.")],
            total=2,
        )
        secured = issue("HD-2", "2024-03-02T11:00:00.000+0000", [])
        secured["fields"]["security"] = {"name": "Internal"}
        fake.add(
            "/rest/api/2/search",
            jira_dc_query(0),
            {"startAt": 0, "maxResults": 2, "total": 2, "issues": [cut, secured]},
        )
        # The comment endpoint has no more to give (the other comment is restricted).
        fake.add(
            "/rest/api/2/issue/HD-1/comment",
            {"startAt": "0", "maxResults": "100"},
            {
                "startAt": 0,
                "maxResults": 100,
                "total": 2,
                "comments": [comment("Disable power saving on the Wi-Fi adapter.")],
            },
        )
        fake.add(
            "/rest/api/2/issue/HD-1/comment",
            {"startAt": "1", "maxResults": "100"},
            {"startAt": 1, "maxResults": 100, "total": 2, "comments": []},
        )
        result = CliRunner().invoke(
            cli,
            [
                "capture",
                "jira:HD",
                "--jql",
                JQL,
                "--page-size",
                "2",
                "--kb",
                str(kb.root),
                "--json",
            ],
        )
        assert fake.errors == [] and fake.script == []
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [c["tickets"] for c in report["created"]] == [["HD-1"]]
    assert report["skipped"] == [
        {"ticket": "HD-2", "reason": "the issue has a security level (internal)"}
    ]
    assert report["quality"]["tickets_read"] == 2
    notes = next((kb.root / "content" / "review-notes").glob("*.yml")).read_text(encoding="utf-8")
    assert (
        "comments-incomplete: the export holds 1 of 2 comments; the missing ones may be "
        "restricted or deleted"
    ) in notes
    assert not list((kb.root / ".kbgen" / "pulls").glob("*/pages"))  # captured: pages gone


def test_capture_cli_refuses_unknown_sources_and_pull_options_on_files(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["capture", "nope:HD", "--kb", str(tmp_path)])
    assert result.exit_code == 2 and "no such file or folder: nope:HD" in result.output
    export = tmp_path / "x.json"
    export.write_text("{}", encoding="utf-8")
    result = runner.invoke(cli, ["capture", str(export), "--jql", "x", "--kb", str(tmp_path)])
    assert result.exit_code == 2
    assert "--jql, --query, --since and --restart apply to live pulls only" in result.output
