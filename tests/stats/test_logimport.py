"""Access-log import: exact counts with bots, assets, duplicates, gzip, and resumable runs."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import StatsError
from kbgen.kb import KnowledgeBase
from kbgen.stats.events import PageIndex
from kbgen.stats.logimport import import_log
from kbgen.stats.store import StatsStore

from .conftest import PASSWORD, PRINTER, VPN, dump

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(path: str, *, when: str = "25/Nov/2026:10:15:32 +0000", method: str = "GET",
         status: int = 200, ua: str = FIREFOX, ip: str = "198.51.100.7") -> str:  # fmt: skip
    return f'{ip} - - [{when}] "{method} {path} HTTP/1.1" {status} 5120 "-" "{ua}"\n'


# 9 views: 5 VPN (one via index.html, one without the trailing slash, one with a query
# string, one with escaped quotes in the referer), 2 printer, 1 password (late on the 25th in UTC-05:00, so the 26th in UTC),
# 1 printer 304. Everything else is noise of a known kind.
LOG = "".join(
    [
        line(VPN),
        line(VPN + "index.html"),
        line(VPN.rstrip("/")),
        line(VPN + "?utm_source=mail"),
        line(PRINTER, ip="2001:db8::5"),
        line(PRINTER, status=304),
        line(PRINTER, when="24/Nov/2026:23:59:59 +0000"),
        line(PASSWORD, when="25/Nov/2026:21:30:00 -0500"),
        line(VPN, ua=GOOGLEBOT),  # bot
        line(PRINTER, ua="curl/8.5.0"),  # bot
        line(VPN, ua="-"),  # empty user agent
        line(VPN, method="HEAD"),
        line(VPN, method="POST"),
        line(VPN, status=404),
        line("/assets/stylesheets/main.css"),
        line("/search/search_index.json"),
        line("/not-an-article/"),
        "this is not a log line\n",
        # Apache escapes quotes inside fields: one real view, one bot.
        f'198.51.100.8 - - [25/Nov/2026:11:00:00 +0000] "GET {VPN} HTTP/1.1" 200 99 '
        f'"https://intranet.example/?q=\\"vpn\\"" "{FIREFOX}"\n',
        f'198.51.100.9 - - [25/Nov/2026:11:00:01 +0000] "GET {VPN} HTTP/1.1" 200 99 '
        '"-" "Mozilla/5.0 \\"compatible\\" Googlebot/2.1"\n',
    ]
)
EXPECTED_VIEWS = [
    ("2026-11-24", PRINTER, "KB-0002", "log", 1),
    ("2026-11-25", VPN, "KB-0001", "log", 5),
    ("2026-11-25", PRINTER, "KB-0002", "log", 2),
    ("2026-11-26", PASSWORD, "KB-0003", "log", 1),
]


def run_import(kb: KnowledgeBase, *files: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["stats", "import-log", "--kb", str(kb.root), *map(str, files)]
    )
    return result.exit_code, result.output


def test_import_counts_exactly_and_reports_what_it_skipped(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_text(LOG)
    assert run_import(kb, log) == (
        0,
        f"{log}: 20 lines, 9 views counted, 4 bot lines, 6 other requests, 1 unreadable lines\n"
        "Imported 9 views from 1 file.\n",
    )
    assert dump(kb)["page_views"] == EXPECTED_VIEWS


def test_reimport_plain_gzip_and_renamed_copies_counts_nothing_twice(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    log = tmp_path / "access.log.1"
    log.write_text(LOG)
    gz = tmp_path / "access.log.1.gz"
    gz.write_bytes(gzip.compress(LOG.encode()))
    renamed = tmp_path / "old-access.log"
    shutil.copy(log, renamed)
    assert run_import(kb, log)[0] == 0
    code, output = run_import(kb, log, gz, renamed)
    assert code == 0
    assert output == (
        f"{log}: already imported (20 lines), nothing counted again\n"
        f"{gz}: already imported (20 lines), nothing counted again\n"
        f"{renamed}: already imported (20 lines), nothing counted again\n"
        "Imported 0 views from 3 files.\n"
    )
    assert dump(kb)["page_views"] == EXPECTED_VIEWS


def test_gzip_log_imports_like_the_plain_one(kb: KnowledgeBase, tmp_path: Path) -> None:
    gz = tmp_path / "access.log.2.gz"
    gz.write_bytes(gzip.compress(LOG.encode()))
    code, output = run_import(kb, gz)
    assert (code, output.splitlines()[-1]) == (0, "Imported 9 views from 1 file.")
    assert dump(kb)["page_views"] == EXPECTED_VIEWS


def test_a_growing_log_counts_only_new_complete_lines(kb: KnowledgeBase, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    half_written = line(PASSWORD).rstrip("\n")
    log.write_text(LOG + half_written)  # nginx is mid-write: the last line has no newline yet
    assert run_import(kb, log)[0] == 0
    assert dump(kb)["page_views"] == EXPECTED_VIEWS
    with log.open("a") as fh:
        fh.write("\n" + line(VPN))
    code, output = run_import(kb, log)
    assert (code, output) == (
        0,
        f"{log}: 2 lines (resumed after line 20), 2 views counted, 0 bot lines, "
        "0 other requests, 0 unreadable lines\nImported 2 views from 1 file.\n",
    )
    views = {(d, p): n for d, p, _, _, n in dump(kb)["page_views"]}
    assert views[("2026-11-25", VPN)] == 6
    assert views[("2026-11-25", PASSWORD)] == 1


class Killed(Exception):
    pass


def test_killed_import_rerun_gives_the_same_totals(kb: KnowledgeBase, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(LOG * 3)
    pages = PageIndex(kb.site_dir)

    def kill_after_second_chunk(line_no: int) -> None:
        if line_no == 10:
            raise Killed

    with StatsStore(kb.stats_db_path) as store:
        with pytest.raises(Killed):
            import_log(store, log, pages, chunk_lines=5, after_chunk=kill_after_second_chunk)
        assert store.query("SELECT lines FROM imported_logs") == [(10,)]
        resumed = import_log(store, log, pages, chunk_lines=5)
    assert (resumed.skipped_lines, resumed.lines) == (10, 50)
    killed_then_resumed = dump(kb)["page_views"]

    clean_kb_db = tmp_path / "clean.sqlite"
    with StatsStore(clean_kb_db) as store:
        import_log(store, log, pages)
        clean = store.dump()["page_views"]
    assert killed_then_resumed == clean
    assert sum(r[4] for r in clean) == 27


def test_import_json_output(kb: KnowledgeBase, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(LOG)
    result = CliRunner().invoke(
        cli, ["stats", "import-log", "--json", "--kb", str(kb.root), str(log)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "files": [
            {"path": str(log), "lines": 20, "skipped_lines": 0, "views": 9, "bots": 4,
             "not_pages": 6, "malformed": 1}
        ],
        "views": 9,
    }  # fmt: skip


def test_import_without_a_built_site_says_what_to_do(kb: KnowledgeBase, tmp_path: Path) -> None:
    (kb.site_dir / "kbgen-pages.json").unlink()
    log = tmp_path / "access.log"
    log.write_text(LOG)
    code, output = run_import(kb, log)
    assert (code, output) == (
        1,
        f"Error: {kb.site_dir / 'kbgen-pages.json'} is missing or empty: build the site first "
        "(kbgen build) so the import knows which paths are articles\n",
    )


def test_corrupt_gzip_is_a_clear_error(kb: KnowledgeBase, tmp_path: Path) -> None:
    gz = tmp_path / "broken.log.gz"
    gz.write_bytes(gzip.compress(LOG.encode())[:-30])
    with StatsStore(kb.stats_db_path) as store, pytest.raises(StatsError) as err:
        import_log(store, gz, PageIndex(kb.site_dir))
    assert str(err.value.message).startswith(f"{gz}: unreadable after line ")
    assert err.value.message.endswith(
        "the lines before it are counted, re-run the import after fixing the file"
    )


KILLABLE_IMPORT = """
import sys
from pathlib import Path
from kbgen.stats.events import PageIndex
from kbgen.stats.logimport import import_log
from kbgen.stats.store import StatsStore

