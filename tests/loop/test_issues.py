"""`kbgen gaps --open` against a local forge that records the exact requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import init_kb
from kbgen.loop import evidence as evidence_module

from .fakes import ticket

TICKETS = [
    ticket("P1", "2026-02-01T08:00", "2026-02-01T10:00", category="Printing", text="printer prints blank pages"),
    ticket("P2", "2026-02-03T08:00", "2026-02-03T14:00", category="Printing", text="printer prints blank pages again"),
    ticket("V1", "2026-02-02T08:00", "2026-02-02T09:00", category="VPN", title="VPN <drops> hourly", text="VPN drops"),
]  # fmt: skip


class Forge:
    """A forge on 127.0.0.1 answering 201 to every issue it is sent, or ``status`` when set."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 201
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                forge.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(body),
                    }
                )
                number = len(forge.requests)
                answer = (
                    {
                        "html_url": f"https://forge.test/issues/{number}",
                        "web_url": f"https://forge.test/-/issues/{number}",
                    }
                    if forge.status == 201
                    else {"message": "Resource not accessible by integration"}
                )
                data = json.dumps(answer).encode()
                self.send_response(forge.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def forge() -> Iterator[Forge]:
    server = Forge()
    yield server
    server.server.shutdown()
    server.server.server_close()


def make_kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, review: dict[str, str]) -> Path:
    kb = init_kb(tmp_path / "kb")
    (kb.root / "site_config" / "kbgen.yml").write_text(
        yaml.safe_dump({"review": review}), encoding="utf-8"
    )
    monkeypatch.setattr(evidence_module, "tickets_from_store", lambda kb: list(TICKETS))
    return kb.root


def test_github_issues_are_created_exactly_as_documented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forge: Forge
) -> None:
    kb = make_kb(
        tmp_path, monkeypatch, {"forge": "github", "repository": "acme/kb", "api_url": forge.url}
    )
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    result = CliRunner().invoke(cli, ["gaps", "--kb", str(kb), "--open"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in forge.requests] == ["/repos/acme/kb/issues", "/repos/acme/kb/issues"]
    first = forge.requests[0]
    # Header names are case-insensitive in HTTP, so they are compared lower-cased.
    assert {
        k: first["headers"][k]
        for k in ("accept", "authorization", "x-github-api-version", "content-type")
    } == {
        "accept": "application/vnd.github+json",
        "authorization": "Bearer ghp_test",
        "x-github-api-version": "2022-11-28",
        "content-type": "application/json",
    }
    assert first["json"] == {
        "title": "[kbgen] uncovered problem: Printing: ticket P2",
        "body": "kbgen found this **uncovered problem** (demand 2).\n\n"
        "2 tickets opened 2026-02-01 to 2026-02-03, mean time to resolve 4.00 h; e.g. P1, P2\n\n"
        "Next step: review the draft kbgen captured from the best ticket, or write the article by hand.\n\n"
        "<!-- kbgen-gap: uncovered_problem:Printing:P1 -->",
        "labels": ["kbgen-gap", "uncovered_problem"],
    }
    # Issue titles are plain text on the forge, so a ticket title goes as it is.
    assert (
        forge.requests[1]["json"]["title"] == "[kbgen] uncovered problem: VPN: VPN <drops> hourly"
    )
    assert result.output.splitlines()[-4:-2] == [
        "#1: issue opened: https://forge.test/issues/1",
        "#2: issue opened: https://forge.test/issues/2",
    ]
    again = CliRunner().invoke(cli, ["gaps", "--kb", str(kb), "--open"], catch_exceptions=False)
    assert len(forge.requests) == 2  # remembered in .kbgen/opened-gaps.json
    assert again.output.splitlines()[-4:-2] == [
        "#1: issue already open: https://forge.test/issues/1",
        "#2: issue already open: https://forge.test/issues/2",
    ]


def test_gitlab_issue_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forge: Forge
) -> None:
    kb = make_kb(
        tmp_path, monkeypatch,
        {"forge": "gitlab", "repository": "it/support-kb", "api_url": forge.url + "/api/v4", "token_env": "KB_TOKEN"},
    )  # fmt: skip
    monkeypatch.setenv("KB_TOKEN", "glpat-test")
    result = CliRunner().invoke(cli, ["gaps", "--kb", str(kb), "--open", "--limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    (request,) = forge.requests
    assert (request["method"], request["path"]) == (
        "POST",
        "/api/v4/projects/it%2Fsupport-kb/issues",
    )
    assert request["headers"]["private-token"] == "glpat-test"
    assert "authorization" not in request["headers"]
    assert request["json"]["labels"] == "kbgen-gap,uncovered_problem"
    assert request["json"]["title"] == "[kbgen] uncovered problem: Printing: ticket P2"
    assert set(request["json"]) == {"title", "description", "labels"}
    assert json.loads(result.output)["opened"]["issues"] == [
        {
            "rank": 1,
            "key": "uncovered_problem:Printing:P1",
            "url": "https://forge.test/-/issues/1",
            "new": True,
        }
    ]


def test_forge_refusal_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forge: Forge
) -> None:
    kb = make_kb(
        tmp_path, monkeypatch, {"forge": "github", "repository": "acme/kb", "api_url": forge.url}
    )
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    forge.status = 403
    result = CliRunner().invoke(cli, ["gaps", "--kb", str(kb), "--open"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: POST {forge.url}/repos/acme/kb/issues failed with HTTP 403: "
        "Resource not accessible by integration; "
        "check review.repository and that the token may create issues"
    )
    assert not (kb / ".kbgen" / "opened-gaps.json").read_text(encoding="utf-8").strip("{}\n")


def test_missing_token_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = make_kb(tmp_path, monkeypatch, {"forge": "github", "repository": "acme/kb"})
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["gaps", "--kb", str(kb), "--open"])
    assert result.output.splitlines()[-1] == (
        "Error: no github token: set the GITHUB_TOKEN environment variable (review.token_env)"
    )


def test_visitor_text_is_escaped_in_the_issue_body_and_backlog_page() -> None:
    from kbgen.loop.gaps import failed_searches
    from kbgen.loop.issues import backlog_markdown, issue_body

    usage = {
        "zero_result_searches": [{"query": "<img src=x onerror=alert(1)> | *vpn*", "count": 2}]
    }
    (gap,) = failed_searches(usage)
    assert issue_body(gap).splitlines()[2] == (
        "2 with no results, 0 with no click: &lt;img src=x onerror=alert(1)&gt; \\| \\*vpn\\* (2)"
    )
    row = backlog_markdown([gap]).splitlines()[-1]
    assert "<img" not in row and row.count(" | ") == 4  # five cells: the query's pipe is escaped


def test_gaps_are_filed_through_the_one_forge_interface(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbgen.kb import KnowledgeBase
    from kbgen.loop.gaps import failed_searches
    from kbgen.loop.issues import open_issues
    from kbgen.review import FakeForge

    kb = KnowledgeBase.open(make_kb(tmp_path, monkeypatch, {}))
    gaps = failed_searches({"zero_result_searches": [{"query": "vpn drops", "count": 3}]})
    forge = FakeForge()
    first = open_issues(kb, gaps, forge)
    again = open_issues(kb, gaps, forge)
    assert [(url, new) for _, url, new in first + again] == [
        ("https://forge.invalid/issues/1", True),
        ("https://forge.invalid/issues/1", False),
    ]
    assert forge.calls == [
        {
            "verb": "issue",
            "title": '[kbgen] failed search: Searches for "vpn drops" find nothing useful',
            "body": forge.calls[0]["body"],
            "labels": ["kbgen-gap", "failed_search"],
        }
    ]
