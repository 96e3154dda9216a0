"""Search: kbgen's two engines (whoosh, SQLite FTS5) against a minimal FTS5 over the same texts.

The baseline pre-segments Chinese with jieba at index and query time and
stores space-joined tokens in a ``unicode61`` table (stack-notes: FTS5 alone
treats a run of Han characters as one token), with none of kbgen's work
(identifier parts, stemming, freshness, the public filter). Both sides run one
untimed query first, so latencies are warm, as in a long-running site search.
``kbgen_command`` times ``kbgen search`` as a command, a fresh process per call.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import percentile, stopwatch
from bench.stages import require

_HAN = re.compile(r"[\u4e00-\u9fff]")
_FTS_SPECIAL = re.compile(r'["*^():{}+\-]')


def _segment(text: str) -> str:
    if not _HAN.search(text):
        return text
    import jieba

    return " ".join(t for t in jieba.cut_for_search(text) if t.strip())


def _latencies(run_query, queries: list[str]) -> tuple[list[float], int]:  # type: ignore[no-untyped-def]
    run_query(queries[0])  # warm: jieba's dictionary, page cache
    latencies: list[float] = []
    with_hits = 0
    for query in queries:
        start = time.perf_counter()
        hits = run_query(query)
        latencies.append((time.perf_counter() - start) * 1000)
        with_hits += bool(hits)
    return latencies, with_hits


def _percentiles(result: dict[str, float], latencies: list[float], with_hits: int, n: int) -> None:
    result["p50_ms"] = percentile(latencies, 50)
    result["p95_ms"] = percentile(latencies, 95)
    result["hit_share"] = with_hits / n


def fts5_baseline(kb_template: str, queries_file: str) -> dict[str, float]:
    from kbgen.kb import iter_articles

    queries: list[str] = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    articles = list(iter_articles(Path(kb_template) / "content" / "articles"))
    import jieba

    jieba.initialize()
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-fts-") as tmp:
        db = sqlite3.connect(Path(tmp) / "fts.sqlite")
        with stopwatch(result, "build_seconds"):
            db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body)")
            db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?)",
                ((a.id, _segment(a.title), _segment(a.body)) for a in articles),
            )
            db.commit()
        result["docs_per_second"] = len(articles) / result["build_seconds"]

        def run_query(query: str) -> list[tuple[str]]:
            tokens = [_FTS_SPECIAL.sub(" ", t).strip() for t in _segment(query).split()]
            match = " OR ".join(f'"{t}"' for t in tokens if t)
            if not match:
                return []
            return db.execute(
                "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10", (match,)
            ).fetchall()

        latencies, with_hits = _latencies(run_query, queries)
        _percentiles(result, latencies, with_hits, len(queries))
        edited = articles[0]
        with stopwatch(result, "update_seconds"):
            db.execute("DELETE FROM docs WHERE id = ?", (edited.id,))
            db.execute(
                "INSERT INTO docs VALUES (?, ?, ?)",
                (edited.id, _segment(edited.title), _segment(edited.body + " one more line")),
            )
            db.commit()
        db.close()
    return result


def prepare_index(kb_root: str) -> dict[str, float]:
    """Build the search index inside a generated KB (data preparation, not a measurement)."""
    search = require("kbgen.search", "build_index")
    kb_mod = require("kbgen.kb", "KnowledgeBase")
    return {"documents": search.build_index(kb_mod.KnowledgeBase.open(kb_root))}


def _copy_kb(kb_template: str, tmp: str, backend: str) -> Path:
    """The KB without .kbgen/ (a full index build is measured), set to ``backend``."""
    root = Path(tmp) / "kb"
    shutil.copytree(kb_template, root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen"))
    config = root / "site_config" / "kbgen.yml"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    config.write_text(f"{text}\nsearch:\n  backend: {backend}\n", encoding="utf-8")
    return root


def kbgen_search(kb_template: str, queries_file: str, backend: str = "whoosh") -> dict[str, float]:
    search = require("kbgen.search", "build_index", "update_index", "search_articles")
    kb_mod = require("kbgen.kb", "KnowledgeBase")
    queries: list[str] = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-search-") as tmp:
        kb = kb_mod.KnowledgeBase.open(_copy_kb(kb_template, tmp, backend))
        result: dict[str, float] = {}
        with stopwatch(result, "build_seconds"):
            cpu = time.process_time()
            count = search.build_index(kb)
            result["build_cpu_seconds"] = time.process_time() - cpu
        result["docs_per_second"] = count / result["build_seconds"]
        result["docs_per_cpu_second"] = count / result["build_cpu_seconds"]
        # As the collector's /api/search calls it (the warm-process case): the check for
        # changed article files runs at most every SEARCH_FRESH_SECONDS, not per query.
        from kbgen.stats.collector import SEARCH_FRESH_SECONDS

        cpu = time.process_time()
        latencies, with_hits = _latencies(
            lambda q: search.search_articles(kb, q, limit=10, fresh_within=SEARCH_FRESH_SECONDS),
            queries,
        )
        result["cpu_ms_per_query"] = (time.process_time() - cpu) * 1000 / (len(queries) + 1)
        _percentiles(result, latencies, with_hits, len(queries))
        edited = sorted(kb.articles_dir.glob("*.md"))[0]
        edited.write_text(
            edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8"
        )
        with stopwatch(result, "update_seconds"):
            search.update_index(kb, [edited])
    return result


COMMAND_CALLS = 3  # per query language and run; each is a fresh `kbgen` process


def _timed_calls(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Median wall seconds of COMMAND_CALLS runs of ``argv``, and mean CPU seconds per run."""
    walls: list[float] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(COMMAND_CALLS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True, env=dict(os.environ))
        walls.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return sorted(walls)[len(walls) // 2], cpu / COMMAND_CALLS


def kbgen_command(kb_template: str, queries_file: str, backend: str = "whoosh") -> dict[str, float]:
    """``kbgen search QUERY`` as a user runs it: a fresh process per call on an indexed KB."""
    require("kbgen.search", "build_index")
    queries: list[str] = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    kbgen = str(Path(sys.executable).with_name("kbgen"))
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-cli-") as tmp:
        root = _copy_kb(kb_template, tmp, backend)
        subprocess.run(
            [kbgen, "search", "warm", "--kb", str(root)], check=True, capture_output=True
        )
        english = next(q for q in queries if q.isascii())
        chinese = next((q for q in queries if not q.isascii()), english)
        result: dict[str, float] = {}
        for name, query in (("en", english), ("zh", chinese)):
            wall, cpu = _timed_calls([kbgen, "search", query, "--kb", str(root)])
            result[f"{name}_seconds"], result[f"{name}_cpu_seconds"] = wall, cpu
    return result


def python_startup() -> dict[str, float]:
    """The floor of any command: ``python -c pass``."""
    wall, cpu = _timed_calls([sys.executable, "-c", "pass"])
    return {"en_seconds": wall, "en_cpu_seconds": cpu, "zh_seconds": wall, "zh_cpu_seconds": cpu}
