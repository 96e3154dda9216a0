"""Drive the real ``kbgen`` CLI on a KB in tmp_path, and look at everything it left behind.

The hostile suite never checks one stage's return value: it runs the commands a
person runs (init, capture, review approve, check, build, search) and then
reads every byte the KB holds (work tree, .kbgen/ store, site/, git history and
the command output) for what must not be there.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kbgen.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"

# The same environment tests/conftest.py's autouse fixture sets, for module-scoped KBs
# (a module fixture cannot use the function-scoped monkeypatch).
STABLE_ENV = {
    "KBGEN_TODAY": "2026-11-25",
    "GIT_AUTHOR_NAME": "Eve Engineer",
    "GIT_AUTHOR_EMAIL": "eve@example.test",
    "GIT_COMMITTER_NAME": "Eve Engineer",
    "GIT_COMMITTER_EMAIL": "eve@example.test",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_MKDOCS_2_WARNING": "1",
}


@contextmanager
def stable_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name, value in STABLE_ENV.items():
            mp.setenv(name, value)
        mp.delenv("GITHUB_ACTIONS", raising=False)
        yield


def kbgen(*args: str | Path) -> Result:
    """Run one command; a Python traceback (anything but a clean exit) fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"kbgen {' '.join(map(str, args))} crashed instead of failing cleanly"
        ) from result.exception
    return result


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, encoding="utf-8"
    )
    return done.stdout


def new_kb(root: Path, config: str = "") -> Path:
    """``kbgen init`` plus an optional committed site_config/kbgen.yml."""
    result = kbgen("init", root)
    assert result.exit_code == 0, result.output
    if config:
        (root / "site_config" / "kbgen.yml").write_text(config, encoding="utf-8")
        git(root, "commit", "-q", "-am", "Configure kbgen")
    return root


# The lock file is created empty by the first command that takes the lock, and the .kbgen/
# folder with it: neither holds data. The search index under .kbgen/index/ is a cache that
# capture brings up to date with content/articles before it starts. SQLite files are compared
# by their rows (see below).
IGNORED_IN_SNAPSHOT = {".kbgen/lock", ".kbgen"}
IGNORED_FOLDERS = (".git/", ".kbgen/index/")


def sqlite_rows(path: Path) -> str:
    """The data rows of every table: an empty store created by a failed run holds nothing.

    ``*_captured`` columns (when kbgen last read a ticket, to the second) are bookkeeping
    that a re-run may touch; everything else in a row must stay the same.
    """
    rows: list[str] = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in sorted(set(tables) - {"schema_version"}):
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            kept = ", ".join(f'"{c}"' for c in columns if not c.endswith("_captured"))
            rows += [f"{table}: {row!r}" for row in db.execute(f'SELECT {kept} FROM "{table}"')]
    return "\n".join(sorted(rows))


def snapshot(root: Path) -> dict[str, str]:
    """Every file outside .git (path -> sha256), plus every git ref, HEAD and the status."""
    state: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel in IGNORED_IN_SNAPSHOT or f"{rel}/".startswith(IGNORED_FOLDERS):
            continue
        if rel.endswith((".sqlite-wal", ".sqlite-shm", ".sqlite-journal")):
            continue  # folded into the .sqlite file's rows
        if path.suffix == ".sqlite":
            if rows := sqlite_rows(path):
                state[rel] = rows
        elif path.is_symlink():
            state[rel] = "symlink -> " + str(path.readlink())
        elif path.is_file():
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            state[rel + "/"] = "dir"
    state["git refs"] = git(root, "for-each-ref", "--format=%(refname) %(objectname)")
    state["git HEAD"] = git(root, "symbolic-ref", "-q", "HEAD")
    state["git status"] = git(root, "status", "--porcelain", "--untracked-files=all")
    return state


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def everything(root: Path, *outputs: str) -> str:
    """All text the KB holds or the commands printed, lower-cased, escapes removed too.

    Files are read as bytes (SQLite stores text uncompressed), git objects through
    ``git log -p`` over every ref, so commit messages and every draft version count.
    """
    parts = list(outputs)
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and ".git" not in path.relative_to(root).parts:
            parts.append(path.read_bytes().decode("utf-8", "ignore"))
    parts.append(git(root, "log", "--all", "-p", "--format=%an %ae%n%B"))
    text = "\n".join(parts).lower()
    return text + "\n" + text.replace("\\", "")


def site_text(site: Path) -> str:
    """Every file of the built site (HTML, search/search_index.json, sitemap.xml), lower-cased."""
    parts = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".js", ".txt"}:
            parts.append(path.read_text(encoding="utf-8", errors="ignore"))
    return "\n".join(parts).lower()


class LogCollector(logging.Handler):
    """Every log record at any level, for module-scoped runs (caplog is per test)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @contextmanager
    def attached(self) -> Iterator[LogCollector]:
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        try:
            yield self
        finally:
            root.removeHandler(self)
            root.setLevel(old_level)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
