"""`kbgen kpis` and `kbgen gaps` on the real exports, checked against numbers computed here
with csv/json directly from the files (never copied from kbgen's output)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import init_kb

SGCC = "sgcc_ict_fault_incidents_zh.csv"
SERVICENOW = "servicenow_incident_event_log_partial.csv"
APACHE = "apache_jira_rest_search_LUCENE-1_to_10.json"
MENDELEY = "mendeley_helpdesk_sample_utterances.csv"
# The SGCC export's words for "nothing here" (docs/sources: sgcc.yml `missing`).
SGCC_MISSING = {"", "无", "无。", "无报告", "0", "（未反馈）", "原因不详", "正在核查", "未查清"}


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    return init_kb(tmp_path / "kb").root


def run_json(kb: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [*args, "--kb", str(kb), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


def means_by(pairs: list[tuple[str, float]]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return {key: mean(values) for key, values in groups.items()}


# --- State Grid --------------------------------------------------------------------


def sgcc_rows(datasets: Path) -> list[dict[str, str]]:
    with open(datasets / SGCC, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Rows 936 and 937 are shifted by one column; the mapping's checks skip them.
    return [r for r in rows if r["是否工作日"] in ("", "0", "是", "否")]


def sgcc_durations(rows: list[dict[str, str]]) -> list[tuple[dict[str, str], float]]:
    fmt = "%Y-%m-%d %H:%M:%S"
    out = []
    for row in rows:
        if row["故障开始时间"] and row["故障结束时间"]:
            start = dt.datetime.strptime(row["故障开始时间"], fmt)
            end = dt.datetime.strptime(row["故障结束时间"], fmt)
            if end >= start:
                out.append((row, hours(start, end)))
    return out


def sgcc_category(row: dict[str, str]) -> str:
    value = row["异常类型"].strip()
    return "(none)" if value in SGCC_MISSING else value


def sgcc_args(kb: Path, datasets: Path) -> list[str]:
    mapping = kb / "site_config" / "sources" / "sgcc.yml"
    return ["--from", str(datasets / SGCC), "--mapping", str(mapping), "--skip-bad-records"]


def test_kpis_on_state_grid(kb_root: Path, datasets: Path) -> None:
    rows = sgcc_rows(datasets)
    timed = sgcc_durations(rows)
    kpis = run_json(kb_root, "kpis", *sgcc_args(kb_root, datasets))
    assert kpis["tickets"] == len(rows) == 1021
    assert kpis["resolved"] == sum(1 for r in rows if r["故障结束时间"])
    assert kpis["link_rate"] == 0.0  # a fresh KB has no articles
    mttr = kpis["mttr_hours"]
    assert mttr["tickets"] == len(timed)
    assert mttr["overall"] == pytest.approx(mean(h for _, h in timed), abs=0.005)
    expected = means_by([(sgcc_category(r), h) for r, h in timed])
    assert mttr["by_category"].keys() == expected.keys()
    for name, value in expected.items():
        assert mttr["by_category"][name] == pytest.approx(value, abs=0.005), name
    by_month = means_by([(r["故障开始时间"][:7], h) for r, h in timed])
    assert mttr["by_month"] == pytest.approx(
        {k: round(v, 2) for k, v in by_month.items()}, abs=0.005
    )
    assert kpis["fcr_proxy"] == {
        "available": False,
        "reason": "no reassignment or reopen counts in this source",
    }


def test_gaps_on_state_grid(kb_root: Path, datasets: Path) -> None:
    rows = sgcc_rows(datasets)
    resolved = [r for r in rows if r["故障结束时间"]]
    data = run_json(kb_root, "gaps", *sgcc_args(kb_root, datasets), "--limit", "1000")
    gaps = data["gaps"]
    assert {g["kind"] for g in gaps} == {"uncovered_problem"}  # no usage, no articles yet
    assert data["total"] == len(gaps)
    # Every resolved ticket is in exactly one cluster, and clusters never mix categories.
    ids = [i for g in gaps for i in g["evidence"]["ticket_ids"]]
    assert sorted(ids) == sorted(f"SGCC-{r['id']}" for r in resolved)
    per_category: dict[str, int] = defaultdict(int)
    for gap in gaps:
        per_category[gap["evidence"]["category"]] += gap["evidence"]["tickets"]
    expected: dict[str, int] = defaultdict(int)
    for row in resolved:
        expected[sgcc_category(row)] += 1
    assert per_category == expected
    # Ranked by volume: demand never rises down the list.
    assert [g["demand"] for g in gaps] == sorted((g["demand"] for g in gaps), reverse=True)
    # The same symptom reported by several provinces lands in one cluster.
    by_text: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in resolved:
        by_text[(sgcc_category(row), row["问题现象"].strip())].add(f"SGCC-{row['id']}")
    biggest = max(by_text.values(), key=len)
    assert len(biggest) >= 5
    assert any(biggest <= set(g["evidence"]["ticket_ids"]) for g in gaps)
    # The top cluster's evidence matches its rows.
    top = gaps[0]["evidence"]
    members = {f"SGCC-{r['id']}": r for r in resolved}
    starts = sorted(members[i]["故障开始时间"][:10] for i in top["ticket_ids"])
    assert (top["first_opened"], top["last_opened"]) == (starts[0], starts[-1])
    durations = dict((f"SGCC-{r['id']}", h) for r, h in sgcc_durations(resolved))
    assert top["mean_hours_to_resolve"] == pytest.approx(
        mean(durations[i] for i in top["ticket_ids"]), abs=0.005
    )


# --- ServiceNow event log ------------------------------------------------------------


def servicenow_incidents(datasets: Path) -> list[dict[str, str]]:
    """The latest event of each incident: by sys_updated_at, then sys_mod_count, then file order."""
    fmt = "%d-%m-%Y %H:%M"
    latest: dict[str, tuple[tuple[dt.datetime, int, int], dict[str, str]]] = {}
    with open(datasets / SERVICENOW, encoding="utf-8", newline="") as fh:
        for index, row in enumerate(csv.DictReader(fh)):
            updated = (
                dt.datetime.strptime(row["sys_updated_at"], fmt)
                if row["sys_updated_at"] != "?"
                else dt.datetime.min
            )
            key = (updated, int(row["sys_mod_count"]), index)
            if row["number"] not in latest or key > latest[row["number"]][0]:
                latest[row["number"]] = (key, row)
    return [row for _, row in latest.values()]


@pytest.mark.slow
def test_kpis_on_servicenow(kb_root: Path, datasets: Path) -> None:
    incidents = servicenow_incidents(datasets)
    fmt = "%d-%m-%Y %H:%M"
    durations = []
    for row in incidents:
        if "?" not in (row["opened_at"], row["resolved_at"]):
            h = hours(
                dt.datetime.strptime(row["opened_at"], fmt),
                dt.datetime.strptime(row["resolved_at"], fmt),
            )
            if h >= 0:
                # "?" is ServiceNow's missing value; kbgen groups those under "(none)".
                category = "(none)" if row["category"] == "?" else row["category"]
                durations.append((category, h))
    kpis = run_json(kb_root, "kpis", "--from", str(datasets / SERVICENOW))
    assert kpis["tickets"] == len(incidents) == 890
    assert kpis["mttr_hours"]["tickets"] == len(durations)
    assert kpis["mttr_hours"]["overall"] == pytest.approx(mean(h for _, h in durations), abs=0.005)
    expected = means_by(durations)
    assert kpis["mttr_hours"]["by_category"] == pytest.approx(
        {k: round(v, 2) for k, v in expected.items()}, abs=0.005
    )
    # Every incident in this log is closed, and carries both counts.
    first_contact = sum(
        1 for r in incidents if r["reassignment_count"] == "0" and r["reopen_count"] == "0"
    )
    made_sla = sum(1 for r in incidents if r["made_sla"] == "TRUE")
    assert kpis["fcr_proxy"] == {
        "available": True,
        "tickets": len(incidents),
        "first_contact": first_contact,
        "rate": round(first_contact / len(incidents), 4),
        "reassigned": sum(1 for r in incidents if r["reassignment_count"] != "0"),
        "reopened": sum(1 for r in incidents if r["reopen_count"] != "0"),
        "made_sla": {
            "available": True,
            "tickets": len(incidents),
            "rate": round(made_sla / len(incidents), 4),
        },
    }
    assert kpis["backlog_age"] == {"available": False, "reason": "no open tickets in this source"}


# --- Apache Jira and Mendeley ------------------------------------------------------


def test_kpis_and_gaps_on_apache_jira(kb_root: Path, datasets: Path) -> None:
    issues = json.loads((datasets / APACHE).read_text(encoding="utf-8"))["issues"]
    fmt = "%Y-%m-%dT%H:%M:%S.%f%z"
    durations = [
        (i["fields"]["issuetype"]["name"], hours(
            dt.datetime.strptime(i["fields"]["created"], fmt), dt.datetime.strptime(i["fields"]["resolutiondate"], fmt)
        ))
        for i in issues
        if i["fields"]["created"] and i["fields"]["resolutiondate"]
    ]  # fmt: skip
    kpis = run_json(kb_root, "kpis", "--from", str(datasets / APACHE))
    assert kpis["tickets"] == len(issues) == 10
    assert kpis["mttr_hours"]["overall"] == pytest.approx(mean(h for _, h in durations), abs=0.005)
    assert kpis["mttr_hours"]["by_category"] == pytest.approx(
        {k: round(v, 2) for k, v in means_by(durations).items()}, abs=0.005
    )
    gaps = run_json(kb_root, "gaps", "--from", str(datasets / APACHE))["gaps"]
    assert sum(g["evidence"]["tickets"] for g in gaps) == len(issues)
    # Issues with the same description (LUCENE-2 and LUCENE-3) are one uncovered problem.
    by_description: dict[str, list[str]] = defaultdict(list)
    for issue in issues:
        by_description[issue["fields"]["description"]].append(issue["key"])
    twins = [set(keys) for keys in by_description.values() if len(keys) > 1]
    assert twins == [{"LUCENE-2", "LUCENE-3"}]
    assert any(twins[0] <= set(g["evidence"]["ticket_ids"]) for g in gaps)


@pytest.mark.slow
def test_kpis_and_gaps_on_mendeley_say_what_is_missing(kb_root: Path, datasets: Path) -> None:
    with open(datasets / MENDELEY, encoding="utf-8", newline="") as fh:
        issues = {row["issueid"] for row in csv.DictReader(fh)}
    kpis = run_json(kb_root, "kpis", "--from", str(datasets / MENDELEY))
    assert kpis["tickets"] == len(issues) == 360
    # The utterance file has comment times but no resolution time or ticket state.
    assert kpis["mttr_hours"]["overall"] is None
    assert kpis["mttr_hours"]["reason"] == "no ticket has both an opened and a resolved time"
    assert kpis["backlog_age"] == {
        "available": False,
        "reason": "no open tickets in this source (360 tickets have neither a resolved time "
        "nor a status, so whether they are open is unknown)",
    }
    assert kpis["link_rate"] is None  # no resolved ticket to divide by
    export = datasets / MENDELEY
    result = CliRunner().invoke(
        cli, ["gaps", "--kb", str(kb_root), "--from", str(export)], catch_exceptions=False
    )
    assert result.output.splitlines() == [
        f"No gaps found, but none of the {len(issues)} tickets from {export} is resolved, "
        "so none can count as an uncovered problem."
    ]
