"""Format registry (pluggy), detection, MemorySource, the TicketStream contract, and `kbgen sources`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import SourceError
from kbgen.hookspecs import hookimpl
from kbgen.models import Ticket
from kbgen.plugins import pm
from kbgen.sources import (
    MemorySource,
    Source,
    TicketStream,
    available_formats,
    get_source,
    read_tickets,
)

BUILT_IN = [
    "jira-json",
    "servicenow-json",
    "github-json",
    "discourse-json",
    "stackexchange",
    "freshdesk-json",
    "zendesk-json",
    "jira-csv",
    "servicenow-csv",
    "threads-csv",
    "mapping",
]


def test_built_in_formats_come_from_the_hook() -> None:
    assert available_formats() == BUILT_IN
    for name in BUILT_IN:
        assert get_source(name).name == name


def test_a_plugin_source_is_detected_and_read(tmp_path: Path) -> None:
    class TodoSource(Source):
        name = "todo-txt"
        description = "one ticket per line of a todo.txt file"

        @classmethod
        def sniff(cls, path: Path, head: bytes) -> bool:
            return path.name == "todo.txt"

        def read(self, path: Path) -> Iterator[Ticket]:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                yield Ticket(id=str(number), source=self.name, title=line)

    class Plugin:
        @hookimpl
        def register_sources(self) -> list[Any]:
            return [TodoSource]

    plugin = Plugin()
    pm.register(plugin, "todo-plugin")
    try:
        assert available_formats()[-1] == "todo-txt"  # built-ins first, then plugins
        path = tmp_path / "todo.txt"
        path.write_text("Fix the printer\nRenew the cert\n", encoding="utf-8")
        stream = read_tickets(path)
        assert [t.title for t in stream] == ["Fix the printer", "Renew the cert"]
        assert (stream.report.format, stream.report.tickets_read) == ("todo-txt", 2)
    finally:
        pm.unregister(plugin)
    assert "todo-txt" not in available_formats()


def test_memory_source_and_single_pass_stream(tmp_path: Path) -> None:
    tickets = [
        Ticket(id="1", source="memory", title="One"),
        Ticket(id="2", source="memory", title="Two"),
    ]
    stream = TicketStream(MemorySource(tickets), tmp_path)
    assert list(stream) == tickets
    assert stream.report.tickets_read == 2 and stream.report.format == "memory"
    with pytest.raises(RuntimeError, match="can be iterated only once"):
        list(stream)


def test_report_to_json_shape(fixtures: Path, read_all: Any) -> None:
    _, report = read_all(fixtures / "zendesk" / "tickets.json")
    assert report.to_json() == {
        "path": str(fixtures / "zendesk" / "tickets.json"),
        "format": "zendesk-json",
        "tickets_read": 2,
        "private_dropped": 1,
        "unknown_visibility": 1,
        "bad_records": [],
        "skipped": [],
        "notes": [],
        "detected": {},
        "records_read": 2,
    }


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        read_tickets(tmp_path / "nope.json")
    assert info.value.message == f"{tmp_path / 'nope.json'}: no such file or folder"


def test_cli_list() -> None:
    result = CliRunner().invoke(cli, ["sources", "list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == BUILT_IN
    assert result.output.splitlines()[0] == (
        "jira-json        Jira REST v2/v3 JSON: search response, one issue, a folder of issues, or JSON Lines"
    )


def test_cli_check_text_and_json(fixtures: Path) -> None:
    path = fixtures / "servicenow" / "table_api.json"
    result = CliRunner().invoke(cli, ["sources", "check", str(path)])
    assert (result.exit_code, result.output) == (
        0,
        f"{path}: 2 tickets read as servicenow-json\n"
        "internal comments dropped: 3\n"
        "comments of unknown visibility dropped: 0\n",
    )
    result = CliRunner().invoke(cli, ["sources", "check", str(path), "--json"])
    assert result.exit_code == 0
    assert result.output == (
        "{\n"
        f'  "path": "{path}",\n'
        '  "format": "servicenow-json",\n'
        '  "tickets_read": 2,\n'
        '  "private_dropped": 3,\n'
        '  "unknown_visibility": 0,\n'
        '  "bad_records": [],\n'
        '  "skipped": [],\n'
        '  "notes": [],\n'
        '  "detected": {},\n'
        '  "records_read": 2\n'
        "}\n"
    )


def test_cli_check_sgcc_lists_bad_records(datasets: Path, sgcc_mapping: Path) -> None:
    path = datasets / "sgcc_ict_fault_incidents_zh.csv"
    result = CliRunner().invoke(
        cli, ["sources", "check", str(path), "--mapping", str(sgcc_mapping), "--skip-bad-records"]
    )
    assert (result.exit_code, result.output) == (
        0,
        f"{path}: 1021 tickets read as mapping:sgcc\n"
        "internal comments dropped: 0\n"
        "comments of unknown visibility dropped: 0\n"
        "bad records skipped: 2\n"
        "  line 1016 (id SGCC-936), field '是否工作日': value '34.9999999988358' does not match the mapping check '(|0|是|否)' (a column-shifted row?)\n"
        "  line 1017 (id SGCC-937), field '是否工作日': value '34.9999999988358' does not match the mapping check '(|0|是|否)' (a column-shifted row?)\n"
        "note: this export has no resolution-status field: drafting counts a ticket as resolved only by a closed status or a resolved time\n",
    )


def test_repeated_ticket_ids_are_read_once(tmp_path: Path) -> None:
    tickets = [
        Ticket(id=i, source="memory", title=f"T{n}") for n, i in enumerate(["1", "2", "1", "1"])
    ]
    stream = TicketStream(MemorySource(tickets), tmp_path)
    assert [t.title for t in stream] == ["T0", "T1"]
    assert stream.report.tickets_read == 2
    assert stream.report.notes == ["2 repeated ticket ids skipped (the first occurrence was kept)"]
