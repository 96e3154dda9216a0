"""A function run in a forked child while the build goes on, with an in-process fallback.

MkDocs builds on one core; kbgen's own work (related articles, the leak scan)
runs beside it on the second. The child sends back its result or its
traceback; on any failure, or where fork is unavailable, the caller does the
work itself, which then raises the real error.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

def _run(conn: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", target(*args)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which redoes the work
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class ForkedCall:
    """``target(*args)`` in a forked child; :meth:`start` gives None where fork is unavailable."""

    def __init__(self, target: Callable[..., Any], args: tuple[Any, ...], name: str) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_run, args=(send, target, args), name=name, daemon=True
        )
        self.process.start()
        send.close()

    @classmethod
    def start(cls, target: Callable[..., Any], *args: Any, name: str) -> ForkedCall | None:
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        return cls(target, args, name)

    def result(self) -> tuple[bool, Any]:
        """Wait for the child: (True, its return value), or (False, None) if it failed."""
        try:
            status, payload = self._conn.recv()
        except EOFError:
            status, payload = "error", None
        finally:
            self._conn.close()
            self.process.join()
        return (True, payload) if status == "ok" else (False, None)

    def stop(self) -> None:
        """End the child early (the build failed) instead of leaving it blocked on its answer."""
        self._conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
