"""Where a live pull keeps its pages and its high-water mark: ``.kbgen/pulls/<name>/``.

    mark.json        the committed high-water mark (updated-since time or cursor)
    state.json       the pull in progress: its parameters, the next request, pages done
    pages/00001.jsonl ...   one file per fetched page, written atomically
    snapshot.*       all pages in one file, once the last page is in
    lock             held while a pull runs

A pull that fails midway leaves ``state.json`` and the pages it has: the next
run with the same parameters resumes at the page that failed. Nothing is
imported until every page is in, and the mark moves only after capture has
taken the snapshot (:meth:`PullState.commit`), so a failed capture pulls the
same tickets again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.kb import atomic_write


@dataclass
class Progress:
    """The pull in progress (``state.json``)."""

    signature: str
    cursor: dict[str, Any]
    pages: int = 0
    items: int = 0
    mark: str = ""  # the newest mark seen so far (committed only after capture)
    seen: list[str] = field(default_factory=list)  # cursors already requested (loop guard)
    complete: bool = False


class PullState:
    def __init__(self, root: Path, name: str) -> None:
        self.dir = root / "pulls" / name
        self.pages = self.dir / "pages"

    @staticmethod
    def name_for(vendor: str, target: str, query: str) -> str:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", target).strip("-")[:60] or "all"
        digest = hashlib.sha256(query.encode("utf-8")).hexdigest()[:8]
        return f"{vendor}-{slug}-{digest}"

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SourceError(
                    f"another pull of the same source is running (it holds {self.dir / 'lock'})"
                ) from None
            yield

    # --- the committed mark ----------------------------------------------------
    def mark(self) -> str:
        data = self._read("mark.json")
        return str(data.get("mark") or "") if data else ""

    # --- the pull in progress ----------------------------------------------------
    def progress(self, signature: str) -> Progress | None:
        """The unfinished (or finished, uncaptured) pull with these parameters, if any."""
        data = self._read("state.json")
        if not data or data.get("signature") != signature:
            return None
        return Progress(**{k: data[k] for k in Progress.__dataclass_fields__ if k in data})

    def start(self, signature: str, cursor: dict[str, Any]) -> Progress:
        shutil.rmtree(self.pages, ignore_errors=True)
        for leftover in self.dir.glob("snapshot.*"):
            leftover.unlink()
        progress = Progress(signature=signature, cursor=cursor)
        self.save(progress)
        return progress

    def save(self, progress: Progress) -> None:
        atomic_write(self.dir / "state.json", json.dumps(progress.__dict__, indent=1))

    def write_page(self, progress: Progress, lines: list[dict[str, Any]]) -> None:
        """One fetched page, atomically; then the progress that points past it."""
        self.pages.mkdir(parents=True, exist_ok=True)
        number = progress.pages + 1
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        atomic_write(self.pages / f"{number:05d}.jsonl", text)
        progress.pages = number
        progress.items += len(lines)

    def snapshot(self, envelope: str = "") -> Path:
        """All pages in one file: JSON Lines, or ``{envelope: [...]}`` for readers that want it."""
        target = self.dir / ("snapshot.json" if envelope else "snapshot.jsonl")
        temporary = target.with_suffix(target.suffix + ".tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            if envelope:
                out.write(json.dumps({envelope: []})[:-2])
            first = True
            for page in sorted(self.pages.glob("*.jsonl")):
                with open(page, encoding="utf-8") as fh:
                    for line in fh:
                        if envelope:
                            out.write(("" if first else ",") + line.rstrip("\n"))
                        else:
                            out.write(line)
                        first = False
            if envelope:
                out.write("]}")
        temporary.replace(target)
        return target

    def commit(self, mark: str) -> None:
        """Capture took the snapshot: move the mark, forget the pages."""
        if mark:
            atomic_write(self.dir / "mark.json", json.dumps({"mark": mark}))
        (self.dir / "state.json").unlink(missing_ok=True)
        shutil.rmtree(self.pages, ignore_errors=True)
        for snapshot in self.dir.glob("snapshot.*"):
            snapshot.unlink()

    def _read(self, name: str) -> dict[str, Any] | None:
        path = self.dir / name
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise SourceError(f"{path} is damaged; delete it to start this pull afresh") from None
        return data if isinstance(data, dict) else None
