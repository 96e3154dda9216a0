"""``kbgen build``: the publishing pipeline, readable in one function (:func:`build_site`).

    stage      what may be published, verified, as Markdown (stage.py)
    render     MkDocs and Material turn it into HTML (render.py)
    finish     kbgen sanitises each staged page's content, fills in related
               articles and redirects (postbuild.py), installs its search worker
    leak scan  every page and the site's JSON files (leaks.py)
    swap       the new site replaces the old one only when all of that passed

MkDocs writes into a temporary folder under ``.kbgen/build/`` (swept at the
start of the next build, so a killed build leaves nothing in the KB root):
``mkdocs build --strict`` aborts *after* it has cleaned its output directory,
so building straight into ``site/`` would leave a broken site behind. Never
``--dirty``: a dirty build rewrites the search index with just the changed pages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbgen.exceptions import SiteError
from kbgen.kb import KnowledgeBase
from kbgen.site.leaks import Leak, Scanner, SiteScan
from kbgen.site.postbuild import finish_pages
from kbgen.site.related import finish_related_job, start_related_job
from kbgen.site.render import EOL_NOTICE, docs_dir_warning, render, site_settings
from kbgen.site.stage import default_scanner, stage_site

MAX_LISTED = 20


@dataclass
class BuildResult:
    site_dir: str  # as users see it: "site/" or an absolute path
    published: int
    retired: int
    search_documents: int  # entries in the browser index (search/search_index.json)
    index_documents: int  # articles in the term store (.kbgen/index), drafts included
    scanned_files: int
    withheld: list[str] = field(default_factory=list)  # one line per article held back
    as_approved: list[str] = field(default_factory=list)  # ids published as last approved
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "site_dir": self.site_dir,
            "published": self.published,
            "retired": self.retired,
            "search_documents": self.search_documents,
            "index_documents": self.index_documents,
            "leak_scan": {"files": self.scanned_files, "findings": 0},
            "withheld": self.withheld,
            "published_as_approved": self.as_approved,
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
        lines += [f"Withheld: {line.removeprefix('withheld ')}" for line in self.withheld]
        if self.as_approved:
            lines.append(
                f"Published as last approved (edited since, approve the edit to publish it): "
                f"{', '.join(self.as_approved)}"
            )
        lines.append(f"Leak scan: {self.scanned_files} files, no findings")
        lines += self.notes
        return lines


def build_site(
    kb: KnowledgeBase,
    *,
    site_dir: Path | None = None,
    strict: bool = True,
    strict_leaks: bool = False,
    scanner: Scanner | None = None,
) -> BuildResult:
    """Build the published site; raise :class:`SiteError` on any failure (see the module doc).

    ``strict`` is MkDocs' strict mode (warnings fail the build). ``strict_leaks``
    turns an article the stage would withhold into a failed build (for CI).
    ``scanner`` replaces the leak scanner (tests); it defaults to
    ``kbgen.redaction.scan_text`` with the KB's redaction settings.
    """
    target = (Path(site_dir) if site_dir else kb.site_dir).resolve()
    shown = _display(kb, target)
    with kb.lock("kbgen build"):
        _sweep(kb.build_dir, target)
        settings = site_settings(kb)
        directory_urls = bool(settings.get("use_directory_urls", True))
        scanner = scanner or default_scanner(kb)
        try:
            stage = stage_site(
                kb,
                kb.stage_dir,
                site_name=str(settings.get("site_name") or "Knowledge base"),
                use_directory_urls=directory_urls,
                strict=strict_leaks,
                scanner=scanner,
            )
        except SiteError as exc:
            raise SiteError(f"the site build failed and {shown} is unchanged:\n  {exc.message}") from None
        related_limit = _plugin_option(settings, "related_limit", 5)
        related_job = start_related_job(kb, related_limit)
        kb.build_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="site-", dir=kb.build_dir))
        scan: SiteScan | None = None
        try:
            plugin = render(kb, stage, work, strict=strict, shown=shown)
            related = finish_related_job(kb, related_job, related_limit)
            related_job = None
            scan = SiteScan(scanner, work, in_child=False)
            finish_pages(
                work,
                stage,
                related.related,
                scan,
                use_directory_urls=directory_urls,
                related_limit=related_limit,
            )
            scanned, leaks = scan.finish()
            if leaks:
                raise SiteError(_leak_message(leaks, shown))
            _swap_in(work, target)
        finally:
            if related_job is not None:
                related_job.stop()
            if scan is not None:
                scan.close()
            shutil.rmtree(work, ignore_errors=True)
    notes = [EOL_NOTICE]
    warning = docs_dir_warning(kb, settings)
    if warning:
        notes.insert(0, warning)
    return BuildResult(
        site_dir=shown,
        published=len(stage.articles),
        retired=len(stage.tombstones),
        search_documents=plugin.search_documents,
        index_documents=related.stored,
        scanned_files=scanned,
        withheld=[w.line() for w in stage.withheld],
        as_approved=stage.as_approved,
        notes=notes,
    )


def _display(kb: KnowledgeBase, path: Path) -> str:
    rel = kb.relpath(path)
    return (str(path) if rel.startswith("..") else rel) + "/"


def _plugin_option(settings: dict[str, Any], name: str, default: int) -> int:
    """An option of the kbgen plugin in mkdocs.yml (``plugins: [{kbgen: {name: value}}]``)."""
    for entry in settings.get("plugins") or []:
        if isinstance(entry, dict) and isinstance(entry.get("kbgen"), dict):
            value = entry["kbgen"].get(name, default)
            return value if isinstance(value, int) else default
    return default


def _sweep(build_dir: Path, target: Path) -> None:
    """Remove what a killed build left behind (the caller holds the KB lock).

    Builds work in ``.kbgen/build``; kbgen versions before it left
    ``.site.building-*`` and ``.site.old-*`` folders beside the site.
    """
    leftovers = [*build_dir.glob("*")] if build_dir.is_dir() and not build_dir.is_symlink() else []
    for pattern in (".{}.building-*", ".{}.old-*", ".{}.new-*"):
        leftovers += target.parent.glob(pattern.format(target.name))
    for leftover in leftovers:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _swap_in(built: Path, target: Path) -> None:
    """Replace ``target`` with ``built`` in two renames (a copy first across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(built).st_dev != os.stat(target.parent).st_dev:
        near = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        shutil.copytree(built, near / "site")
        built = near / "site"
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rename(target, old / "site")
    os.rename(built, target)
    for leftover in [old, *target.parent.glob(f".{target.name}.new-*")]:
        if leftover is not None:
            shutil.rmtree(leftover, ignore_errors=True)


def _leak_message(leaks: list[Leak], shown: str) -> str:
    listed = "\n".join(f"  {leak}" for leak in leaks[:MAX_LISTED])
    more = f"\n  ... and {len(leaks) - MAX_LISTED} more" if len(leaks) > MAX_LISTED else ""
    return (
        f"the leak scan found {len(leaks)} problem{'s' if len(leaks) != 1 else ''} in the built site, "
        f"so {shown} is unchanged:\n{listed}{more}\n"
        "Redact them in the articles (or add deliberate strings to redaction.allow in "
        "site_config/kbgen.yml) and build again"
    )
