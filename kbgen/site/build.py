"""``build_site``: build into a temporary directory, check it, and swap it in only on success.

``mkdocs build --strict`` aborts *after* it has cleaned and rewritten its
output directory, so building straight into ``site/`` would leave a broken
site behind. Here MkDocs writes into a sibling temporary directory; the leak
scan reads that; only when both pass is the old site replaced (two renames).
Never ``--dirty``: a dirty build rewrites the search index with just the
changed pages.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from kbgen.exceptions import KbgenError, SiteError
from kbgen.kb import KnowledgeBase
from kbgen.site.leaks import Leak, Scanner, SiteScan, default_scanner

MAX_LISTED = 20


@dataclass
class BuildResult:
    site_dir: str  # as users see it: "site/" or an absolute path
    published: int
    retired: int
    search_documents: int  # entries in the browser index (search/search_index.json)
    index_documents: int  # articles in the term store (.kbgen/index), drafts included
    scanned_files: int

    def to_json(self) -> dict[str, Any]:
        return {
            "site_dir": self.site_dir,
            "published": self.published,
            "retired": self.retired,
            "search_documents": self.search_documents,
            "index_documents": self.index_documents,
            "leak_scan": {"files": self.scanned_files, "findings": 0},
        }

    def summary_lines(self) -> list[str]:
        noun = "article" if self.published == 1 else "articles"
        docs = "document" if self.search_documents == 1 else "documents"
        lines = [
            f"Built {self.published} published {noun} into {self.site_dir} "
            f"(search index: {self.search_documents} {docs})"
        ]
        if self.retired:
            lines.append(
                f"{self.retired} retired article{'s' if self.retired != 1 else ''} left a tombstone page"
            )
        lines.append(f"Leak scan: {self.scanned_files} files, no findings")
        return lines


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors for the error message (and off stderr)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextmanager
def _collect_mkdocs_log() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _display(kb: KnowledgeBase, path: Path) -> str:
    rel = kb.relpath(path)
    return (str(path) if rel.startswith("..") else rel) + "/"


def _swap_in(built: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, old / "site")
    os.rename(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    kb: KnowledgeBase,
    *,
    site_dir: Path | None = None,
    strict: bool = True,
    scanner: Scanner | None = None,
) -> BuildResult:
    """Build the published site; raise :class:`SiteError` on any failure.

    The build also refreshes the term store behind related articles
    (``.kbgen/index/terms.sqlite``); the whoosh index is caught up by
    ``kbgen search``, capture and the collector when they next use it.

    ``scanner`` replaces the leak scanner (tests); it defaults to
    ``kbgen.redaction.scan_text`` with the KB's redaction settings.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # kbgen pins MkDocs 1.6 on purpose
    target = (Path(site_dir) if site_dir else kb.site_dir).resolve()
    shown = _display(kb, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    scan: SiteScan | None = None
    try:
        with _collect_mkdocs_log() as log:
            try:
                config = load_config(str(kb.root / "mkdocs.yml"), site_dir=str(work), strict=strict)
                plugin = config.plugins["kbgen"]
                # Started after load_config, so a broken config costs no child process.
                scan = SiteScan(scanner or default_scanner(kb), work)
                plugin.page_observer = scan.add_page  # type: ignore[attr-defined]
                build(config)
            except KbgenError:
                raise
            except Exception as exc:  # noqa: BLE001 - MkDocs and Markdown raise anything
                # Abort, PluginError and ConfigurationError carry their own message; anything
                # else (a ValueError from a URL MkDocs cannot parse) is named by its type.
                known = isinstance(exc, Abort | ConfigurationError | PluginError)
                text = str(exc) if known else f"{type(exc).__name__}: {exc}"
                problems = [*log.messages, text]
                # "Aborted with a BuildError!" adds nothing to the error it follows.
                problems = [p for p in dict.fromkeys(problems) if p and "BuildError" not in p]
                listed = "\n".join(f"  {m}" for m in problems[:MAX_LISTED])
                more = (
                    f"\n  ... and {len(problems) - MAX_LISTED} more"
                    if len(problems) > MAX_LISTED
                    else ""
                )
                raise SiteError(
                    f"the site build failed and {shown} is unchanged:\n{listed}{more}"
                ) from None
        assert scan is not None  # build() ran, so the scan was started before it
        scanned, leaks = scan.finish()
        if leaks:
            raise SiteError(_leak_message(leaks, shown))
        result = BuildResult(
            site_dir=shown,
            published=plugin.published_count,  # type: ignore[attr-defined]
            retired=plugin.retired_count,  # type: ignore[attr-defined]
            search_documents=plugin.search_documents,  # type: ignore[attr-defined]
            index_documents=plugin.index_documents,  # type: ignore[attr-defined]
            scanned_files=scanned,
        )
        _swap_in(work, target)
        return result
    finally:
        if scan is not None:
            scan.close()
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _leak_message(leaks: list[Leak], shown: str) -> str:
    listed = "\n".join(f"  {leak}" for leak in leaks[:MAX_LISTED])
    more = f"\n  ... and {len(leaks) - MAX_LISTED} more" if len(leaks) > MAX_LISTED else ""
    return (
        f"the leak scan found {len(leaks)} problem{'s' if len(leaks) != 1 else ''} in the built site, "
        f"so {shown} is unchanged:\n{listed}{more}\n"
        "Redact them in the articles (or add deliberate strings to redaction.allow in "
        "site_config/kbgen.yml) and build again"
    )
