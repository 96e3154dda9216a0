"""After the renderer: kbgen sanitises and leak-scans what was rendered, then finishes the pages.

Whatever rendered the stage, every page kbgen staged carries its content
between two HTML comments (``stage.CONTENT_START`` / ``CONTENT_END``). Here
that region of each rendered page is cleaned with nh3 (sanitize.py), related
articles are filled in, a retired article's tombstone gets its redirect, and
the page goes to the leak scan (leaks.py) before the site may be swapped in.
The theme's own markup around the region comes from the KB's configuration,
which only maintainers change.
"""

from __future__ import annotations

from pathlib import Path

from kbgen.exceptions import SiteError
from kbgen.kb import atomic_write
from kbgen.site import catalog, pages
from kbgen.site.catalog import SiteArticle
from kbgen.site.leaks import SiteScan
from kbgen.site.sanitize import clean_html, escape
from kbgen.site.stage import CONTENT_END, CONTENT_START, RELATED_MARK, Stage


def finish_pages(
    out_dir: Path,
    stage: Stage,
    related: dict[str, list[str]],
    scan: SiteScan,
    *,
    use_directory_urls: bool,
    related_limit: int,
) -> None:
    """Sanitise, complete and hand to the leak scan every page kbgen staged."""
    articles = {a.src_uri: a for a in stage.articles}
    by_path = {a.kb_path: a for a in stage.articles}
    for src_uri in stage.content_pages():
        rel = catalog.page_file(src_uri, use_directory_urls)
        path = out_dir / rel
        try:
            html = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SiteError(
                f"the renderer wrote no page for {src_uri} ({rel}); the site was not published"
            ) from None
        html = sanitize_content(html, rel)
        item = articles.get(src_uri)
        if item is not None:
            neighbours = [by_path[p] for p in related.get(item.kb_path, ()) if p in by_path]
            item.related = neighbours[:related_limit]
            html = html.replace(RELATED_MARK, pages.related_html(item), 1)
        elif src_uri in stage.tombstones:
            url = catalog.page_url(src_uri, use_directory_urls)
            html = _with_redirect(html, url, stage.tombstones[src_uri])
        atomic_write(path, html)
        scan.add_page(rel, html)


def sanitize_content(html: str, rel: str) -> str:
    """``html`` with the region between the content markers cleaned by nh3 (markers kept:
    the leak scan reads the same region)."""
    start = html.find(CONTENT_START)
    end = html.find(CONTENT_END, start + 1)
    if start < 0 or end < 0:
        raise SiteError(
            f"{rel}: the renderer dropped kbgen's content markers, so its content cannot be "
            "sanitised; the site was not published (is an HTML minifier removing comments?)"
        )
    inner = html[start + len(CONTENT_START) : end]
    tail = html[end + len(CONTENT_END) :]
    if CONTENT_START in tail or CONTENT_END in tail:
        raise SiteError(f"{rel}: more than one content region; the site was not published")
    return html[: start + len(CONTENT_START)] + clean_html(inner) + html[end:]


def _with_redirect(html: str, url: str, target: SiteArticle | None) -> str:
    if target is None:
        return html
    redirect = escape(pages.href(url, target.url))
    return html.replace(
        "<head>", f'<head><meta http-equiv="refresh" content="0; url={redirect}">', 1
    )
