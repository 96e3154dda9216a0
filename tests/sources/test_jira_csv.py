"""Jira CSV: repeated columns are all kept; comments have no visibility, so they are dropped and counted."""

from __future__ import annotations

import ast
import csv
from pathlib import Path
from typing import Any

from kbgen.sources import jira_csv


def test_repeated_columns_are_all_kept(fixtures: Path, read_all: Any) -> None:
    path = fixtures / "jira" / "export.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert (
        header.count("Comment") == 2
        and header.count("Labels") == 3
        and header.count("Component/s") == 2
    )
    tickets, report = read_all(path)
    assert report.format == "jira-csv"
    hd101, hd102 = tickets
    assert hd101.tags == ["outlook", "password", "mfa"]
    assert hd101.environment.component == "Email, Office"
    assert hd102.tags == ["drives"]
    assert hd101.opened is not None and hd101.opened.isoformat() == "2025-04-30T23:03:00"
    assert hd101.resolved is not None and hd101.resolved.isoformat() == "2025-05-01T09:15:00"
    assert (
        hd101.problem
        == "Outlook keeps prompting.\n\nClearing the **credential manager** entry fixed it."
    )


def test_csv_comments_are_unknown_visibility(fixtures: Path, read_all: Any) -> None:
    tickets, report = read_all(fixtures / "jira" / "export.csv")
    assert all(t.comments == [] for t in tickets)
    assert report.unknown_visibility == 2
    assert report.private_dropped == 0
    assert tickets[0].private_dropped == 2
    assert report.notes == [
        "Jira CSV exports do not say which comments are internal, so all CSV comments were dropped; "
        "export JSON from the REST API to keep public comments"
    ]
    # The comment author is kept for redaction; the comment body is not kept anywhere.
    assert "712020:0b1c2d3e" in tickets[0].people
    assert not any("MFA was reset" in str(vars(t)) for t in tickets)


def test_dict_reader_is_not_used() -> None:
    """csv.DictReader keeps only the last of repeated columns, so no source may use it."""
    source_dir = Path(jira_csv.__file__).parent
    for path in source_dir.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert "DictReader" not in names, path
