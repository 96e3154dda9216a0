"""Atomic file writes: every file kbgen writes is either its old or its new content.

A temp file in the same directory, fsync, ``os.replace``, then fsync the
directory; the temp file is removed on any failure, and a killed run's leftovers
are swept by :func:`remove_stale_temp_files` on the next run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from kbgen.exceptions import WriteError

TEMP_SUFFIX = ".tmp"
_WRITE_HINT = "the old file is intact; free disk space or fix permissions and run again"


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``path`` so that it is always either the old or the new content.

    Temp file in the same directory, fsync, ``os.replace``, then fsync the
    directory. The temp file is removed on any failure.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name[:40]}.", suffix=TEMP_SUFFIX, dir=path.parent
        )
    except OSError as exc:
        raise WriteError(f"{path}: cannot write ({exc.strerror}); {_WRITE_HINT}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(f"{path}: cannot write ({exc.strerror}); {_WRITE_HINT}") from exc
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete the ``.<name>.<random>.tmp`` files a killed :func:`atomic_write` left behind.

    Only call this while holding the KB lock: then no other kbgen run is mid-write.
    """
    removed = []
    if directory.is_dir():
        for tmp in directory.rglob(f".*{TEMP_SUFFIX}"):
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink()
                removed.append(tmp)
    return removed
