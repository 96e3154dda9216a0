"""``kbgen serve`` and the ``kbgen stats`` group: thin commands over kbgen.stats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kbgen.cli_options import echo_json, json_option, kb_option
from kbgen.hookspecs import hookimpl


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site to serve (default: <kb>/site).",
)
@kb_option
def serve(host: str, port: int, site_dir: Path | None, kb_dir: Path) -> None:
    """Serve the built site and the usage collector until Ctrl-C.

    The site's pages send views, "was this helpful?" votes and searches to
    POST /api/events on the same port; GET /api/search?q= answers searches.
    No IP address or user agent is stored or logged.

    \b
    Example:
        kbgen build && kbgen serve --port 8080
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.stats.server import serve_site

    kb = KnowledgeBase.open(kb_dir)
    serve_site(kb, host=host, port=port, site_dir=site_dir, echo=click.echo)


@click.group()
def stats() -> None:
    """Usage statistics: reports, access-log import and retention.

    \b
    Example:
        kbgen stats report --since 2026-11-01
        kbgen stats import-log /var/log/nginx/access.log*
    """


@stats.command()
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day to include (YYYY-MM-DD)."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (formula-safe for spreadsheets).")
@kb_option
@json_option
def report(since: dt.datetime | None, as_csv: bool, kb_dir: Path, as_json: bool) -> None:
    """Report views per article and over time, votes, searches and categories.

    \b
    Example:
        kbgen stats report
        kbgen stats report --since 2026-11-01 --json
        kbgen stats report --csv > usage.csv
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.stats.summary import report as build_report
    from kbgen.stats.summary import report_csv, report_lines

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    kb = KnowledgeBase.open(kb_dir)
    data = build_report(kb, since=since.date() if since else None)
    if as_json:
        echo_json(data)
    elif as_csv:
        click.echo(report_csv(data), nl=False)
    else:
        for line in report_lines(data):
            click.echo(line)


@stats.command("import-log")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site whose pages count (default: <kb>/site).",
)
@kb_option
@json_option
def import_log(files: tuple[Path, ...], site_dir: Path | None, kb_dir: Path, as_json: bool) -> None:
    """Count page views from nginx or Apache combined-format logs (gzip too).

    Bots, assets and other non-article requests are skipped. A log already
    imported counts nothing twice (also when renamed or gzipped), and an
    interrupted import resumes where it stopped.

    \b
    Example:
        kbgen stats import-log /var/log/nginx/access.log /var/log/nginx/access.log.2.gz
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.stats.events import PageIndex
    from kbgen.stats.logimport import import_log as import_one
    from kbgen.stats.store import open_store

    kb = KnowledgeBase.open(kb_dir)
    pages = PageIndex(site_dir or kb.site_dir)
    results = []
    with kb.lock("kbgen stats import-log"), open_store(kb) as store:
        for path in files:
            results.append(import_one(store, path, pages))
    total = sum(r.views for r in results)
    if as_json:
        echo_json({"files": [r.to_json() for r in results], "views": total})
        return
    for result in results:
        click.echo(result.summary())
    click.echo(
        f"Imported {total} views from {len(results)} file{'s' if len(results) != 1 else ''}."
    )


@stats.command()
@kb_option
@json_option
def prune(kb_dir: Path, as_json: bool) -> None:
    """Delete usage older than stats.retention_days, and past days' visitor hashes.

    \b
    Example:
        kbgen stats prune
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.stats.privacy import today
    from kbgen.stats.store import open_store

    kb = KnowledgeBase.open(kb_dir)
    days = kb.config.stats.retention_days
    now = today()
    keep_from = (dt.date.fromisoformat(now) - dt.timedelta(days=days)).isoformat()
    with open_store(kb) as store:
        removed = store.prune(keep_from, now)
    if as_json:
        echo_json({"kept_from": keep_from, "retention_days": days, "removed": removed})
        return
    aggregates = sum(n for t, n in removed.items() if t not in ("daily_visitors", "vote_guard"))
    hashes = removed["daily_visitors"] + removed["vote_guard"]
    click.echo(
        f"Removed {aggregates} rows from before {keep_from} (stats.retention_days = {days})."
    )
    click.echo(f"Removed {hashes} visitor hashes from before {now}.")


@stats.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("stats-dashboard"),
    show_default=True,
    help="Directory for index.html and the SVG charts.",
)
@kb_option
def dashboard(out: Path, kb_dir: Path) -> None:
    """Write the usage dashboard (SVG charts) as a standalone page.

    \b
    Example:
        kbgen stats dashboard --out /tmp/dashboard
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.stats.dashboard import write_dashboard

    kb = KnowledgeBase.open(kb_dir)
    written = write_dashboard(kb, out)
    click.echo(f"Wrote {written[0]} and {len(written) - 1} charts.")


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(stats)
