"""The ``kbgen`` MkDocs plugin: published articles only, generated index pages, safe HTML.

Registered as ``kbgen`` in the ``mkdocs.plugins`` entry-point group, so a
plain ``mkdocs build`` of a KB uses it too. What it does, by event:

* ``on_config``: opens the KB, drops Markdown extensions that let content
  inject attributes or HTML (``attr_list``, which Material's tags plugin adds,
  and ``md_in_html``), passes ``site.collector_url`` to the theme, and sets a
  short navigation of generated pages (articles stay out of the nav: with
  them in it every page renders the whole nav, which is quadratic).
* ``on_files``: keeps ``published`` and ``needs_update`` articles, removes
  drafts, turns ``retired`` ones into tombstones, drops non-image sidecar
  files, and generates the home, browse, category, popular, recent, tags (and
  internal) pages. Then it starts a child that ranks related articles from the
  term store (:mod:`kbgen.site.related`) while MkDocs converts the pages;
  ``on_env`` collects them.
* ``on_page_markdown``: replaces each page's front-matter with escaped values
  (title, description, tags) so the theme never prints raw front-matter.
* ``on_page_content``: sanitises the HTML with nh3, then adds kbgen's own
  panel, notice and related articles.
* ``on_page_context``: hands Material's search plugin a small stub (title,
  summary, headings) instead of the full text, then restores the page.
* ``on_post_page``: fills in related articles (or a tombstone's redirect) and
  hands the finished page to ``page_observer`` (``kbgen build``'s leak scan).
* ``on_env`` also writes ``kbgen-pages.json`` for the stats collector.
* ``on_post_build``: puts kbgen's search worker in place of Material's lunr
  worker (:mod:`kbgen.site.worker`).
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jieba
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kbgen.exceptions import KbgenError
from kbgen.kb import UNSAFE_EXTENSIONS, KnowledgeBase, atomic_write
from kbgen.plugins import plugin_manager
from kbgen.search import fast_load_article, preload_segmenter
from kbgen.site import catalog, pages
from kbgen.site.catalog import SiteArticle
from kbgen.site.related import finish_related_job, start_related_job
from kbgen.site.sanitize import clean_html, escape, safe_tag
from kbgen.site.tags import tags_injection_points
from kbgen.site.worker import install_search_worker

log = get_plugin_logger(__name__)

PAGES_MANIFEST = "kbgen-pages.json"
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}  # never .svg: it can carry script


class KbgenPluginConfig(Config):
    enabled = c.Type(bool, default=True)
    related_limit = c.Type(int, default=5)


def article_stats(kb: KnowledgeBase) -> dict[str, dict[str, Any]] | None:
    """Views and votes per article id, from whichever plugin provides usage (the stats stage)."""
    usage: dict[str, dict[str, Any]] | None = plugin_manager().hook.site_article_usage(kb=kb)
    return usage


def internal_pages(kb: KnowledgeBase) -> dict[str, str]:
    """``{name: markdown}`` from every ``register_site_pages`` provider (stats, KPIs, plugins)."""
    found: dict[str, str] = {}
    # pluggy calls the last-registered plugin first; reversed, kbgen's own pages come first.
    for group in reversed(plugin_manager().hook.register_site_pages(kb=kb)):
        for name, markdown in (group or {}).items():
            found.setdefault(name, markdown)
    return found


RELATED_MARK = "<!-- kbgen:related -->"  # kbgen's own marker, added after sanitising
SOURCE_STUB = "---\nkbgen: article\n---\n"  # see KbgenPlugin.on_page_read_source


def _quiet_jieba() -> None:
    """Material's search plugin cuts Chinese with jieba, which logs its dictionary loading."""
    jieba.setLogLevel(60)


