"""Each shipped example mapping reads its export: comment lists, joins, text formats, people, accepted answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbgen.exceptions import ConfigError
from kbgen.sources.mapping import load_mapping

SHIPPED = Path(__file__).resolve().parents[2] / "kbgen" / "scaffold" / "site_config" / "sources"


@pytest.fixture
def mapped(fixtures: Path) -> Path:
    return fixtures / "mapping"


def test_qa_one_array_joins_answers_and_takes_the_accepted_one(mapped: Path, read_all: Any) -> None:
    tickets, report = read_all(mapped / "qa-one-array.json", mapping=SHIPPED / "qa-one-array.yml")
    assert report.format == "mapping:qa-one-array"
    question, open_one = tickets
    assert (question.id, question.source, question.status, question.resolution_status) == (
        "q-1", "qa-forum", "closed", "answered")  # fmt: skip
    assert question.problem == (
        "Since this morning the console spins forever after I sign in &amp; nothing loads. "
        "Browser: Chrome 122.\n\n**ANSWER:** none yet"
    )
    assert question.resolution == (
        "Clear the browser cache (`Ctrl`+`Shift`+`Delete`) and sign in again:\n\n"
        "1. Open the settings\n2. Clear *cached images*"
    )
    assert (
        question.resolved is not None
        and question.resolved.isoformat() == "2024-03-02T06:30:00+00:00"
    )
    # The answer that came before its question in the file is still joined; the asker's
    # "that worked" is the reporter's, another member's is other.
    assert [(c.role, c.body) for c in question.comments] == [
        ("other", "Same here."), ("reporter", "That worked, thanks!")]  # fmt: skip
    assert question.people == ["li.wei", "wang.fang", "zhao.lei"]
    assert (open_one.language, open_one.status, open_one.resolution) == ("zh", "open", "")
    assert report.notes == [
        "child records whose ticket is not in the export were left out: 1",
        "records that are not tickets (ticket_when) were left out: 1",
    ]


def test_helpdesk_json_comment_list_with_roles_private_flag_and_people(
    mapped: Path, read_all: Any
) -> None:
    (ticket,), report = read_all(mapped / "helpdesk.json", mapping=SHIPPED / "helpdesk-json.yml")
    assert (ticket.id, ticket.category, ticket.resolution_status) == ("HD-7", "Billing", "Solved")
    assert (
        ticket.problem
        == "Our March invoice shows **USD** although the account is set to EUR. Lena Vogel"
    )
    assert [(c.role, c.body) for c in ticket.comments] == [
        ("resolver", "Hi Lena, open *Billing › Currency*, pick EUR and press **Regenerate**."),
        ("reporter", "That fixed it."),
    ]
    assert ticket.comments[0].created is not None
    assert (ticket.private_dropped, report.private_dropped) == (1, 1)
    assert "BILL-77" not in json.dumps(vars(ticket), default=str)
    assert ticket.people == [
        "Jo Park",
        "Lena Vogel",
        "Tom Berg",
        "lena@example.com",
        "tom@acme.example",
    ]


def test_conversations_in_another_csv_with_semicolons(mapped: Path, read_all: Any) -> None:
    tickets, report = read_all(
        mapped / "conversations" / "tickets.csv", mapping=SHIPPED / "conversations-csv.yml"
    )
    printer, vpn = tickets
    assert printer.title == 'Drucker zeigt "Offline"'
    assert printer.opened is not None and printer.opened.isoformat() == "2024-04-03T10:00:00"
    assert [(c.role, c.body) for c in printer.comments] == [
        ("resolver", "SNMP-Status im Druckeranschluss deaktivieren; danach neu starten."),
        ("reporter", "Funktioniert, danke!"),
    ]
    assert printer.private_dropped == 1 and "alten Vertrag" not in json.dumps(
        vars(printer), default=str
    )
    assert [c.body for c in vpn.comments] == ["Energiesparmodus des WLAN-Adapters ausschalten."]
    assert report.detected == {"delimiter": "semicolon", "encoding": "utf-8"}


def test_markdown_folder_with_yaml_and_json_front_matter(mapped: Path, read_all: Any) -> None:
    folder = mapped / "markdown-export"
    tickets, report = read_all(
        folder, mapping=SHIPPED / "markdown-jira-export.yml", skip_bad_records=True
    )
    vpn, printer = tickets
    assert (vpn.id, vpn.title, vpn.resolution_status, vpn.tags) == (
        "HD-101", "VPN client drops every 10 minutes on Wi-Fi", "Done", ["vpn", "wifi"])  # fmt: skip
    # \_ and &#x20; are Markdown's own escapes: read once, not shown.
    assert vpn.problem == "Since the 4.2 update the VPN disconnects\\_again and again. Aisha Khan"
    assert vpn.opened is not None and vpn.opened.isoformat() == "2024-03-01T08:12:55+00:00"
    # No visibility marker in such exports: comments stay out unless the mapping says public.
    assert vpn.comments == [] and report.unknown_visibility == 2
    assert vpn.people == ["Aisha Khan", "Tom Berg"]
    assert (printer.id, printer.language, printer.problem) == (
        "HD-102",
        "zh",
        "打印机在 Windows 更新后显示 **脱机**。",
    )
    assert [str(b) for b in report.bad_records] == [
        "HD-103.md: the front matter is not valid (while parsing a block mapping); fix the file "
        "(its front matter is never read as text)"
    ]
    assert report.records_read == 3


def test_markdown_comments_split_when_declared_public(
    mapped: Path, tmp_path: Path, read_all: Any
) -> None:
    mapping = tmp_path / "public.yml"
    text = (SHIPPED / "markdown-jira-export.yml").read_text(encoding="utf-8")
    mapping.write_text(
        text.replace("  # visibility: public", "  visibility: public"), encoding="utf-8"
    )
    tickets, _ = read_all(mapped / "markdown-export" / "HD-101", mapping=mapping)
    (vpn,) = tickets
    assert [(c.role, c.body) for c in vpn.comments] == [
        ("resolver", "Please turn off power saving for the Wi-Fi adapter:\n\n1. Open *Device Manager*\n"
         "2. Untick **Allow the computer to turn off this device**"),
        ("reporter", "That fixed it, thanks."),
    ]  # fmt: skip
    assert (
        vpn.comments[1].created is not None
        and vpn.comments[1].created.isoformat() == "2024-03-02T16:31:00"
    )


def test_toml_and_semicolon_json_front_matter(tmp_path: Path, read_all: Any) -> None:
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "a.md").write_text(
        '+++\nkey = "T-1"\ntitle = "Printer"\n+++\n# Printer\n\nIt jams.\n', encoding="utf-8"
    )
    (folder / "b.md").write_text(
        ';;;\n"key": "T-2", "title": "VPN"\n;;;\nError 809\n', encoding="utf-8"
    )
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "c.md").write_text("---\nkey: T-3\n---\n", encoding="utf-8")
    mapping = tmp_path / "m.yml"
    mapping.write_text(
        "format: markdown\nid: key\ntitle: title\nproblem: $body\n", encoding="utf-8"
    )
    tickets, _ = read_all(folder, mapping=mapping)
    assert [(t.id, t.title, t.problem) for t in tickets] == [
        ("T-1", "Printer", "# Printer\n\nIt jams."), ("T-2", "VPN", "Error 809")]  # fmt: skip


def test_mapping_mistakes_in_the_new_blocks_are_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(
        "id: x\ntitle: t\ntext_format: rtf\ncomments: {path: c, colour: red, role: boss, public: yes}\n"
        "children: {file: a.json}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.message.split("\n") == [
        f"{path}: text format 'rtf' is not one of plain, markdown, html, jira",
        f"{path}: unknown key 'comments.colour' (known: accepted, author, body, columns, created, header, id, "
        "path, private, public, role, split, text_format, visibility)",
        f"{path}: 'comments.public' needs 'path' and a list 'values'",
        f"{path}: 'comments.role' must be reporter, resolver or other, or {{path: ..., values: {{value: role}}}} with those roles",
        f"{path}: 'children' needs 'parent': the child's field holding its ticket's id",
    ]


def test_children_file_that_is_missing(mapped: Path, tmp_path: Path, read_all: Any) -> None:
    from kbgen.exceptions import SourceError

    data = tmp_path / "tickets.csv"
    data.write_text(
        (mapped / "conversations" / "tickets.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(SourceError) as info:
        read_all(data, mapping=SHIPPED / "conversations-csv.yml")
    assert (
        "the children file 'conversations.csv' (mapping key children.file) does not exist"
        in info.value.message
    )