def progress(line_no):
    print(line_no, flush=True)

with StatsStore(sys.argv[1]) as store:
    import_log(store, Path(sys.argv[2]), PageIndex(Path(sys.argv[3])), chunk_lines=500,
               after_chunk=progress)
print("done", flush=True)
"""


@pytest.mark.slow
def test_sigkilled_import_rerun_gives_the_same_totals(kb: KnowledgeBase, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    log = tmp_path / "access.log.gz"
    log.write_bytes(gzip.compress((LOG * 1500).encode()))  # 30,000 lines
    db = kb.stats_db_path
    db.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_IMPORT, str(db), str(log), str(kb.site_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "500\n"  # the first chunk is committed
    proc.send_signal(signal.SIGKILL)  # wherever it is now: mid-chunk, mid-commit, or done
    proc.wait(timeout=30)
    with StatsStore(db) as store:
        assert store.query("SELECT COUNT(*) FROM imported_logs") == [(1,)]
        import_log(store, log, PageIndex(kb.site_dir))
        resumed = store.dump()["page_views"]
    with StatsStore(tmp_path / "clean.sqlite") as clean_store:
        import_log(clean_store, log, PageIndex(kb.site_dir))
        clean = clean_store.dump()["page_views"]
    assert resumed == clean
    assert sum(row[4] for row in clean) == 9 * 1500


def test_different_logs_are_never_taken_for_one(kb: KnowledgeBase, tmp_path: Path) -> None:
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("\n" + line(VPN, when="25/Nov/2026:10:00:00 +0000"))
    second.write_text("\n" + line(VPN, when="25/Nov/2026:10:00:01 +0000"))
    empty = tmp_path / "empty.log"
    empty.write_text("")
    code, output = run_import(kb, first, second, empty)
    assert (code, output.splitlines()[-1]) == (0, "Imported 2 views from 3 files.")
    assert dump(kb)["page_views"] == [("2026-11-25", VPN, "KB-0001", "log", 2)]