class KbgenPlugin(BasePlugin[KbgenPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        self.kb: KnowledgeBase | None = None
        # build_site hands each finished page to its leak scan: (site-relative path, HTML).
        self.page_observer: Callable[[str, str], None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.articles: dict[str, SiteArticle] = {}  # by src_uri
        self.tombstones: dict[str, SiteArticle | None] = {}  # src_uri -> replacement
        self.category_urls: dict[str, str] = {}
        self.generated: set[str] = set()
        self.stats: dict[str, dict[str, Any]] | None = None
        self.index_documents = 0  # articles in the term store (.kbgen/index), drafts included
        self.search_documents = 0  # entries in the browser index (search/search_index.json)
        self._full_content: dict[str, str] = {}
        self._related_job: Any = None

    # -- configuration ---------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._reset()
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            self.kb = KnowledgeBase.open(root)
        except KbgenError as exc:
            raise PluginError(exc.message) from None
        dropped = [e for e in config.markdown_extensions if e in UNSAFE_EXTENSIONS]
        if dropped:
            config.markdown_extensions = [
                e for e in config.markdown_extensions if e not in UNSAFE_EXTENSIONS
            ]
            for name in dropped:
                config.mdx_configs.pop(name, None)
            log.debug("disabled %s: they let article content inject attributes", ", ".join(dropped))
        _quiet_jieba()
        extra_kbgen = dict(config.extra.get("kbgen") or {})
        extra_kbgen["collector_url"] = self.kb.config.site.collector_url
        config.extra["kbgen"] = extra_kbgen
        nav: list[Any] = [
            {"Home": catalog.HOME_URI},
            {"Browse": catalog.BROWSE_URI},
            {"Popular": catalog.POPULAR_URI},
            {"Recently updated": catalog.RECENT_URI},
            {"Tags": catalog.TAGS_URI},
        ]
        if self.kb.config.site.internal:
            nav.append({"Internal": f"{catalog.INTERNAL_DIR}/index.md"})
        config.nav = nav
        return config

    # -- files -----------------------------------------------------------------

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.kb is None:
            return None
        kb = self.kb
        docs_dir = str(Path(config.docs_dir).resolve())
        real_docs_dir = os.path.realpath(docs_dir)
        retired: list[SiteArticle] = []
        for file in list(files):
            if (
                file.generated_by
                or file.src_dir is None
                or str(Path(file.src_dir).resolve()) != docs_dir
            ):
                continue  # theme assets and other plugins' pages
            top = file.src_uri.split("/", 1)[0]
            if (
                top in (catalog.GENERATED_DIR, catalog.INTERNAL_DIR)
                or file.src_uri == catalog.HOME_URI
            ):
                raise PluginError(
                    f"{kb.relpath(Path(file.abs_src_path or ''))}: '{file.src_uri}' is reserved for "
                    "kbgen's generated pages; rename or move the file"
                )
            if any(part.startswith(("_", ".")) for part in file.src_uri.split("/")):
                files.remove(file)
                continue
            source = Path(file.abs_src_path or "")
            if _through_symlink(source, Path(docs_dir), real_docs_dir):
                # A symlink could publish any file on the build machine (case 38).
                raise PluginError(
                    f"{kb.relpath(source)} is a symbolic link; kbgen never publishes through "
                    "symlinks. Replace it with the file itself"
                )
            if not file.is_documentation_page():
                if Path(file.src_uri).suffix.lower() not in MEDIA_SUFFIXES:
                    log.info(
                        "not publishing %s: only articles and images are published", file.src_uri
                    )
                    files.remove(file)
                continue
            path = Path(file.abs_src_path or "")
            try:
                article = fast_load_article(path)
            except KbgenError as exc:
                message = exc.message.replace(str(path), kb.relpath(path))
                raise PluginError(
                    f"{message}. Fix the file ('kbgen check' lists every problem)"
                ) from None
            item = SiteArticle(
                src_uri=file.src_uri, article=article, url=file.url, kb_path=kb.relpath(path)
            )
            if article.is_published:
                self.articles[file.src_uri] = item
            else:
                files.remove(file)
                if article.status == "retired":
                    retired.append(item)
        published = list(self.articles.values())
        by_id = {a.id: a for a in published}
        for item in retired:
            target = by_id.get(str(item.article.meta.get("redirect_to") or ""))
            self.tombstones[item.src_uri] = target
            self._generate(files, config, item.src_uri, pages.tombstone_page(item, target))
        site = kb.config.site
        self.stats = article_stats(kb) if (site.show_stats or site.internal) else None
        self._generate_index_pages(files, config, published)
        if site.internal:
            self._generate_internal_pages(files, config)
        # Material's search plugin cuts Chinese with jieba in this process anyway: loaded
        # before the fork, the related-articles child shares the dictionary.
        preload_segmenter(f"{a.title} {a.summary}" for a in published)
        self._related_job = start_related_job(kb, self.config.related_limit)
        return files

    def _generate(self, files: Files, config: MkDocsConfig, src_uri: str, content: str) -> File:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        file = File.generated(config, src_uri, content=content)
        files.append(file)
        self.generated.add(src_uri)
        return file

    def _url_of(self, config: MkDocsConfig, src_uri: str) -> str:
        return File.generated(config, src_uri, content="").url

    def _generate_index_pages(
        self, files: Files, config: MkDocsConfig, published: list[SiteArticle]
    ) -> None:
        site = self.kb.config.site  # type: ignore[union-attr]
        groups = catalog.by_category(published)
        self.category_urls = {
            name: self._url_of(config, catalog.category_uri(name)) for name in groups
        }
        urls = {
            "popular": self._url_of(config, catalog.POPULAR_URI),
            "recent": self._url_of(config, catalog.RECENT_URI),
        }
        popular, extras = self._popular(published, site.popular_limit)
        recent = catalog.recently_updated(published, site.recent_limit)
        home = pages.home_page(
            site_name=str(config.site_name),
            total=len(published),
            categories=groups,
            category_urls=self.category_urls,
            popular=popular[:6],
            popular_extras=extras,
            recent=recent[:6],
            urls=urls,
        )
        self._generate(files, config, catalog.HOME_URI, home)
        browse_url = self._url_of(config, catalog.BROWSE_URI)
        self._generate(
            files,
            config,
            catalog.BROWSE_URI,
            pages.browse_page(browse_url, groups, self.category_urls),
        )
        for name, items in groups.items():
            uri = catalog.category_uri(name)
            self._generate(
                files, config, uri, pages.category_page(self.category_urls[name], name, items)
            )
        self._generate(
            files,
            config,
            catalog.POPULAR_URI,
            pages.popular_page(urls["popular"], popular, extras, bool(self.stats)),
        )
        self._generate(files, config, catalog.RECENT_URI, pages.recent_page(urls["recent"], recent))
        self._generate(files, config, catalog.TAGS_URI, pages.tags_page())

    def _popular(
        self, published: list[SiteArticle], limit: int
    ) -> tuple[list[SiteArticle], dict[str, str]]:
        stats = self.stats
        if not stats:
            return [], {}
        views = {a.id: int((stats.get(a.id) or {}).get("views") or 0) for a in published}
        viewed = sorted(
            (a for a in published if views[a.id] > 0), key=lambda a: (-views[a.id], a.id)
        )
        extras = {
            a.id: f"{views[a.id]} view{'s' if views[a.id] != 1 else ''}" for a in viewed[:limit]
        }
        return viewed[:limit], extras

    def _generate_internal_pages(self, files: Files, config: MkDocsConfig) -> None:
        extra = internal_pages(self.kb)  # type: ignore[arg-type]
        links = "".join(
            f'<li><a href="{escape(posixpath.splitext(name)[0])}/">{escape(posixpath.splitext(name)[0])}</a></li>'
            for name in sorted(extra)
        )
        index = (
            links
            and f"<ul>{links}</ul>"
            or '<p class="kb-empty">No internal pages are available yet.</p>'
        )
        self._generate(
            files, config, f"{catalog.INTERNAL_DIR}/index.md", pages.page_source("Internal", index)
        )
        for name, markdown in extra.items():
            self._generate(files, config, f"{catalog.INTERNAL_DIR}/{name}", markdown)

    def _link_related(self, published: list[SiteArticle], related: dict[str, list[str]]) -> None:
        by_path = {a.kb_path: a for a in published}
        limit = self.config.related_limit
        for item in published:
            paths = [p for p in related.get(item.kb_path, ()) if p in by_path]
            item.related = [by_path[p] for p in paths[:limit]]

    # -- pages -----------------------------------------------------------------

    def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str | None:
        """An article's body as kbgen parsed it in ``on_files``, behind a one-key stub.

        MkDocs would read the file and parse its YAML again, only for
        ``on_page_markdown`` to replace the result (2 s per 10,000 articles).
        The stub front-matter stops MkDocs from taking the body's first
        ``Key: value`` lines for MultiMarkdown metadata.
        """
        item = self.articles.get(page.file.src_uri) if self.config.enabled else None
        if item is None:
            return None
        return SOURCE_STUB + item.article.body

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        item = self.articles.get(page.file.src_uri)
        if item is not None:
            # Only what the theme needs, escaped: Material prints these raw.
            page.meta = {
                "title": escape(item.title),
                "description": escape(item.summary),
                "tags": [t for t in (safe_tag(t) for t in item.article.tags) if t],
            }
        elif page.file.src_uri in self.generated:
            page.meta = _escaped_generated_meta(page.meta)
        return None

    @event_priority(-100)  # last, so every plugin's HTML is sanitised too
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        html = clean_html(html)
        if page.file.src_uri == catalog.TAGS_URI:
            html = tags_injection_points(html, page)
        item = self.articles.get(page.file.src_uri)
        if item is None:
            return html
        # self.stats is only loaded when site.show_stats (or site.internal) asks for it.
        stats = (self.stats or {}).get(item.id)
        top = pages.category_link(item, self.category_urls) + pages.panel_html(item)
        if item.status == "needs_update":
            top += pages.needs_update_notice(item)
        bottom = pages.stats_line(stats) + RELATED_MARK  # filled in on_post_page
        return top + html + bottom

    @event_priority(100)
    def _context_before_search(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> Any:
        item = self.articles.get(page.file.src_uri)
        if self.config.enabled and item is not None and page.content is not None:
            self._full_content[page.file.src_uri] = page.content
            page.content = pages.search_stub(item)
        return None

    @event_priority(-100)
    def _context_after_search(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> Any:
        full = self._full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return None

    on_page_context = CombinedEvent(_context_before_search, _context_after_search)

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Every page is converted by now: collect related articles before the templates run."""
        if not self.config.enabled or self.kb is None:
            return None
        found = finish_related_job(self.kb, self._related_job, self.config.related_limit)
        self._related_job = None
        self.index_documents = found.stored
        self._link_related(list(self.articles.values()), found.related)
        # Written now rather than after the pages: the leak scan reads it with the first page.
        records = sorted((a.page_record() for a in self.articles.values()), key=lambda r: r["page"])
        atomic_write(
            Path(config.site_dir) / PAGES_MANIFEST,
            json.dumps(records, ensure_ascii=False, indent=1),
        )
        return None

    @event_priority(-100)  # last: the observer must see the page as it is written
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        item = self.articles.get(page.file.src_uri)
        target = self.tombstones.get(page.file.src_uri)
        if item is not None:
            output = output.replace(RELATED_MARK, pages.related_html(item), 1)
        elif target is not None:
            redirect = escape(pages.href(page.url, target.url))
            output = output.replace(
                "<head>", f'<head><meta http-equiv="refresh" content="0; url={redirect}">', 1
            )
        if self.page_observer is not None:
            self.page_observer(page.file.dest_uri, output)
        return output

    def on_build_error(self, *, error: Exception) -> None:
        if self._related_job is not None:
            self._related_job.stop()
            self._related_job = None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        self.search_documents = install_search_worker(Path(config.site_dir))

    # -- results for build_site ------------------------------------------------

    @property
    def published_count(self) -> int:
        return len(self.articles)

    @property
    def retired_count(self) -> int:
        return len(self.tombstones)


def _escaped_generated_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Generated pages: titles can come from content (category names), so escape them too."""
    out = dict(meta)
    if "title" in out:
        out["title"] = escape(out["title"])
    return out


def _through_symlink(path: Path, docs_dir: Path, real_docs_dir: str) -> bool:
    """True when ``path`` or a folder between it and ``docs_dir`` is a symlink, or it escapes.

    ``real_docs_dir`` is ``os.path.realpath(docs_dir)``, worked out once per build.
    """
    current = path
    while current != docs_dir and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    real = os.path.realpath(path)
    return os.path.commonpath([real, real_docs_dir]) != real_docs_dir
