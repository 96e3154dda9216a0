"""No internal-note text from any source reaches a Ticket, the read report, the ticket store or a log.

The Mendeley sample is a ready corpus: 8,707 utterances are marked is_private=1.0.
Every private sentence longer than 25 characters that does not also occur in a
public row must be absent from everything the sources produce.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from kbgen.models import Ticket
from kbgen.sources import ReadReport
from kbgen.sources.store import TicketStore


def everything(tickets: list[Ticket], report: ReadReport) -> str:
    """All text the sources hand on, with Markdown escapes removed so matches are not missed."""
    dumped = json.dumps(
        [vars(t) for t in tickets],
        default=lambda o: vars(o) if hasattr(o, "__dict__") else str(o),
        ensure_ascii=False,
    )
    dumped += json.dumps(report.to_json(), ensure_ascii=False)
    return (dumped + "\n" + dumped.replace("\\", "")).lower()


def private_corpus(path: Path) -> set[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    public = {r["actionbody"].strip().lower() for r in rows if r["is_private"] == "0.0"}
    public_text = "\n".join(public)
    return {
        body
        for r in rows
        if r["is_private"] == "1.0"
        and len(body := r["actionbody"].strip().lower()) > 25
        and body not in public
        and body not in public_text
    }


@pytest.mark.slow
def test_mendeley_private_sentences_never_leave_the_source(
    datasets: Path, read_all: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = datasets / "mendeley_helpdesk_sample_utterances.csv"
    corpus = private_corpus(path)
    assert len(corpus) > 1000  # a real corpus, not a handful
    caplog.set_level(logging.DEBUG)
    tickets, report = read_all(path)
    haystack = everything(tickets, report) + caplog.text.lower()
    leaked = sorted(s for s in corpus if s in haystack)
    assert leaked == []
    # The ticket store gets redacted title/problem from drafting; here the raw ones, worst case.
    db = tmp_path / "tickets.sqlite"
    with TicketStore(db) as store:
        for t in tickets:
            store.record(
                t,
                outcome="skipped",
                article_id=None,
                reason="test",
                similarity=None,
                title=t.title,
                problem=t.problem,
            )
    stored = (
        b"".join(p.read_bytes() for p in tmp_path.glob("tickets.sqlite*"))
        .decode("utf-8", "ignore")
        .lower()
    )
    assert sorted(s for s in corpus if s in stored) == []


# One private string per source and marker, from the hand-written fixtures.
PRIVATE_IN_FIXTURES = {
    "jira/v3_adf_search.json": [
        "admin password for the vpn appliance",
        "customer is on the watch list",
    ],
    "jira/export.csv": ["mfa was reset by hand", "asked user to clear cached credentials"],
    "servicenow/table_api.json": [
        "legacy server mbx-07",
        "summer2024",
        "escalated internally",
        "asset tag 4471",
    ],
    "zendesk/tickets.json": [
        "caller sounded drunk",
        "203.0.113.7",
        "oslo, norway",
        "visibility unknown",
    ],
    "zendesk/incremental.jsonl": ["user is the cfo"],
}


@pytest.mark.parametrize("name", sorted(PRIVATE_IN_FIXTURES))
def test_fixture_internal_notes_never_leave_the_source(
    fixtures: Path, read_all: Any, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    tickets, report = read_all(fixtures / name)
    assert tickets
    assert report.private_dropped + report.unknown_visibility > 0
    haystack = everything(tickets, report) + caplog.text.lower()
    for secret in PRIVATE_IN_FIXTURES[name]:
        assert secret in (fixtures / name).read_text(encoding="utf-8").lower()  # the fixture has it
        assert secret not in haystack, f"{name}: internal text {secret!r} leaked"


@pytest.mark.slow
def test_no_internal_text_in_drafts_review_notes_store_or_output(
    datasets: Path, fixtures: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """End to end through the real `kbgen capture`: every file it writes, and what it prints."""
    from click.testing import CliRunner

    from kbgen.cli import cli
    from kbgen.kb import init_kb

    kb = init_kb(tmp_path / "kb")
    config = kb.root / "site_config" / "kbgen.yml"
    # Draft every thread ticket, resolved or not, so the most text possible reaches drafts.
    config.write_text("capture:\n  require_positive_resolution: false\n", encoding="utf-8")
    mendeley = datasets / "mendeley_helpdesk_sample_utterances.csv"
    exports = [mendeley, *(fixtures / name for name in sorted(PRIVATE_IN_FIXTURES))]
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["capture", *map(str, exports), "--no-branch", "--json", "--kb", str(kb.root)]
    )
    assert result.exit_code == 0, result.output
    assert '"created"' in result.output  # drafts were written: the check below is not vacuous
    written = [
        p for p in kb.root.rglob("*") if p.is_file() and ".git" not in p.relative_to(kb.root).parts
    ]
    assert any(p.suffix == ".md" and "articles" in p.parts for p in written)
    text = "\n".join(p.read_bytes().decode("utf-8", "ignore") for p in written)
    haystack = (text + result.output + caplog.text).lower()
    haystack += "\n" + haystack.replace("\\", "")
    leaked = sorted(s for s in private_corpus(mendeley) if s in haystack)
    assert leaked == []
    for name, secrets in PRIVATE_IN_FIXTURES.items():
        for secret in secrets:
            assert secret not in haystack, f"{name}: internal text {secret!r} leaked"
