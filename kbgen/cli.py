"""The ``kbgen`` command line: thin commands over the library.

Each command parses its options, calls one library function and prints the
result. Errors are :class:`kbgen.exceptions.KbgenError` (a ClickException), so
they print ``Error: ...`` and exit 1 without a traceback. Command groups for
review, stats and the loop are registered by their own packages through the
``register_commands`` hook (see ``kbgen/plugins.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kbgen.cli_options import echo_json, json_option, kb_option, reader_options, strict_options
from kbgen.plugins import plugin_manager


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kbgen")
def cli() -> None:
    """kbgen: turn resolved support tickets into a reviewed, searchable knowledge base.

    \b
    Example:
        kbgen init my-kb && cd my-kb
        kbgen capture tickets.json
        kbgen review approve --all --reviewer "Ana Reviewer"
        kbgen build && kbgen search "lock files"
    """


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new knowledge-base repository in DIRECTORY.

    Runs git init on branch main and writes mkdocs.yml (Material, search, tags
    and the kbgen plugin), the article schema, templates, CI workflows and a
    .gitignore, then commits them.

    \b
    Example:
        kbgen init support-kb
    """
    from kbgen.kb import init_kb

    kb = init_kb(directory)
    click.echo(f"Created knowledge base in {kb.root}")
    click.echo(f"Next: cd {directory} && kbgen capture TICKETS.json")


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@reader_options
@strict_options
@click.option("--jql", help="jira:PROJECT pulls: the JQL to pull (without ORDER BY).")
@click.option(
    "--query",
    help="servicenow:TABLE pulls: the encoded query (default stateIN6,7); "
    "github:OWNER/REPO pulls: the issue state (default closed).",
)
@click.option("--since", help="Pulls: where a first pull starts, as an ISO date (default: all).")
@click.option("--restart", is_flag=True, help="Pulls: drop an unfinished pull and start afresh.")
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="Pulls: records per request.",
)
@click.option(
    "--branch/--no-branch",
    default=None,
    help="Put each draft on its own kb/<id>-<slug> branch (default: on when the KB has a remote).",
)
@click.option("--batch-branch", metavar="NAME", help="Put the whole capture on one branch NAME.")
@kb_option
@json_option
def capture(
    sources: tuple[str, ...],
    fmt: str,
    mapping: Path | None,
    encoding: str | None,
    skip_bad_records: bool,
    strict: bool,
    delimiter: str | None,
    jql: str | None,
    query: str | None,
    since: str | None,
    restart: bool,
    page_size: int,
    branch: bool | None,
    batch_branch: str | None,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """Draft articles from resolved tickets in SOURCES (export files, or one live pull).

    Private notes are dropped, personal data and secrets are redacted, and a
    ticket that an existing article already answers is linked to it instead of
    drafted again. Re-running on the same export changes nothing.

    A source VENDOR:TARGET pulls live from the helpdesk's API (tokens from the
    environment, see docs/sources/pull.md): jira:PROJECT, servicenow:TABLE,
    zendesk:, github:OWNER/REPO. Pulls are incremental (the high-water mark is
    kept in .kbgen/pulls/) and a pull that fails midway resumes at its last page.

    \b
    Example:
        kbgen capture jira-export.json
        kbgen capture incidents.csv --mapping site_config/sources/sgcc.yml --json
        KBGEN_JIRA_URL=https://jira.example.org KBGEN_JIRA_TOKEN=... \\
            kbgen capture jira:HD --jql "project = HD AND statusCategory = Done"
    """
    from kbgen.drafting import CaptureOptions, capture_pull, capture_tickets
    from kbgen.kb import KnowledgeBase
    from kbgen.sources.pull import PullSpec, parse_pull_spec

    pulls = [parse_pull_spec(s) for s in sources if not Path(s).exists()]
    if any(p is None for p in pulls):
        missing = next(s for s in sources if not Path(s).exists() and parse_pull_spec(s) is None)
        raise click.BadParameter(f"no such file or folder: {missing}", param_hint="SOURCES")
    if pulls and len(sources) > 1:
        raise click.UsageError(
            "a live pull (VENDOR:TARGET) is captured on its own; give one source"
        )
    if not pulls and (jql or query or since or restart):
        raise click.UsageError("--jql, --query, --since and --restart apply to live pulls only")
    kb = KnowledgeBase.open(kb_dir)
    options = CaptureOptions(
        format=fmt,
        mapping=mapping,
        encoding=encoding,
        skip_bad_records=skip_bad_records,
        branch=branch,
        batch_branch=batch_branch,
        show_progress=not as_json and sys.stderr.isatty(),
        strict=strict,
        delimiter=delimiter,
    )
    if not pulls:
        report = capture_tickets(kb, [Path(s) for s in sources], options)
    else:
        vendor, target = pulls[0] or ("", "")
        spec = PullSpec(vendor, target, query=(jql or query or ""), since=since or "",
                        page_size=page_size, restart=restart)  # fmt: skip
        report = capture_pull(kb, spec, options)
    if as_json:
        echo_json(report.to_json())
    else:
        for line in report.summary_lines():
            click.echo(line)


@cli.command()
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (default: <kb>/site).",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Fail on broken links and warnings.",
)
@click.option(
    "--strict-leaks",
    is_flag=True,
    help="Fail instead of withholding an article that a leak or markup of its own keeps back (CI).",
)
@kb_option
@json_option
def build(
    site_dir: Path | None, strict: bool, strict_leaks: bool, kb_dir: Path, as_json: bool
) -> None:
    """Build the published site: stage, render with MkDocs, sanitise, leak-scan, swap in.

    Only published (and needs_update) articles appear, as their approval
    recorded them. An article with a leak, or with markup of its own, is
    withheld and named; the rest is published. The site is built in .kbgen/build
    and swapped in only when everything passed, so a failed build never breaks
    the served site.

    \b
    Example:
        kbgen build --site-dir public
        kbgen build --strict-leaks
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.site import build_site

    kb = KnowledgeBase.open(kb_dir)
    result = build_site(kb, site_dir=site_dir, strict=strict, strict_leaks=strict_leaks)
    if as_json:
        echo_json(result.to_json())
    else:
        for line in result.summary_lines():
            click.echo(line)


class _QueryByDefault(click.Group):
    """``kbgen search WORDS`` runs ``kbgen search query WORDS``: a first word that is not a
    subcommand (``eval``) starts the query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_QueryByDefault, subcommand_metavar="[query] WORDS | eval")
