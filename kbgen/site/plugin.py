"""The ``kbgen`` MkDocs plugin: conveniences for Material, never a guarantee.

What may be published is decided before MkDocs runs (stage.py) and checked
after it (postbuild.py), so a renderer without this plugin publishes nothing
kbgen did not stage. Registered as ``kbgen`` in the ``mkdocs.plugins``
entry-point group, the plugin adds, by event:

* ``on_startup``: remembers whether MkDocs is serving (an author's preview).
* ``on_config`` (last): drops Markdown extensions that let content set HTML
  attributes (``attr_list``, which Material's tags plugin adds, and
  ``md_in_html``), passes ``site.collector_url`` to the theme, sets the short
  navigation of generated pages, and, when plain ``mkdocs build`` or
  ``mkdocs serve`` runs it (not ``kbgen build``, which stages first), stages
  the KB into ``docs_dir``: drafts included while serving, with a notice.
* ``on_serve``: live reload follows ``content/articles`` and ``site_config``.
* ``on_page_content``: under plain MkDocs, sanitises the page as kbgen build
  would; and rebuilds the tags listing's heading that needs ``attr_list``.
* ``on_page_context``: hands Material's search plugin a short stub (the
  summary's first words) instead of the full text, then restores the page.
* ``on_post_build``: puts kbgen's search worker in place of Material's lunr
  worker (:mod:`kbgen.site.worker`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jieba
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbgen.exceptions import KbgenError
from kbgen.kb import UNSAFE_EXTENSIONS, KnowledgeBase
from kbgen.site import catalog, pages
from kbgen.site.catalog import SiteArticle
from kbgen.site.postbuild import sanitize_content
from kbgen.site.stage import RELATED_MARK, Stage, stage_site
from kbgen.site.tags import tags_injection_points
from kbgen.site.worker import install_search_worker

log = get_plugin_logger(__name__)


class KbgenPluginConfig(Config):
    enabled = c.Type(bool, default=True)
    related_limit = c.Type(int, default=5)


class KbgenPlugin(BasePlugin[KbgenPluginConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        self.stage: Stage | None = None  # set by kbgen build, which stages before MkDocs runs
        self.serving = False
        self.search_documents = 0  # entries in the browser index (search/search_index.json)
        self._staged_here = False
        self._articles: dict[str, SiteArticle] = {}
        self._full_content: dict[str, str] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"

    @event_priority(-100)  # last, after Material's tags plugin has added attr_list
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        dropped = [e for e in config.markdown_extensions if e in UNSAFE_EXTENSIONS]
        config.markdown_extensions = [
            e for e in config.markdown_extensions if e not in UNSAFE_EXTENSIONS
        ]
        for name in dropped:
            config.mdx_configs.pop(name, None)
        jieba.setLogLevel(60)  # Material's search plugin cuts Chinese with jieba: no chatter
        kb = self._open_kb(config)
        extra = dict(config.extra.get("kbgen") or {})
        extra["collector_url"] = kb.config.site.collector_url
        config.extra["kbgen"] = extra
        config.nav = catalog.site_nav(kb.config.site.internal)
        if self.stage is None or self._staged_here:
            # Plain `mkdocs build` / `mkdocs serve`: stage the KB first (kbgen build already has).
            try:
                self.stage = stage_site(
                    kb,
                    Path(config.docs_dir),
                    site_name=str(config.site_name),
                    use_directory_urls=bool(config.use_directory_urls),
                    drafts=self.serving,
                )
            except KbgenError as exc:
                raise PluginError(exc.message) from None
            self._staged_here = True
            for withheld in self.stage.withheld:
                log.warning(withheld.line())
        self._articles = {a.src_uri: a for a in self.stage.articles}
        return config

    def _open_kb(self, config: MkDocsConfig) -> KnowledgeBase:
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            return KnowledgeBase.open(root)
        except KbgenError as exc:
            raise PluginError(exc.message) from None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        root = Path(config.config_file_path or ".").resolve().parent
        for folder in ("content/articles", "site_config"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server

    @event_priority(-100)  # last, so every plugin's HTML is sanitised too
    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        if page.file.src_uri == catalog.TAGS_URI:
            html = tags_injection_points(html, page)
        if self._staged_here and self.stage is not None:
            # Under plain MkDocs nobody sanitises after the build: do it here.
            if page.file.src_uri in self.stage.content_pages():
                html = sanitize_content(html, page.file.src_uri)
        return html

    @event_priority(100)
    def _context_before_search(
        self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any
    ) -> Any:
        item = self._articles.get(page.file.src_uri)
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

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self._staged_here:
            return output.replace(RELATED_MARK, "", 1)  # related articles are kbgen build's
        return None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.config.enabled:
            self.search_documents = install_search_worker(Path(config.site_dir))
