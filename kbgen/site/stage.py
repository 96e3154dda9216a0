"""The publish boundary: stage exactly what may be published, as plain Markdown, for any renderer.

``mkdocs.yml`` points its ``docs_dir`` at the stage (``.kbgen/site-src``,
git-ignored), never at ``content/articles``. So a renderer that knows nothing
of kbgen (``mkdocs build`` without the plugin, ``zensical build``), run on the
KB as it sits in git, finds nothing to publish, and run after ``kbgen build``
finds only what kbgen staged. :func:`stage_site` decides, article by article:

1. select: ``published`` and ``needs_update`` articles, as their approval
   recorded them (an article edited since goes out in its last approved
   version, from git); ``retired`` ones become tombstones; drafts never, except
   in an author's local preview (``drafts=True``, ``mkdocs serve``);
2. verify: nothing that could put markup on a page (raw HTML, attribute lists,
   unsafe link schemes, external images: the gate's own rules) and no personal
   data or secret (the leak scan); an article that fails is withheld and
   named, the rest of the site is published (``strict`` makes it an error);
3. write: each article with escaped front-matter and kbgen's panel, its body
   between content markers (kbgen sanitises that region of the rendered page,
   see postbuild.py), the generated index pages, internal pages from the
   ``register_site_pages`` hook, images, and ``kbgen-pages.json``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbgen.exceptions import KbgenError, SiteError
from kbgen.kb import (
    MEDIA_SUFFIXES,
    MKDOCS_YML,
    KnowledgeBase,
    approval_state,
    article_entries,
    atomic_write,
    last_approved_version,
    markdown_config,
)
from kbgen.plugins import plugin_manager
from kbgen.redaction import scan_text
from kbgen.review import publish_problems
from kbgen.search import fast_load_article
from kbgen.site import catalog, pages
from kbgen.site.catalog import SiteArticle
from kbgen.site.leaks import Scanner
from kbgen.site.sanitize import escape, safe_tag

PAGES_MANIFEST = "kbgen-pages.json"
CONTENT_START = "<!-- kbgen:content -->"
CONTENT_END = "<!-- /kbgen:content -->"
RELATED_MARK = "<!-- kbgen:related -->"
WITHHELD_FILE = "withheld.json"  # in .kbgen/: what the last build held back, for review list


@dataclass(frozen=True)
class Withheld:
    id: str
    path: str  # KB-relative
    reason: str

    def line(self) -> str:
        return f"withheld {self.id} ({self.path}): {self.reason}"


@dataclass
class Stage:
    root: Path
    articles: list[SiteArticle] = field(default_factory=list)  # published, as staged
    tombstones: dict[str, SiteArticle | None] = field(default_factory=dict)  # src_uri -> target
    withheld: list[Withheld] = field(default_factory=list)
    as_approved: list[str] = field(default_factory=list)  # ids published in an older version
    generated: set[str] = field(default_factory=set)  # src_uris of kbgen's own pages
    usage: dict[str, dict[str, Any]] | None = None

    def content_pages(self) -> list[str]:
        """src_uris whose rendered pages carry the content markers."""
        return sorted({a.src_uri for a in self.articles} | self.generated)


def stage_site(
    kb: KnowledgeBase,
    stage_dir: Path,
    *,
    site_name: str,
    use_directory_urls: bool = True,
    drafts: bool = False,
    strict: bool = False,
    scanner: Scanner | None = None,
) -> Stage:
    """Write into ``stage_dir`` exactly what may be published; see the module doc.

    ``scanner`` is the leak scan (default: ``kbgen.redaction.scan_text`` with the
    KB's redaction settings, see :func:`default_scanner`).
    """
    refuse_symlinks(kb)
    stage = Stage(root=stage_dir)
    selected, retired = _select(kb, stage, drafts=drafts)
    _verify(kb, stage, selected, scanner or default_scanner(kb), strict=strict)
    for item in [*stage.articles, *retired]:
        item.url = catalog.page_url(item.src_uri, use_directory_urls)
    files: dict[str, bytes] = {}
    site = kb.config.site
    stage.usage = _usage(kb) if (site.show_stats or site.internal) else None
    by_id = {a.id: a for a in stage.articles}
    category_urls = {
        name: catalog.page_url(catalog.category_uri(name), use_directory_urls)
        for name in catalog.by_category(stage.articles)
    }
    for item in stage.articles:
        files[item.src_uri] = article_source(item, category_urls, stage.usage).encode("utf-8")
    for item in retired:
        target = by_id.get(str(item.article.meta.get("redirect_to") or ""))
        stage.tombstones[item.src_uri] = target
        files[item.src_uri] = _content(pages.tombstone_page(item, target))
    for uri, text in _index_pages(kb, stage, site_name, category_urls, use_directory_urls):
        files[uri] = _content(text)
    if site.internal:
        for uri, text in _internal_pages(kb):
            files[uri] = _content(text)
    stage.generated = {uri for uri in files if uri not in {a.src_uri for a in stage.articles}}
    files.update(_media(kb))
    records = sorted((a.page_record() for a in stage.articles), key=lambda r: r["page"])
    files[PAGES_MANIFEST] = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")
    _write(stage_dir, files)
    _remember_withheld(kb, stage.withheld)
    return stage


# --- 1. select -------------------------------------------------------------------


def _select(
    kb: KnowledgeBase, stage: Stage, *, drafts: bool
) -> tuple[list[SiteArticle], list[SiteArticle]]:
    """(articles to publish, retired ones) from content/articles, each as it may go out."""
    selected: list[SiteArticle] = []
    retired: list[SiteArticle] = []
    seen: set[str] = set()
    for entry in sorted(article_entries(kb.articles_dir), key=lambda e: e.path):
        path = Path(entry.path)
        rel = kb.relpath(path)
        src_uri = path.relative_to(kb.articles_dir).as_posix()
        if src_uri == catalog.HOME_URI or src_uri.split("/", 1)[0] in (
            catalog.GENERATED_DIR,
            catalog.INTERNAL_DIR,
        ):
            raise SiteError(
                f"{rel}: '{src_uri}' is reserved for kbgen's generated pages; rename or move the file"
            )
        if entry.is_symlink() or _through_symlink(path, kb.articles_dir):
            raise SiteError(
                f"{rel} is a symbolic link; kbgen never publishes through symlinks. "
                "Replace it with the file itself"
            )
        try:
            article = fast_load_article(path)
        except KbgenError as exc:
            raise SiteError(
                f"{exc.message.replace(str(path), rel)}. Fix the file ('kbgen check' lists every problem)"
            ) from None
        if article.id in seen:
            raise SiteError(f"{rel}: id {article.id} is used by another article; ids must be unique")
        seen.add(article.id)
        item = SiteArticle(src_uri=src_uri, article=article, kb_path=rel)
        if article.status == "retired":
            retired.append(item)
        elif article.is_published:
            approved = _as_approved(kb, item, stage)
            if approved is not None:
                selected.append(approved)
        elif drafts and article.status == "draft":
            selected.append(item)  # an author's local preview only (mkdocs serve)
    return selected, retired


def refuse_symlinks(kb: KnowledgeBase) -> None:
    """No symbolic link in what a build reads (mkdocs.yml, site_config/, content/): MkDocs
    would copy what one points to (``/etc/passwd``) into the site."""
    candidates = [kb.root / MKDOCS_YML]
    for folder in (kb.site_config_dir, kb.root / "content"):
        if folder.is_symlink():
            candidates.append(folder)
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            candidates += [Path(dirpath) / name for name in (*dirnames, *filenames)]
    for path in candidates:
        if path.is_symlink():
            raise SiteError(
                f"{kb.relpath(path)} is a symbolic link; kbgen never publishes through symlinks. "
                "Replace it with the file itself"
            )


def _as_approved(kb: KnowledgeBase, item: SiteArticle, stage: Stage) -> SiteArticle | None:
    """The article as its approval recorded it: edits nobody approved yet stay unpublished."""
    if approval_state(item.article) != "changed":
        return item
    older = last_approved_version(kb, item.kb_path)
    if older is None:
        stage.withheld.append(
            Withheld(
                item.id,
                item.kb_path,
                "changed since its approval and no approved version is in git; "
                f"approve it: kbgen review approve {item.id} --reviewer NAME",
            )
        )
        return None
    stage.as_approved.append(item.id)
    return SiteArticle(src_uri=item.src_uri, article=older, kb_path=item.kb_path)


def _through_symlink(path: Path, articles_dir: Path) -> bool:
    current = path.parent
    while current != articles_dir and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    real = os.path.realpath(path)
    return os.path.commonpath([real, os.path.realpath(articles_dir)]) != os.path.realpath(
        articles_dir
    )


# --- 2. verify -------------------------------------------------------------------

# Bodies whose text outside fenced code has none of these cannot carry markup of their
# own, so they skip the full Markdown render: most drafted articles (ticket text is
# escaped into entities like &lt;, never a bare < or {).
_SUSPICIOUS = re.compile(r"[<{]|&#|&[A-Za-z]+;|!\[|\]\s*[(:]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _verify(
    kb: KnowledgeBase,
    stage: Stage,
    selected: list[SiteArticle],
    scanner: Scanner,
    *,
    strict: bool,
) -> None:
    """Keep what passes the gate's markup rules and the leak scan; withhold the rest."""
    markdown = markdown_config(kb.root)
    image_hosts = {h.casefold() for h in kb.config.site.image_hosts}
    for item in selected:
        body = item.article.body
        problems = (
            publish_problems(body, markdown, image_hosts) if _SUSPICIOUS.search(_prose(body)) else []
        )
        text = "\n".join([item.title, item.summary, *item.article.tags, body])
        for finding in scanner(text):
            problems.append(f"possible {finding.kind} (leak scan)")
        if not problems:
            stage.articles.append(item)
            continue
        withheld = Withheld(item.id, item.kb_path, "; ".join(dict.fromkeys(problems)))
        if strict:
            raise SiteError(f"{withheld.line()}; --strict builds publish nothing then")
        stage.withheld.append(withheld)


def default_scanner(kb: KnowledgeBase) -> Scanner:
    """kbgen.redaction's re-scan, configured with the KB's internal hosts and allow-list."""
    redaction = kb.config.redaction

    def scan(text: str) -> list[Any]:
        return scan_text(text, internal_hosts=redaction.internal_hosts, allow=redaction.allow)

    return scan


def _prose(body: str) -> str:
    """``body`` without its fenced code blocks (where < and { are the code's own)."""
    out: list[str] = []
    fence = ""  # the opening run of ` or ~ while inside a fence
    for line in body.split("\n"):
        marker = _FENCE.match(line)
        if not fence:
            if marker:
                fence = marker.group(1)
            else:
                out.append(line)
        elif marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
            if not line.strip().strip(fence[0]):
                fence = ""
    return "\n".join(out)


# --- 3. write --------------------------------------------------------------------


def article_source(
    item: SiteArticle, category_urls: dict[str, str], usage: dict[str, dict[str, Any]] | None
) -> str:
    """The staged Markdown of one article: escaped front-matter, kbgen's panel, the body."""
    meta = {
        "title": escape(item.title),
        "description": escape(item.summary),
        "tags": [t for t in (safe_tag(t) for t in item.article.tags) if t],
    }
    top = pages.category_link(item, category_urls) + pages.panel_html(item)
    if item.status == "needs_update":
        top += pages.needs_update_notice(item)
    if item.status == "draft":
        top += pages.draft_notice(item)
    stats = pages.stats_line((usage or {}).get(item.id))
    return (
        f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n"
        f"{top}\n\n{CONTENT_START}\n\n{item.article.body.strip()}\n\n{CONTENT_END}\n\n"
        f"{stats}\n\n{RELATED_MARK}\n"
    )


def _content(page_source: str) -> bytes:
    """A generated page's body between the content markers (front-matter kept first)."""
    front, sep, body = page_source.partition("\n---\n\n")
    if not sep:
        return f"{CONTENT_START}\n\n{page_source.strip()}\n\n{CONTENT_END}\n".encode()
    return f"{front}{sep}{CONTENT_START}\n\n{body.strip()}\n\n{CONTENT_END}\n".encode()


def _index_pages(
    kb: KnowledgeBase,
    stage: Stage,
    site_name: str,
    category_urls: dict[str, str],
    use_directory_urls: bool,
) -> Iterable[tuple[str, str]]:
    published = stage.articles
    site = kb.config.site
    groups = catalog.by_category(published)
    urls = {
        "popular": catalog.page_url(catalog.POPULAR_URI, use_directory_urls),
        "recent": catalog.page_url(catalog.RECENT_URI, use_directory_urls),
    }
    popular, extras = _popular(published, stage.usage, site.popular_limit)
    recent = catalog.recently_updated(published, site.recent_limit)
    yield catalog.HOME_URI, pages.home_page(
        site_name=site_name,
        total=len(published),
        categories=groups,
        category_urls=category_urls,
        popular=popular[:6],
        popular_extras=extras,
        recent=recent[:6],
        urls=urls,
    )
    browse_url = catalog.page_url(catalog.BROWSE_URI, use_directory_urls)
    yield catalog.BROWSE_URI, pages.browse_page(browse_url, groups, category_urls)
    for name, items in groups.items():
        yield catalog.category_uri(name), pages.category_page(category_urls[name], name, items)
    yield catalog.POPULAR_URI, pages.popular_page(urls["popular"], popular, extras, bool(stage.usage))
    yield catalog.RECENT_URI, pages.recent_page(urls["recent"], recent)
    yield catalog.TAGS_URI, pages.tags_page()


def _popular(
    published: list[SiteArticle], usage: dict[str, dict[str, Any]] | None, limit: int
) -> tuple[list[SiteArticle], dict[str, str]]:
    if not usage:
        return [], {}
    views = {a.id: int((usage.get(a.id) or {}).get("views") or 0) for a in published}
    viewed = sorted((a for a in published if views[a.id] > 0), key=lambda a: (-views[a.id], a.id))
    extras = {a.id: f"{views[a.id]} view{'s' if views[a.id] != 1 else ''}" for a in viewed[:limit]}
    return viewed[:limit], extras


def _usage(kb: KnowledgeBase) -> dict[str, dict[str, Any]] | None:
    usage: dict[str, dict[str, Any]] | None = plugin_manager().hook.site_article_usage(kb=kb)
    return usage


def _internal_pages(kb: KnowledgeBase) -> Iterable[tuple[str, str]]:
    """The internal section: an index and every ``register_site_pages`` provider's pages."""
    found: dict[str, str] = {}
    # pluggy calls the last-registered plugin first: a plugin's page replaces kbgen's own.
    for group in plugin_manager().hook.register_site_pages(kb=kb):
        for name, markdown in (group or {}).items():
            found.setdefault(name, markdown)
    links = "".join(
        f'<li><a href="{escape(name.rsplit(".", 1)[0])}/">{escape(name.rsplit(".", 1)[0])}</a></li>'
        for name in sorted(found)
    )
    index = f"<ul>{links}</ul>" if links else '<p class="kb-empty">No internal pages are available yet.</p>'
    yield f"{catalog.INTERNAL_DIR}/index.md", pages.page_source("Internal", index)
    for name, markdown in found.items():
        yield f"{catalog.INTERNAL_DIR}/{name}", markdown


def _media(kb: KnowledgeBase) -> dict[str, bytes]:
    """Images beside the articles (never through a symlink, never SVG)."""
    found: dict[str, bytes] = {}
    for path in sorted(kb.articles_dir.rglob("*")):
        rel = path.relative_to(kb.articles_dir)
        if (
            path.suffix.lower() in MEDIA_SUFFIXES
            and path.is_file()
            and not path.is_symlink()
            and not _through_symlink(path, kb.articles_dir)
            and not any(part.startswith((".", "_")) for part in rel.parts)
        ):
            found[rel.as_posix()] = path.read_bytes()
    return found


def _write(stage_dir: Path, files: dict[str, bytes]) -> None:
    """Make ``stage_dir`` hold exactly ``files``; unchanged files keep their bytes and mtime.

    Keeping mtimes lets ``mkdocs serve`` rebuild only when something changed.
    """
    if stage_dir.is_symlink():
        raise SiteError(f"{stage_dir} is a symbolic link; kbgen stages into a real directory only")
    stage_dir.mkdir(parents=True, exist_ok=True)
    existing = {
        p.relative_to(stage_dir).as_posix() for p in stage_dir.rglob("*") if p.is_file() or p.is_symlink()
    }
    for rel in sorted(existing - set(files)):
        (stage_dir / rel).unlink()
    for rel, data in files.items():
        target = stage_dir / rel
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            continue
        if target.is_symlink():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for folder in sorted((p for p in stage_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def _remember_withheld(kb: KnowledgeBase, withheld: list[Withheld]) -> None:
    """What this build held back, for ``kbgen review list`` (which lists them as needing work)."""
    data = [{"id": w.id, "path": w.path, "reason": w.reason} for w in withheld]
    atomic_write(kb.state_dir / WITHHELD_FILE, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def clear_stage(stage_dir: Path) -> None:
    if stage_dir.is_dir() and not stage_dir.is_symlink():
        shutil.rmtree(stage_dir)