def search() -> None:
    """Search the published articles (English and Chinese), or check findability.

    Identifiers, error codes, versions and paths are found whole and in parts
    (StringIndexOutOfBoundsException finds java.lang.StringIndexOutOfBoundsException);
    docs/search.md has the rules. To search for the word "eval", use kbgen search query eval.

    \b
    Example:
        kbgen search "lock files"
        kbgen search 0x80070005 --json
        kbgen search eval
    """


@search.command("query")
@click.argument("words")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@kb_option
@json_option
def search_query(words: str, limit: int, kb_dir: Path, as_json: bool) -> None:
    """Print the best matching public articles for WORDS (the default subcommand).

    --json prints [{"id", "title", "path", "url", "score"}], best first.

    \b
    Example:
        kbgen search StringIndexOutOfBoundsException
        kbgen search 打印机 --json
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.search import search_articles

    kb = KnowledgeBase.open(kb_dir)
    hits = search_articles(kb, words, limit=limit)
    if as_json:
        echo_json(
            [
                {
                    "id": h.id,
                    "title": h.title,
                    "path": h.path,
                    "url": h.url,
                    "score": round(h.score, 4),
                }
                for h in hits
            ]
        )
        return
    if not hits:
        click.echo(f"No published article matches '{words}'.")
        return
    for hit in hits:
        click.echo(f"{hit.id}  {hit.title}  ({hit.path})")


@search.command("eval")
@kb_option
@json_option
def search_eval(kb_dir: Path, as_json: bool) -> None:
    """Check that each published article's own tickets find it (findability, for CI).

    Searches with each ticket's title and the first sentence of its problem
    (from the ticket store, .kbgen/tickets.sqlite, which capture fills) and
    with the first sentence of the article's resolution section, then reports
    how often the article is the first result and among the first three.
    Exits 1 below search.eval_floor_top3 (or search.eval_floor_top1).

    \b
    Example:
        kbgen search eval
        kbgen search eval --json > findability.json
    """
    from kbgen.exceptions import SearchError
    from kbgen.kb import KnowledgeBase
    from kbgen.progress import progress
    from kbgen.search import evaluate_findability
    from kbgen.sources import TicketStore

    kb = KnowledgeBase.open(kb_dir)
    if not kb.ticket_store_path.is_file():
        raise SearchError(
            f"no ticket store at {kb.relpath(kb.ticket_store_path)}: findability needs the "
            "tickets capture recorded. Run kbgen capture on your exports first "
            "(in CI, restore .kbgen/tickets.sqlite from a cache)"
        )
    with TicketStore(kb.ticket_store_path) as store:
        bar = not as_json and sys.stderr.isatty()
        report = evaluate_findability(
            kb,
            list(store.iter_tickets()),
            progress=lambda queries: progress(
                queries, "Searching", total=len(queries), enabled=bar
            ),
        )
    if not report.total:
        raise SearchError(
            "nothing to evaluate: no published article lists a ticket that the ticket store "
            "holds (tickets: in the front-matter). Capture the tickets the articles came from"
        )
    if as_json:
        echo_json(report.to_json())
    else:
        for line in report.summary_lines():
            click.echo(line)
    if not report.passed:
        raise SearchError(
            "findability is below the floor set in site_config/kbgen.yml (search.eval_floor_top3,"
            " search.eval_floor_top1); improve the missed articles' titles and summaries"
        )


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-kb"),
    show_default=True,
)
@click.option(
    "--serve/--no-serve",
    default=True,
    show_default=True,
    help="Serve the site on 127.0.0.1 until Ctrl-C.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def demo(directory: Path, serve: bool, port: int) -> None:
    """Build a throwaway KB from the bundled sample tickets and serve it.

    Captures every sample export onto review branches, approves and merges
    each draft in git, builds the site and serves it with the usage collector.
    Usage numbers start empty and come only from your own clicks.

    \b
    Example:
        kbgen demo --no-serve --dir /tmp/kb
    """
    from kbgen.demo import run_demo

    run_demo(directory, serve=serve, port=port, echo=click.echo)


plugin_manager().hook.register_commands(cli=cli)


def main() -> None:
    cli()
