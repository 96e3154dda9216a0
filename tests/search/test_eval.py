"""`kbgen search eval`: each published article's own tickets must find it; fails below the floor."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase
from kbgen.models import Article, Ticket
from kbgen.search.findability import first_sentence, resolution_text
from kbgen.sources import TicketStore

from .conftest import WriteArticle


def record(kb: KnowledgeBase, ticket_id: str, title: str, problem: str, article: str) -> None:
    kb.state_dir.mkdir(parents=True, exist_ok=True)
    with TicketStore(kb.ticket_store_path) as store:
        store.record(
            Ticket(id=ticket_id, source="jira", title=title, problem=problem),
            outcome="drafted",
            article_id=article,
            reason=None,
            similarity=None,
            title=title,
            problem=problem,
        )


@pytest.fixture
def sample(kb: KnowledgeBase, write: WriteArticle) -> KnowledgeBase:
    write(
        "KB-0001",
        "Printer shows offline after Windows update",
        "## Issue\n\nThe office printer is offline.\n\n## Resolution\n\n"
        "Restart the print spooler service on the print server. Then print a test page.",
        tickets=["IT-1"],
    )
    write(
        "KB-0002",
        "VPN drops every 10 minutes",
        "## Issue\n\nAnyConnect drops.\n\n## Resolution\n\nUntick Enable DTLS in the profile.",
        tickets=["IT-2"],
    )
    write(
        "KB-0003",
        "打印机无法打印，队列卡住",
        "## 问题现象\n\n队列卡住。\n\n## 处理过程\n\n重启打印后台处理程序服务，清空打印队列。",
        tickets=["IT-3"],
        language="zh",
    )
    write("KB-0004", "Draft about kerberos", "## Issue\n\nx\n\n## Resolution\n\ny", status="draft",
          tickets=["IT-4"])  # fmt: skip
    record(
        kb,
        "IT-1",
        "printer offline since update",
        "Hi. The printer in room 4 shows offline.",
        "KB-0001",
    )
    record(
        kb,
        "IT-2",
        "vpn keeps disconnecting",
        "AnyConnect disconnects every ten minutes.",
        "KB-0002",
    )
    record(kb, "IT-3", "打印队列卡住", "您好！打印机队列卡住了，无法打印文件。", "KB-0003")
    record(kb, "IT-4", "kerberos ticket expired", "Kerberos says the ticket expired.", "KB-0004")
    record(kb, "IT-9", "mouse broken", "The mouse does not move at all.", "")
    return kb


def run(kb: KnowledgeBase, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", "eval", "--kb", str(kb.root), *args])
    return result.exit_code, result.output


def test_eval_reports_top1_and_top3_by_query_kind(sample: KnowledgeBase) -> None:
    code, output = run(sample)
    assert code == 0, output
    assert output == (
        "9 queries: top-1 100.0%, top-3 100.0% (floors: top-1 0%, top-3 80%)\n"
        "  by title: 3 queries, top-1 100.0%, top-3 100.0%\n"
        "  by problem: 3 queries, top-1 100.0%, top-3 100.0%\n"
        "  by resolution: 3 queries, top-1 100.0%, top-3 100.0%\n"
    )
    code, output = run(sample, "--json")
    report = json.loads(output)
    assert (report["queries"], report["top1"], report["top3"], report["passed"]) == (
        9,
        1.0,
        1.0,
        True,
    )
    assert report["misses"] == []


def test_eval_fails_below_the_configured_floor(sample: KnowledgeBase, write: WriteArticle) -> None:
    # A published article whose ticket's words are elsewhere: the title now finds KB-0001.
    write("KB-0005", "Spooler settings", "## Issue\n\nx\n\n## Resolution\n\nNothing about it.",
          tickets=["IT-5"])  # fmt: skip
    record(sample, "IT-5", "printer offline since update", "The printer shows offline.", "KB-0005")
    config = sample.site_config_dir / "kbgen.yml"
    config.write_text(config.read_text() + "  eval_floor_top3: 0.95\n")
    code, output = run(sample)
    assert code == 1
    lines = output.splitlines()
    assert lines[0] == "12 queries: top-1 83.3%, top-3 83.3% (floors: top-1 0%, top-3 95%)"
    assert "  missed KB-0005 by title: 'printer offline since update' -> KB-0001" in lines
    assert lines[-1] == (
        "Error: findability is below the floor set in site_config/kbgen.yml "
        "(search.eval_floor_top3, search.eval_floor_top1); improve the missed articles' "
        "titles and summaries"
    )


def test_eval_needs_the_ticket_store(kb: KnowledgeBase, write: WriteArticle) -> None:
    write("KB-0001", "Printer offline", tickets=["IT-1"])
    code, output = run(kb)
    assert code == 1
    assert output == (
        "Error: no ticket store at .kbgen/tickets.sqlite: findability needs the tickets capture "
        "recorded. Run kbgen capture on your exports first (in CI, restore "
        ".kbgen/tickets.sqlite from a cache)\n"
    )
    record(kb, "IT-7", "unrelated", "Nothing links here.", "")
    code, output = run(kb)
    assert code == 1
    assert output.startswith("Error: nothing to evaluate: no published article lists a ticket")


def test_first_sentence_skips_a_bare_greeting() -> None:
    assert first_sentence("Hi. The printer in room 4 shows offline. It did yesterday.") == (
        "Hi. The printer in room 4 shows offline."
    )
    assert first_sentence("您好！打印机队列卡住了，无法打印文件。还有别的。") == (
        "您好！打印机队列卡住了，无法打印文件。"
    )
    assert len(first_sentence("word " * 500)) == 200


def test_resolution_text_follows_the_article_type() -> None:
    article = Article(
        meta={"type": "known_error"},
        body="## Symptoms\n\nx\n\n## Cause\n\ny\n\n## Workaround\n\nUse\\_the *old* client.\n\n"
        '!!! warning "Workaround needed"\n\n## Notes\n\nz',
    )
    assert resolution_text(article).strip() == "Use_the *old* client."
