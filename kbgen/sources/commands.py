"""``kbgen sources``: look at an export before capturing it (reads only, writes nothing)."""

from __future__ import annotations

from pathlib import Path

import click

from kbgen.cli_options import echo_json, json_option, reader_options, strict_options


@click.group("sources")
def sources_group() -> None:
    """Inspect ticket exports and the formats kbgen reads.

    \b
    Example:
        kbgen sources list
        kbgen sources check tickets.json --json
    """


@sources_group.command("list")
def list_formats() -> None:
    """List the formats --format accepts.

    \b
    Example:
        kbgen sources list
    """
    from kbgen.sources import available_formats, get_source

    for name in available_formats():
        click.echo(f"{name:16} {get_source(name).description}")


@sources_group.command("check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@reader_options
@strict_options
@json_option
def check(
    path: Path,
    fmt: str,
    mapping: Path | None,
    encoding: str | None,
    skip_bad_records: bool,
    strict: bool,
    delimiter: str | None,
    as_json: bool,
) -> None:
    """Read PATH as capture would and report what it holds, without drafting anything.

    Prints how many tickets were read, how many internal comments were dropped,
    and any bad records or notes. A file capture would refuse fails here too.

    \b
    Example:
        kbgen sources check jira-export.json
        kbgen sources check ict_fault.csv --mapping site_config/sources/sgcc.yml --skip-bad-records
    """
    from kbgen.sources import read_tickets

    stream = read_tickets(
        path,
        format=fmt,
        mapping=mapping,
        encoding=encoding,
        skip_bad_records=skip_bad_records,
        strict=strict,
        delimiter=delimiter,
    )
    for _ in stream:
        pass
    if as_json:
        echo_json(stream.report.to_json())
    else:
        for line in stream.report.summary_lines():
            click.echo(line)
