"""The benchmark table: rows of figures rendered as Markdown, with the machine and versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.measure import Figure

PACKAGES = (
    "kbgen",
    "mkdocs",
    "mkdocs-material",
    "whoosh",
    "jieba",
    "waitress",
    "psycopg",
    "playwright",
)


@dataclass
class Row:
    """One line of the table: a kbgen figure, its baseline from the same run, and the aim."""

    stage: str
    size: str
    measure: str
    unit: str = ""
    kbgen: Figure | None = None
    baseline_name: str = ""
    baseline: Figure | None = None
    aim: str = ""
    # Given the kbgen median and the baseline median (or None), is the aim met?
    check: Callable[[float, float | None], bool] | None = None
    status: str = ""  # "not landed: ...", "failed: ...", "skipped: ..." instead of a figure

    @property
    def ratio(self) -> float | None:
        if self.kbgen is None or self.baseline is None or not self.baseline.median:
            return None
        return self.kbgen.median / self.baseline.median

    @property
    def verdict(self) -> str:
        if self.status:  # the detail is in the kbgen column; here just the kind
            return self.status.split(":")[0]
        if self.kbgen is None or self.check is None:
            return ""
        base = self.baseline.median if self.baseline is not None else None
        return "met" if self.check(self.kbgen.median, base) else "**missed**"


def fmt_number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_figure(figure: Figure | None, unit: str) -> str:
    if figure is None:
        return "–"
    if len(figure.values) == 1:  # a ratio of two medians, not a run of its own
        return f"{fmt_number(figure.median)}{unit} (ratio of medians)"
    spread = f"{fmt_number(figure.low)}–{fmt_number(figure.high)}"
    return f"{fmt_number(figure.median)} {unit} ({spread}, n={len(figure.values)})".replace(
        "  ", " "
    )


def render_table(rows: list[Row]) -> str:
    lines = [
        "| stage | size | measure | kbgen: median (min–max, runs) | baseline | baseline: median (min–max, runs) | kbgen ÷ baseline | aim | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{fmt_number(row.ratio)}×" if row.ratio is not None else "–"
        kbgen = fmt_figure(row.kbgen, row.unit) if row.kbgen is not None else (row.status or "–")
        lines.append(
            f"| {row.stage} | {row.size} | {row.measure} | {kbgen} | {row.baseline_name or '–'} "
            f"| {fmt_figure(row.baseline, row.unit)} | {ratio} | {row.aim or '–'} | {row.verdict or '–'} |"
        )
    return "\n".join(lines)


def machine_line() -> str:
    cores = os.cpu_count() or 0
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.1f} GiB RAM"
    except (ValueError, OSError):
        memory = "memory unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.node() or 'host'}: {cores} cores, {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; load average at start {load}"
    )


def versions_line() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    for tool, args in (("goaccess", ["--version"]), ("chromium", ["--version"])):
        try:
            out = subprocess.run(
                [tool, *args], capture_output=True, text=True, timeout=20, check=False
            )
            first = (out.stdout or out.stderr).strip().splitlines()[0]
            found.append(first.replace("GoAccess - ", "goaccess ").rstrip(" ."))
        except (OSError, IndexError, subprocess.TimeoutExpired):
            found.append(f"{tool} (not found)")
    return ", ".join(found)


def render_document(
    rows: list[Row], *, quick: bool, runs: int, elapsed: float, started: dt.datetime, notes: str
) -> str:
    mode = "quick (`make bench QUICK=1`)" if quick else "full (`make bench`)"
    head = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (see `bench/`); do not edit by hand. Every figure is the",
        f"median of {runs} runs, each in a fresh process, with min and max; every ratio is against a",
        "baseline measured in the same run on the same generated data. Absolute times on a shared",
        "machine drift; the ratios are what to compare between runs.",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; mode: {mode}; wall time {elapsed / 60:.1f} min",
        f"- Machine: {machine_line()}",
        f"- Versions: {versions_line()}",
        "- Data: `bench/generate.py`, seeded, distributions learned from `../shared/datasets_candidates/`",
        "",
        render_table(rows),
        "",
    ]
    return "\n".join(head) + ("\n" + notes.strip() + "\n" if notes.strip() else "")


def write_document(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
