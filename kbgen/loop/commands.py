"""``kbgen gaps``, ``kbgen kpis`` and ``kbgen propose``: thin commands over kbgen.loop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from kbgen.cli_options import echo_json, json_option, kb_option, reader_options
from kbgen.hookspecs import hookimpl

FROM_HELP = "Measure this export directly instead of the KB's ticket store."


def _source_options(fn: Any) -> Any:
    """``--from FILE`` and the reader options ``kbgen capture`` also takes."""
    fn = reader_options(fn)
    return click.option(
        "--from",
        "from_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help=FROM_HELP,
    )(fn)


def _evidence(
    kb_dir: Path,
    from_path: Path | None,
    fmt: str,
    mapping: Path | None,
    encoding: str | None,
    skip_bad_records: bool,
    since: dt.date | None = None,
) -> Any:
    from kbgen.kb import KnowledgeBase
    from kbgen.loop.evidence import gather, tickets_from_export

    kb = KnowledgeBase.open(kb_dir)
    if from_path is None:
        return kb, gather(kb, since=since)
    tickets = tickets_from_export(
        from_path,
        fmt=fmt,
        mapping=mapping,
        encoding=encoding,
        skip_bad_records=skip_bad_records,
        redaction=kb.config.redaction,
    )
    return kb, gather(kb, tickets=tickets, origin=str(from_path), since=since)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date; use YYYY-MM-DD, e.g. 2024-01-31"
        ) from None


def _search_score(kb: Any) -> Any:
    """Capture's own similarity scale for tickets it never saw (None without the search stage)."""
    try:
        from kbgen.search import find_similar
    except ModuleNotFoundError:
        return None

    def best(text: str) -> float:
        hits = find_similar(kb, text[:4000], limit=1)
        return float(hits[0].score) if hits else 0.0

    return best


@click.command()
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many gaps to show.",
)
@click.option(
    "--open",
    "open_work",
    is_flag=True,
    help="File the shown gaps as forge issues (or a backlog page) and capture uncovered problems.",
)
@_source_options
@kb_option
@json_option
def gaps(
    limit: int,
    open_work: bool,
    from_path: Path | None,
    fmt: str,
    mapping: Path | None,
    encoding: str | None,
    skip_bad_records: bool,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """List what to write or fix next, most demanded first, with the evidence.

    Failed searches, resolved tickets no article covers, unhelpful and stale
    articles, and likely duplicates, in one list ranked by demand. With
    --open, each shown gap becomes an issue on the forge in review.forge (or a
    row of content/review-notes/backlog.md when there is none), and the best
    ticket of each uncovered problem is captured onto a draft branch.

    \b
    Example:
        kbgen gaps --limit 10
        kbgen gaps --from incidents.csv --mapping site_config/sources/sgcc.yml --json
        kbgen gaps --open
    """
    from kbgen.loop.gaps import find_gaps, gap_lines
    from kbgen.loop.opening import open_gaps

    kb, evidence = _evidence(kb_dir, from_path, fmt, mapping, encoding, skip_bad_records)
    found = find_gaps(evidence, kb.config, best_article_score=_search_score(kb))
    shown = found[:limit]
    opened = None
    if open_work:
        opened = open_gaps(
            kb, shown, from_path=from_path, fmt=fmt, mapping=mapping, encoding=encoding
        )
    if as_json:
        data: dict[str, Any] = {
            "source": evidence.ticket_origin,
            "total": len(found),
            "gaps": [{"rank": rank, **gap.to_json()} for rank, gap in enumerate(shown, 1)],
        }
        if opened is not None:
            data["opened"] = opened.to_json()
        echo_json(data)
        return
    for line in gap_lines(shown, evidence):
        click.echo(line)
    if len(found) > len(shown):
        click.echo(f"({len(found) - len(shown)} more; use --limit to see them)")
    if opened is not None:
        for line in opened.summary_lines():
            click.echo(line)


@click.command()
@click.option(
    "--since",
    callback=_parse_date,
    metavar="DATE",
    help="Only tickets opened on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--by",
    type=click.Choice(["category", "month"]),
    help="Break the KPIs down by category or month opened.",
)
@click.option(
    "--page",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the KPI page with charts to this HTML file.",
)
@_source_options
@kb_option
@json_option
def kpis(
    since: dt.date | None,
    by: str | None,
    page: Path | None,
    from_path: Path | None,
    fmt: str,
    mapping: Path | None,
    encoding: str | None,
    skip_bad_records: bool,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """Compute the support KPIs: link rate, reuse, MTTR, FCR proxy, backlog age, self-service.

    Tickets come from the KB's ticket store (everything capture has read), or
    from one export with --from. A KPI whose fields the source lacks says so
    instead of guessing. docs/kpis.md defines each one.

    \b
    Example:
        kbgen kpis --by month
        kbgen kpis --from incident_event_log.csv --format servicenow-csv --json
        kbgen kpis --since 2024-01-01 --page site/kpis.html
    """
    from kbgen.kb import atomic_write
    from kbgen.loop.kpi_page import kpi_page_html
    from kbgen.loop.kpis import compute_kpis, kpi_lines

    _, evidence = _evidence(kb_dir, from_path, fmt, mapping, encoding, skip_bad_records, since)
    result = compute_kpis(evidence, since=since, by=by)
    if page is not None:
        atomic_write(page, kpi_page_html(result))
    if as_json:
        echo_json(result)
        return
    for line in kpi_lines(result):
        click.echo(line)
    if page is not None:
        click.echo(f"KPI page written to {page}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Show the proposals without creating branches.")
@kb_option
@json_option
def propose(dry_run: bool, kb_dir: Path, as_json: bool) -> None:
    """Propose updates to articles from the tickets linked to them (reuse is review).

    Linked tickets that bring something new go into a marked section on a
    kb/<id>-update-<date> branch with suggested_edit: true; the same branch may
    raise confidence to validated after enough reuse, or retire an article no
    one used. Review and merge it with kbgen check and kbgen review approve.

    \b
    Example:
        kbgen propose --dry-run
        kbgen propose && kbgen review approve kb/KB-0001-update-2026-11-25 --reviewer "Ana Reviewer"
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.loop.evidence import gather
    from kbgen.loop.proposals import proposal_lines, propose_updates

    kb = KnowledgeBase.open(kb_dir)
    proposals = propose_updates(kb, gather(kb), dry_run=dry_run)
    if as_json:
        echo_json([p.to_json() for p in proposals])
        return
    for line in proposal_lines(proposals):
        click.echo(line)


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(gaps)
    cli.add_command(kpis)
    cli.add_command(propose)
