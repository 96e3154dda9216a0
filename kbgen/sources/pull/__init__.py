"""Live pulls: ``kbgen capture jira:PROJECT --jql ...`` and friends, incremental and resumable.

    with pull(kb.state_dir, PullSpec("jira", "HD", query="project = HD")) as pulled:
        capture_tickets(kb, [pulled.path], CaptureOptions(format=pulled.format))
        pulled.commit()    # only now does the high-water mark move

A pull fetches every page into ``.kbgen/pulls/<name>/`` (see
:mod:`kbgen.sources.pull.state`) before anything is read, so a failure midway
imports nothing; the next run resumes at the page that failed. The snapshot is
in the vendor's own shape and is read by the vendor's ordinary source.
Tokens come from the environment only (``KBGEN_JIRA_TOKEN``, ...).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kbgen.exceptions import SourceError
from kbgen.sources.pull.base import PullSpec, Vendor, environment
from kbgen.sources.pull.github import GitHubPull
from kbgen.sources.pull.http import PullClient
from kbgen.sources.pull.jira import JiraPull
from kbgen.sources.pull.servicenow import ServiceNowPull
from kbgen.sources.pull.state import PullState
from kbgen.sources.pull.zendesk import ZendeskPull

__all__ = ["PULLS", "Pulled", "PullSpec", "parse_pull_spec", "pull"]

PULLS: dict[str, type[Vendor]] = {
    v.name: v for v in (JiraPull, ServiceNowPull, ZendeskPull, GitHubPull)
}


def parse_pull_spec(text: str) -> tuple[str, str] | None:
    """``jira:HD`` -> ("jira", "HD"); None when ``text`` does not name a pull."""
    vendor, colon, target = text.partition(":")
    if not colon or vendor.lower() not in PULLS or "/" in vendor or "\\" in vendor:
        return None
    return vendor.lower(), target


@dataclass
class Pulled:
    path: Path  # the snapshot to capture
    format: str  # the source that reads it
    pages: int
    items: int
    resumed: bool
    state: PullState
    mark: str

    def commit(self) -> None:
        """Capture took the snapshot: move the high-water mark and forget the pages."""
        self.state.commit(self.mark)


@contextmanager
def pull(
    state_dir: Path,
    spec: PullSpec,
    *,
    env: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_page: Callable[[int, int], None] | None = None,
) -> Iterator[Pulled]:
    """Fetch every page (resuming an unfinished pull), then yield the snapshot to capture."""
    env = env if env is not None else environment()
    cls = PULLS.get(spec.vendor)
    if cls is None:
        raise SourceError(f"unknown pull '{spec.vendor}:'; use one of: {', '.join(PULLS)}")
    vendor = cls(spec, env, PullClient(cls.headers(env), sleep=sleep))
    state = PullState(state_dir, PullState.name_for(spec.vendor, spec.target, spec.query))
    with state.locked():
        signature = vendor.signature()
        progress = None if spec.restart else state.progress(signature)
        resumed = progress is not None and (progress.pages > 0 or progress.complete)
        if progress is None:
            progress = state.start(signature, vendor.first(state.mark()))
        while not progress.complete:
            key = json.dumps(progress.cursor, sort_keys=True)
            if key in progress.seen:
                raise SourceError(
                    f"the {spec.vendor} server sent a page cursor it had sent before (a loop); "
                    "the pull stopped and nothing was imported"
                )
            page = vendor.page(progress.cursor)
            state.write_page(progress, page.lines)
            progress.seen.append(key)
            marks = [progress.mark] if progress.mark else []
            progress.mark = vendor.mark_of(marks + page.marks, page.next)
            if page.next is None:
                progress.complete = True
            else:
                progress.cursor = page.next
            state.save(progress)
            if on_page:
                on_page(progress.pages, progress.items)
        snapshot = state.snapshot(cls.envelope)
        yield Pulled(
            path=snapshot,
            format=cls.reader,
            pages=progress.pages,
            items=progress.items,
            resumed=resumed,
            state=state,
            mark=progress.mark,
        )
