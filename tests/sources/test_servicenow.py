"""ServiceNow: Table API JSON with work notes, CSV list exports, and the event-log reduction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kbgen.exceptions import SourceError


def test_table_api_json(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "servicenow" / "table_api.json")
    assert report.format == "servicenow-json"
    inc1, inc2 = tickets
    assert inc1.id == "INC0010001"
    assert inc1.title == "Email not syncing on mobile"
    assert inc1.problem == "Since Monday my phone shows no new mail. Error: &lt;AUTH\\_FAILED&gt;"
    assert inc1.resolution == "Removed and re-added the account on the phone; mail syncs again."
    assert inc1.resolution_status == "Solved (Permanently)"
    assert inc1.status == "Resolved"
    assert (inc1.category, inc1.subcategory) == ("software", "email")
    assert inc1.environment.product == "Exchange Online"
    # The instance comes from a reference link; INC0010002 has none, so no url is made up.
    assert (
        inc1.url
        == "https://instance.service-now.com/incident.do?sys_id=9d385017c611228701d22104cc95c371"
    )
    assert inc2.url == ""
    assert [(c.role, c.body) for c in inc1.comments] == [
        ("reporter", "It started after the password change."),
        ("resolver", "Please remove the account and add it again."),
    ]
    assert inc1.metrics == {
        "reassignment_count": 1,
        "reopen_count": 0,
        "made_sla": True,
        "knowledge": False,
        "impact": "2 - Medium",
        "urgency": "3 - Low",
    }
    assert inc1.private_dropped == 2 and inc2.private_dropped == 1
    assert report.private_dropped == 3
    assert inc2.resolution_status == "Not Solved (Not Reproducible)"
    assert inc2.closed is not None and inc2.closed.isoformat() == "2024-04-10T12:00:00"
    assert "Beth Anglin" in inc1.people and "Fred Luddy" in inc1.people


def test_single_result_object(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps({"result": {"number": "INC1", "short_description": "One"}}), encoding="utf-8"
    )
    tickets, _ = read_all(path)
    assert [t.id for t in tickets] == ["INC1"]


def test_csv_with_labels_and_text(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text(
        "Number,Short description,Description,Resolution notes,Resolution code,State,Opened,Work notes\r\n"
        'INC7,Printer offline,"Printer shows\r\noffline",Power-cycled it,Solved (Permanently),Closed,'
        '2024-01-02 03:04:05,"secret internal note"\r\n',
        encoding="utf-8",
    )
    tickets, report = read_all(path)
    assert report.format == "servicenow-csv"
    (inc,) = tickets
    assert (inc.id, inc.title, inc.resolution, inc.resolution_status, inc.status) == (
        "INC7",
        "Printer offline",
        "Power-cycled it",
        "Solved (Permanently)",
        "Closed",
    )
    assert inc.problem == "Printer shows  \noffline"  # the line break kept as a hard break
    assert inc.private_dropped == 1 and report.private_dropped == 1
    assert "secret internal note" not in str(vars(inc))


EVENT_HEADER = "number,incident_state,sys_mod_count,sys_updated_at,opened_at,resolved_at,category\n"


def test_event_log_takes_latest_state_not_file_order(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        EVENT_HEADER
        + "INC1,New,0,01-03-2016 10:00,01-03-2016 09:00,?,Category 1\n"
        + "INC1,Closed,3,02-03-2016 10:00,01-03-2016 09:00,02-03-2016 09:00,Category 2\n"
        + "INC1,Resolved,2,01-03-2016 12:00,01-03-2016 09:00,02-03-2016 09:00,Category 1\n"
        + "INC2,New,0,05-03-2016 10:00,05-03-2016 10:00,?,?\n",
        encoding="utf-8",
    )
    tickets, _ = read_all(path)
    inc1, inc2 = tickets
    assert (inc1.status, inc1.category, inc1.metrics["events"]) == ("Closed", "Category 2", 3)
    assert (
        inc1.opened is not None and inc1.opened.isoformat() == "2016-03-01T09:00:00"
    )  # 1 March, never 3 January
    assert inc2.resolved is None and inc2.category == ""


def test_event_log_groups_must_be_together(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        EVENT_HEADER
        + "INC1,New,0,01-03-2016 10:00,01-03-2016 09:00,?,?\n"
        + "INC2,New,0,01-03-2016 10:00,01-03-2016 09:00,?,?\n"
        + "INC1,Closed,1,02-03-2016 10:00,01-03-2016 09:00,?,?\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as info:
        read_all(path)
    assert info.value.message == (
        f"{path}, line 4, field 'number': rows of incident INC1 are not together; sort the export by number"
    )


def test_us_order_date_is_refused_with_the_column(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        EVENT_HEADER + "INC1,New,0,03/01/2016 10:00,01-03-2016 09:00,?,?\n", encoding="utf-8"
    )
    with pytest.raises(SourceError) as info:
        read_all(path)
    assert info.value.message == (
        f"{path}, line 2, field 'sys_updated_at': date '03/01/2016 10:00' is ambiguous (day and "
        "month could be swapped); export ISO dates or read the file with a mapping whose "
        "date_format says the order, e.g. '%d/%m/%Y'; nothing was imported (fix the record, or "
        "pass --skip-bad-records to skip and list such records)"
    )


def test_display_value_all_prefers_stored_dates_and_display_labels(
    tmp_path: Path, read_all: Any
) -> None:
    record = {
        "number": {"display_value": "INC9", "value": "INC9"},
        "short_description": {"display_value": "VPN down", "value": "VPN down"},
        "incident_state": {"display_value": "Resolved", "value": "6"},
        # The display value follows the exporting user's locale (here month first): never read.
        "opened_at": {"display_value": "04/01/2024 08:12:00", "value": "2024-04-01 08:12:00"},
    }
    path = tmp_path / "all.json"
    path.write_text(json.dumps({"result": [record]}), encoding="utf-8")
    (inc,), _ = read_all(path)
    assert (inc.id, inc.title, inc.status) == ("INC9", "VPN down", "Resolved")
    assert inc.opened is not None and inc.opened.isoformat() == "2024-04-01T08:12:00"
