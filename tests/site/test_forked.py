"""ForkedCall: a function in a forked child, its result or a failure the caller can redo."""

from __future__ import annotations

import os
import time

import pytest

from kbgen.site.forked import ForkedCall


def pid_and_sum(a: int, b: int) -> tuple[int, int]:
    return os.getpid(), a + b


def fails() -> None:
    raise RuntimeError("boom")


def dies() -> None:
    os._exit(9)


def sleeps() -> None:
    time.sleep(60)


def test_the_result_comes_from_another_process() -> None:
    call = ForkedCall.start(pid_and_sum, 2, 3, name="kbgen-test")
    assert call is not None
    done, (pid, total) = call.result()
    assert (done, total) == (True, 5)
    assert pid != os.getpid()
    assert call.process.exitcode == 0


@pytest.mark.parametrize("target", [fails, dies])
def test_a_failing_or_dying_child_reports_failure(target: object) -> None:
    call = ForkedCall.start(target, name="kbgen-test")  # type: ignore[arg-type]
    assert call is not None
    assert call.result() == (False, None)
    assert not call.process.is_alive()


def test_stop_ends_a_busy_child() -> None:
    call = ForkedCall.start(sleeps, name="kbgen-test")
    assert call is not None
    call.stop()
    assert not call.process.is_alive()


def test_without_fork_start_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert ForkedCall.start(pid_and_sum, 1, 2, name="kbgen-test") is None
