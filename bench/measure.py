"""Run one measurement in a fresh child process and collect figures over several runs.

Each run is ``python -m bench.child module:function '<json kwargs>'``. The
function does its own setup, times only the part being measured and returns a
dict of numbers; the child adds its peak resident memory (its own and its
children's, from ``getrusage``) and prints the dict as JSON on its last line.
A fresh process per run keeps peak memory honest and stops one stage's caches
(jieba's dictionary, imported modules) from flattering the next.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


class StageNotLanded(Exception):
    """The kbgen code a stage needs is not there yet; the table says so instead of a figure."""


class MeasureFailed(Exception):
    """A child run failed; the message carries the end of its stderr."""


@dataclass
class Figure:
    """One measured quantity over several runs."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


def run_child(target: str, kwargs: dict[str, Any], timeout: float = 1800) -> dict[str, float]:
    """One run of ``target`` (``module:function``) in a child process."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", target, json.dumps(kwargs)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode == 3:
        raise StageNotLanded(proc.stdout.strip().splitlines()[-1])
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        raise MeasureFailed(f"{target} exited {proc.returncode}:\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_many(
    target: str, kwargs: dict[str, Any], runs: int, timeout: float = 1800
) -> dict[str, Figure]:
    """``runs`` child runs of ``target``; every returned key becomes a :class:`Figure`."""
    figures: dict[str, Figure] = {}
    for _ in range(runs):
        for key, value in run_child(target, kwargs, timeout).items():
            figures.setdefault(key, Figure()).values.append(float(value))
    return figures


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def stopwatch(result: dict[str, float], key: str = "seconds") -> Iterator[None]:
    """Store the block's wall time in ``result[key]`` and its CPU time in ``result[key + "_cpu"]``.

    CPU time counts the block's waited-for child processes too (kbgen build forks two), so a
    build that is fast because it uses a second core still shows the work it did.
    """
    start, cpu_start = time.perf_counter(), cpu_seconds()
    yield
    result[key] = time.perf_counter() - start
    result[f"{key}_cpu"] = cpu_seconds() - cpu_start


def peak_rss_mb() -> float:
    """Peak resident memory of this process, or of a child it waited for if larger, in MiB.

    ``VmHWM`` belongs to the address space, which ``exec`` replaces; ``ru_maxrss`` of
    RUSAGE_SELF survives ``exec`` on Linux and would report the harness's own size
    for every child it starts.
    """
    own = 0.0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    own = int(line.split()[1]) / 1024
    except OSError:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation, so p99 of 100 values is the 99th)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
