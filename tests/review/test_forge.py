"""kbgen review submit against a local HTTP server shaped like GitHub's and GitLab's REST APIs.

The server answers a fixed script and records every request, so each test
asserts the exact method, path, headers and JSON body kbgen sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import Team
from review_helpers import draft_change

from kbgen.cli import cli
from kbgen.exceptions import ForgeError
from kbgen.kb import KnowledgeBase, commit_drafts, git_out, run_git
from kbgen.review import FakeForge, submit
from kbgen.review.pr_body import KCS_CHECKLIST, checklist_markdown, pull_request_body

BRANCH = "kb/KB-0001-printer-offline"
SCAFFOLD = Path(__file__).resolve().parents[2] / "kbgen" / "scaffold"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    """Answers ``(method, path)`` from ``script`` in order; records what it received."""

    script: list[tuple[str, str, int, Any]]
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def api() -> Iterator[FakeApi]:
    fake = FakeApi(script=[])

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            fake.requests.append(
                Recorded(
                    self.command,
                    self.path,
                    {
                        k.lower(): v for k, v in self.headers.items()
                    },  # header names are case-insensitive
                    json.loads(raw) if raw else None,
                )
            )
            method, path, status, payload = fake.script.pop(0)
            assert (self.command, self.path) == (method, path)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def configure(kb: KnowledgeBase, forge: str, api_url: str, repository: str) -> KnowledgeBase:
    config = kb.root / "site_config" / "kbgen.yml"
    config.write_text(
        f"review:\n  forge: {forge}\n  repository: {repository}\n  api_url: {api_url}\n",
        encoding="utf-8",
    )
    run_git(["commit", "-q", "-am", "Configure the forge"], kb.root)
    run_git(["push", "-q", "origin", "main"], kb.root)
    return KnowledgeBase.open(kb.root)


def submit_cli(kb: KnowledgeBase, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["review", "submit", BRANCH, "--kb", str(kb.root), *args], catch_exceptions=False
    )


def test_github_pull_request_is_opened_with_the_documented_request(
    team: Team, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    kb = configure(team.engineer, "github", api.url, "acme/support-kb")
    commit_drafts(kb, [draft_change()])
    query = (
        "/repos/acme/support-kb/pulls?head=acme%3Akb%2FKB-0001-printer-offline&base=main&state=open"
    )
    created = {
        "number": 7,
        "html_url": "https://github.com/acme/support-kb/pull/7",
        "state": "open",
    }
    api.script = [
        ("GET", query, 200, []),
        ("POST", "/repos/acme/support-kb/pulls", 201, created),
        ("GET", query, 200, [created]),
    ]

    first = submit_cli(kb)
    again = submit_cli(kb)

    commit = git_out(["rev-parse", BRANCH], kb.root)
    assert first.output == (
        f"Pushed {BRANCH} ({commit[:7]}) to origin.\n"
        "Opened pull request #7: https://github.com/acme/support-kb/pull/7\n"
    )
    assert again.output == (
        f"Pushed {BRANCH} ({commit[:7]}) to origin.\n"
        "Reused open pull request #7: https://github.com/acme/support-kb/pull/7\n"
    )
    post = api.requests[1]
    assert {
        k: post.headers[k]
        for k in ("accept", "authorization", "x-github-api-version", "content-type")
    } == {
        "accept": "application/vnd.github+json",
        "authorization": "Bearer ghp_test",
        "x-github-api-version": "2022-11-28",
        "content-type": "application/json",
    }
    assert post.body == {
        "title": "Draft KB-0001: Printer shows offline after the spooler update",
        "head": BRANCH,
        "base": "main",
        "body": pull_request_body(kb, BRANCH),
    }
    assert [r.method for r in api.requests] == ["GET", "POST", "GET"]
    assert git_out(["rev-parse", f"origin/{BRANCH}"], kb.root) == commit


def test_gitlab_merge_request_is_opened_with_the_documented_request(
    team: Team, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_GITLAB", "glpat-test")
    kb = configure(team.engineer, "gitlab", api.url + "/api/v4", "support/kb")
    (kb.root / "site_config" / "kbgen.yml").write_text(
        f"review:\n  forge: gitlab\n  repository: support/kb\n  api_url: {api.url}/api/v4\n  token_env: KB_GITLAB\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.open(kb.root)
    commit_drafts(kb, [draft_change()])
    mrs = "/api/v4/projects/support%2Fkb/merge_requests"
    api.script = [
        (
            "GET",
            f"{mrs}?source_branch=kb%2FKB-0001-printer-offline&target_branch=main&state=opened",
            200,
            [],
        ),
        (
            "POST",
            mrs,
            201,
            {
                "id": 901,
                "iid": 3,
                "web_url": "https://gitlab.example/support/kb/-/merge_requests/3",
            },
        ),
    ]

    result = submit_cli(kb, "--json")

    assert json.loads(result.output)["pull_request"] == {
        "url": "https://gitlab.example/support/kb/-/merge_requests/3",
        "number": 3,
        "created": True,
    }
    post = api.requests[1]
    assert post.headers["private-token"] == "glpat-test"
    assert "authorization" not in post.headers
    assert post.body == {
        "source_branch": BRANCH,
        "target_branch": "main",
        "title": "Draft KB-0001: Printer shows offline after the spooler update",
        "description": pull_request_body(kb, BRANCH),
    }


def test_a_refusal_from_the_forge_is_reported_and_the_branch_stays_pushed(
    team: Team, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "bad")
    kb = configure(team.engineer, "github", api.url, "acme/support-kb")
    commit_drafts(kb, [draft_change()])
    api.script = [
        (
            "GET",
            f"/repos/acme/support-kb/pulls?head=acme%3A{BRANCH.replace('/', '%2F')}&base=main&state=open",
            401,
            {"message": "Bad credentials", "status": "401"},
        )
    ]

    result = submit_cli(kb)

    assert (result.exit_code, result.output) == (
        1,
        "Error: GitHub refused to list pull requests of acme/support-kb (HTTP 401: Bad credentials). "
        f"{BRANCH} is pushed to origin and intact; run 'kbgen review submit {BRANCH}' again to open the pull request\n",
    )
    assert "bad" not in result.output.replace("Bad", "")  # the token is never printed


def test_an_unreachable_forge_leaves_everything_intact(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    kb = configure(team.engineer, "github", "http://127.0.0.1:9", "acme/support-kb")
    commit_drafts(kb, [draft_change()])
    local = git_out(["rev-parse", BRANCH], kb.root)

    result = submit_cli(kb)

    assert (result.exit_code, result.output) == (
        1,
        "Error: could not reach http://127.0.0.1:9/repos/acme/support-kb/pulls?head=acme%3Akb%2FKB-0001-printer-offline"
        "&base=main&state=open: [Errno 111] Connection refused. "
        f"{BRANCH} is pushed to origin and intact; run 'kbgen review submit {BRANCH}' again to open the pull request\n",
    )
    assert git_out(["rev-parse", BRANCH], kb.root) == local


def test_a_missing_token_fails_before_anything_is_pushed(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    kb = configure(team.engineer, "github", "http://127.0.0.1:9", "acme/support-kb")
    commit_drafts(kb, [draft_change()])

    result = submit_cli(kb)

    assert (result.exit_code, result.output) == (
        1,
        "Error: no github token: set the GITHUB_TOKEN environment variable (review.token_env)\n",
    )
    assert git_out(["branch", "-r", "--list", "origin/kb/*"], kb.root) == ""


def test_submit_without_a_remote_says_how_to_add_one(kb: KnowledgeBase) -> None:
    commit_drafts(kb, [draft_change()])
    result = submit_cli(kb)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: no git remote named 'origin' in {kb.root}; add one (git remote add origin URL) "
        "or set review.remote in site_config/kbgen.yml\n",
    )


def test_the_fake_forge_records_calls_and_reuses_pull_requests(team: Team) -> None:
    kb = team.engineer
    commit_drafts(kb, [draft_change()])
    forge = FakeForge()

    first = submit(kb, BRANCH, forge=forge)
    second = submit(kb, BRANCH, forge=forge)

    assert [(r.forge, r.pull_request) for r in (first, second)] == [
        ("fake", forge.opened[BRANCH]),
        ("fake", type(forge.opened[BRANCH])("https://forge.invalid/pull/1", 1, created=False)),
    ]
    assert [(c["branch"], c["base"], c["title"]) for c in forge.calls] == [
        (BRANCH, "main", "Draft KB-0001: Printer shows offline after the spooler update")
    ] * 2
    with pytest.raises(ForgeError):
        submit(kb, BRANCH, forge=FakeForge(fail_with="offline"))


def test_the_body_carries_the_evidence_the_draft_and_the_checklist(team: Team) -> None:
    kb = team.engineer
    change = draft_change()
    change.files["content/review-notes/KB-0001.yml"] = (
        b"id: KB-0001\nsources:\n- ticket: LUCENE-1\n  source: jira-json\nredactions:\n  email: 2\n"
    )
    commit_drafts(kb, [change])

    body = pull_request_body(kb, BRANCH)

    draft = change.files["content/articles/kb-0001-printer-offline.md"].decode()
    assert body == (
        "Drafted by kbgen from resolved tickets. `kbgen check --base main` must pass; a reviewer "
        "approves with `kbgen review approve kb/KB-0001-printer-offline --reviewer NAME`, which "
        "publishes what was checked and merges it.\n\n"
        "## KB-0001: Printer shows offline after the spooler update\n\n"
        "Draft: `content/articles/kb-0001-printer-offline.md`\n\n"
        "### Ticket evidence (redacted)\n\n"
        "```yaml\nid: KB-0001\nsources:\n- ticket: LUCENE-1\n  source: jira-json\nredactions:\n  email: 2\n```\n\n"
        "<details><summary>Draft as written</summary>\n\n"
        f"```markdown\n{draft.rstrip()}\n```\n\n</details>\n\n"
        "## KCS content checklist\n\n" + checklist_markdown() + "\n"
    )


def test_the_pull_request_template_carries_the_same_checklist() -> None:
    template = (SCAFFOLD / "dot-github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert [
        line[6:] for line in template.splitlines() if line.startswith("- [ ] ")
    ] == KCS_CHECKLIST
