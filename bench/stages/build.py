"""Build: ``kbgen build`` against a plain ``mkdocs build`` of the same pages.

The baseline is what a user would otherwise run: MkDocs with Material and its
search plugin (separator set for Chinese, as stack-notes says it must be), the
articles copied into ``docs/`` and left out of the nav. Both run in-process in
their own child, so interpreter start-up is not counted on either side.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.measure import stopwatch
from bench.stages import require

BASELINE_CONFIG = """\
site_name: Baseline
docs_dir: docs
site_dir: site
theme:
  name: material
plugins:
  - search:
      separator: '[\\s\\u200b\\u3000\\-、。，．？！；]+'
nav:
  - Home: index.md
"""


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _site_figures(site: Path, result: dict[str, float], pages: int) -> None:
    result["site_mb"] = tree_bytes(site) / 2**20
    index = site / "search" / "search_index.json"
    result["index_mb"] = index.stat().st_size / 2**20 if index.exists() else 0.0
    result["pages"] = pages
    result["ms_per_page"] = result["seconds"] * 1000 / max(1, pages)


def mkdocs_baseline(kb_template: str, keep_site: str = "") -> dict[str, float]:
    """Plain ``mkdocs build`` of the KB's articles; ``keep_site`` keeps the built site there."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    articles = Path(kb_template) / "content" / "articles"
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-mkdocs-") as tmp:
        root = Path(tmp)
        shutil.copytree(articles, root / "docs")
        (root / "docs" / "index.md").write_text("# Baseline\n", encoding="utf-8")
        (root / "mkdocs.yml").write_text(BASELINE_CONFIG, encoding="utf-8")
        result: dict[str, float] = {}
        with stopwatch(result):
            build(load_config(str(root / "mkdocs.yml")))
        _site_figures(root / "site", result, len(list(articles.glob("*.md"))))
        if keep_site and not Path(keep_site, "index.html").exists():
            shutil.rmtree(keep_site, ignore_errors=True)
            shutil.move(root / "site", keep_site)
    return result


def kbgen_site(kb_template: str, keep_site: str) -> dict[str, float]:
    """Build the KB's site once into ``keep_site`` (for the browser stage; not a timing)."""
    site_build = require("kbgen.site.build", "build_site")
    kb_mod = require("kbgen.kb", "KnowledgeBase")
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-site-") as tmp:
        root = Path(tmp) / "kb"
        # Without .kbgen/ (the prepared search index): a full build, as on a fresh clone in CI.
        shutil.copytree(kb_template, root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen"))
        site_build.build_site(
            kb_mod.KnowledgeBase.open(root), site_dir=Path(keep_site), strict=False
        )
    return {}


def kbgen_build(kb_template: str, rebuild: bool = False, keep_site: str = "") -> dict[str, float]:
    """``build_site`` on a copy of the KB; with ``rebuild``, also time a build after one edit.

    ``keep_site`` keeps the first built site there (for the browser stage).
    """
    site_build = require("kbgen.site.build", "build_site")
    kb_mod = require("kbgen.kb", "KnowledgeBase")
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-build-") as tmp:
        root = Path(tmp) / "kb"
        # Without .kbgen/ (the prepared search index): a full build, as on a fresh clone in CI.
        shutil.copytree(kb_template, root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen"))
        kb = kb_mod.KnowledgeBase.open(root)
        site = Path(tmp) / "site"
        result: dict[str, float] = {}
        with stopwatch(result):
            site_build.build_site(kb, site_dir=site, strict=False)
        _site_figures(site, result, len(list(kb.articles_dir.glob("*.md"))))
        if rebuild:
            edited = sorted(kb.articles_dir.glob("*.md"))[0]
            edited.write_text(
                edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8"
            )
            with stopwatch(result, "rebuild_seconds"):
                site_build.build_site(kb, site_dir=site, strict=False)
        if keep_site and not Path(keep_site, "index.html").exists():
            shutil.rmtree(keep_site, ignore_errors=True)
            shutil.move(site, keep_site)
    return result
