"""A throwaway local PostgreSQL server for the collector backend row.

Debian's binaries (``/usr/lib/postgresql/<v>/bin``) refuse to run as root, so
when the harness runs as root the cluster belongs to the ``postgres`` user.
The server listens on a Unix socket in its own temporary folder only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bin() -> Path | None:
    # Debian's versioned folder first: /usr/local/bin may hold wrappers of other versions.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if versions:
        return Path(versions[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@contextmanager
def local_postgres(port: int = 55432) -> Iterator[str]:
    """Start a cluster, yield its URL, stop and delete it on exit."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    as_user: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="kbgen-bench-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(tmp, "postgres", "postgres")
    data, sock = tmp / "data", tmp
    try:

        def run(*args: str) -> None:
            proc = subprocess.run([*as_user, *args], capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(
                    f"{Path(args[0]).name} failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
                )

        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        options = (
            f"-k {sock} -c listen_addresses='' -p {port} -c fsync=off -c synchronous_commit=off"
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(tmp / "log"),
            "start",
        )
        try:
            run(
                str(bindir / "createdb"),
                "-h",
                str(sock),
                "-p",
                str(port),
                "-U",
                "postgres",
                "bench",
            )
            yield f"postgresql://postgres@/bench?host={sock}&port={port}"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
