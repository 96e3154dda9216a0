"""Capture: tickets/s end to end against the time to just parse the same export.

Baselines are the standard library alone (``json.load`` of the Jira export,
``csv.reader`` over the SGCC file): the floor any importer pays before doing
anything useful with a ticket.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

from bench.measure import stopwatch
from bench.stages import require


def parse_json(export: str) -> dict[str, float]:
    result: dict[str, float] = {}
    with stopwatch(result), open(export, encoding="utf-8") as fh:
        issues = json.load(fh)["issues"]
    result["tickets"] = len(issues)
    return result


def parse_csv(export: str) -> dict[str, float]:
    result: dict[str, float] = {}
    with stopwatch(result), open(export, encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    result["tickets"] = rows
    return result


def parse_any(export: str) -> dict[str, float]:
    """The floor for the newer shapes: stdlib json / ElementTree / reading the Markdown files."""
    import xml.etree.ElementTree as ET

    result: dict[str, float] = {}
    path = Path(export)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    with stopwatch(result):
        items = 0
        for file in files:
            if file.suffix == ".xml":
                items += sum(1 for _ in ET.parse(file).getroot())
            elif file.suffix == ".json":
                with open(file, encoding="utf-8") as fh:
                    items += len(json.load(fh))
            else:
                file.read_text(encoding="utf-8")
                items += 1
    result["items"] = items
    return result


def read_tickets(export: str, fmt: str, mapping: str | None = None) -> dict[str, float]:
    """kbgen's source reader alone: parse, drop private notes, normalise."""
    sources = require("kbgen.sources", "read_tickets")
    kwargs: dict[str, object] = {"format": fmt}
    if mapping:
        kwargs["mapping"] = Path(mapping)
    result: dict[str, float] = {}
    with stopwatch(result):
        count = sum(1 for _ in sources.read_tickets(Path(export), **kwargs))
    result["tickets"] = count
    return result


def capture(
    export: str, fmt: str, kb_template: str, mapping: str | None = None
) -> dict[str, float]:
    """``capture_tickets`` end to end into a copy of ``kb_template`` (the copy is not timed)."""
    drafting = require("kbgen.drafting.capture", "capture_tickets", "CaptureOptions")
    kb_mod = require("kbgen.kb", "KnowledgeBase")
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-capture-") as tmp:
        root = Path(tmp) / "kb"
        shutil.copytree(kb_template, root, symlinks=True)
        kb = kb_mod.KnowledgeBase.open(root)
        options = drafting.CaptureOptions(
            format=fmt,
            mapping=Path(mapping) if mapping else None,
            branch=False,
            show_progress=False,
        )
        result: dict[str, float] = {}
        with stopwatch(result):
            report = drafting.capture_tickets(kb, [Path(export)], options)
        summary = report.to_json() if hasattr(report, "to_json") else {}
        for key in ("created", "linked", "skipped", "merged"):
            value = summary.get(key) if isinstance(summary, dict) else None
            if isinstance(value, int | float):
                result[key] = value
            elif isinstance(value, list):
                result[key] = len(value)
    return result
