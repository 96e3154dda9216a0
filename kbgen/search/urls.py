"""Published page URLs of articles, computed as MkDocs computes them.

The search API answers with the page a reader opens, not the file in the
repository. :func:`page_url` is MkDocs 1.6's ``File.url`` for a Markdown
page (``tests/search/test_urls.py`` compares the two), so search needs no
built site and no mkdocs import; :func:`site_url_style` reads the one
setting it depends on, ``use_directory_urls``, from ``mkdocs.yml``.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from kbgen.kb import KnowledgeBase, load_site_config


def page_url(src_uri: str, *, use_directory_urls: bool = True) -> str:
    """The URL of docs_dir page ``src_uri`` relative to the site root, like MkDocs' File.url.

    ``a/b.md`` -> ``a/b/`` (or ``a/b.html``); ``a/index.md`` and ``a/README.md``
    -> ``a/`` (or ``a/index.html``); the root index -> ``./``. Quoted as MkDocs quotes.
    """
    parent, filename = posixpath.split(src_uri)
    stem = posixpath.splitext(filename)[0]
    name = "index" if stem == "README" else stem
    if not use_directory_urls or name == "index":
        dest = posixpath.join(parent, name + ".html")
    else:
        dest = posixpath.join(parent, name, "index.html")
    dirname, last = posixpath.split(dest)
    if use_directory_urls and last == "index.html":
        dest = (dirname or ".") + "/"
    return quote(dest)


def site_path(url: str) -> str:
    """A page URL as the site's pages manifest and the collector write it: ``/a/b/``."""
    return "/" + ("" if url == "./" else url)


_STYLE: dict[str, tuple[tuple[int, int], bool]] = {}


def site_url_style(kb: KnowledgeBase) -> bool:
    """``use_directory_urls`` of the KB's ``mkdocs.yml`` (MkDocs' default: true)."""
    path = kb.root / "mkdocs.yml"
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size)
    cached = _STYLE.get(str(path))
    if cached is not None and cached[0] == key:
        return cached[1]
    value = load_site_config(kb.root).get("use_directory_urls", True)
    style = value is not False
    _STYLE[str(path)] = (key, style)
    return style
