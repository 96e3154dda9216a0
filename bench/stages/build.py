"""Build: ``kbgen build`` against a plain ``mkdocs build`` of the same pages.

The baseline is the same site without kbgen: the KB's own ``mkdocs.yml``
(Material with the same features, Markdown extensions, search and tags
plugins) minus the ``kbgen`` plugin, publishing the same pages as plain files
(the articles, plus the home, browse, category, popular, recent and tags pages
kbgen generates, written out as Markdown) with the same short nav, so articles
stay out of it. What differs is exactly kbgen's work: filtering, sanitising,
the article panel, related articles, the small browser index and the leak
scan. Both run in-process in their own child, so interpreter start-up is not
counted on either side.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.measure import stopwatch
from kbgen.kb import KnowledgeBase
from kbgen.site import build_site
from kbgen.site.catalog import site_nav
from kbgen.site.stage import stage_site


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _site_figures(site: Path, result: dict[str, float], pages: int) -> None:
    result["site_mb"] = tree_bytes(site) / 2**20
    index = site / "search" / "search_index.json"
    result["index_mb"] = index.stat().st_size / 2**20 if index.exists() else 0.0
    result["pages"] = pages
    result["ms_per_page"] = result["seconds"] * 1000 / max(1, pages)


def _baseline_tree(kb_template: str, root: Path) -> None:
    """``root`` as a plain MkDocs project of the very pages kbgen publishes: kbgen's stage
    (articles as published, generated pages) as ``docs/``, the KB's own mkdocs.yml (theme,
    features, Markdown extensions, search and tags plugins) without the ``kbgen`` plugin,
    and kbgen's short nav so articles stay out of it."""
    import yaml

    with tempfile.TemporaryDirectory(prefix="kbgen-bench-stage-") as tmp:
        kb_root = Path(tmp) / "kb"
        shutil.copytree(
            kb_template, kb_root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen")
        )
        kb = KnowledgeBase.open(kb_root)
        stage_site(kb, root / "docs", site_name="Support Knowledge Base")
        nav = site_nav(kb.config.site.internal)
        shutil.copytree(kb_root / "site_config" / "overrides", root / "site_config" / "overrides")
        text = (kb_root / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() != "- kbgen"]
    text = "\n".join(lines)
    for docs_dir in ("docs_dir: content/articles", "docs_dir: .kbgen/site-src"):
        text = text.replace(docs_dir, "docs_dir: docs")
    text = text.replace("strict: true", "strict: false")
    text += "\n" + yaml.safe_dump({"nav": nav}, allow_unicode=True)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")


def mkdocs_baseline(kb_template: str, keep_site: str = "") -> dict[str, float]:
    """Plain ``mkdocs build`` of the same pages; ``keep_site`` keeps the built site there."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with tempfile.TemporaryDirectory(prefix="kbgen-bench-mkdocs-") as tmp:
        root = Path(tmp)
        _baseline_tree(kb_template, root)
        result: dict[str, float] = {}
        with stopwatch(result):
            build(load_config(str(root / "mkdocs.yml")))
        # Per article, as kbgen_build counts: both sites also have the same generated pages.
        articles = len(list(Path(kb_template, "content", "articles").glob("*.md")))
        _site_figures(root / "site", result, articles)
        if keep_site and not Path(keep_site, "index.html").exists():
            shutil.rmtree(keep_site, ignore_errors=True)
            shutil.move(root / "site", keep_site)
    return result


def kbgen_site(kb_template: str, keep_site: str) -> dict[str, float]:
    """Build the KB's site once into ``keep_site`` (for the browser stage; not a timing)."""
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-site-") as tmp:
        root = Path(tmp) / "kb"
        # Without .kbgen/ (the prepared search index): a full build, as on a fresh clone in CI.
        shutil.copytree(kb_template, root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen"))
        build_site(KnowledgeBase.open(root), site_dir=Path(keep_site), strict=False)
    return {}


def kbgen_build(kb_template: str, rebuild: bool = False, keep_site: str = "") -> dict[str, float]:
    """``build_site`` on a copy of the KB; with ``rebuild``, also time a build after one edit.

    ``keep_site`` keeps the first built site there (for the browser stage).
    """
    with tempfile.TemporaryDirectory(prefix="kbgen-bench-build-") as tmp:
        root = Path(tmp) / "kb"
        # Without .kbgen/ (the prepared search index): a full build, as on a fresh clone in CI.
        shutil.copytree(kb_template, root, symlinks=True, ignore=shutil.ignore_patterns(".kbgen"))
        kb = KnowledgeBase.open(root)
        site = Path(tmp) / "site"
        result: dict[str, float] = {}
        with stopwatch(result):
            build_site(kb, site_dir=site, strict=False)
        _site_figures(site, result, len(list(kb.articles_dir.glob("*.md"))))
        if rebuild:
            edited = sorted(kb.articles_dir.glob("*.md"))[0]
            edited.write_text(
                edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8"
            )
            with stopwatch(result, "rebuild_seconds"):
                build_site(kb, site_dir=site, strict=False)
        if keep_site and not Path(keep_site, "index.html").exists():
            shutil.rmtree(keep_site, ignore_errors=True)
            shutil.move(site, keep_site)
    return result
