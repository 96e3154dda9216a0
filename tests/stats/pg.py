"""A real, throwaway PostgreSQL server for the store tests.

``initdb`` + ``pg_ctl`` from the Debian binaries, on a temp directory and a free
port on 127.0.0.1, trust auth. PostgreSQL refuses to run as root, so under
root (``make test`` in CI) the server runs as the ``postgres`` system user
(``nobody`` when that user does not exist) through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("KBGEN_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", user, "--"]
        raise PostgresUnavailable("running as root and runuser is missing")
    raise PostgresUnavailable("running as root and there is no postgres or nobody user")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server; yield its URL (database ``postgres``, user ``kbgen``); stop and delete it."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        raise PostgresUnavailable(
            f"no PostgreSQL binaries in {PG_BIN} (apt-get install postgresql)"
        )
    prefix = _run_as()
    base = Path(tempfile.mkdtemp(prefix="kbgen-pg-"))
    data = base / "data"
    if prefix:
        user = prefix[2]
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    base.chmod(0o700)
    port = _free_port()
    started = False
    try:
        _check([*prefix, str(initdb), "-D", str(data), "-A", "trust", "-U", "kbgen", "-E", "UTF8",
                "--no-sync", "--locale=C"])  # fmt: skip
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        )
        _check([*prefix, str(pg_ctl), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w",
                "-t", "60", "start"])  # fmt: skip
        started = True
        yield f"postgresql://kbgen@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*prefix, str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)


def _check(cmd: list[str]) -> None:
    got = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if got.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(cmd[:3])} failed: {got.stderr.strip() or got.stdout.strip()}"
        )
