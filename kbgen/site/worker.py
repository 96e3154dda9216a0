"""kbgen's browser search worker in place of Material's lunr worker, installed after each build.

Material's search runs lunr in a web worker that builds its index in the
browser on every visit: seconds before the first result at 10,000 articles.
kbgen's worker speaks the same message protocol with an index built in one
pass, so Material's search UI is unchanged; only the worker file in the built
site is replaced (its name keeps Material's hash, which ``__config.search`` in
every page points to). Its source is three plain files in ``assets/`` (HTML
text and words, the index, queries and the protocol), joined in that order:
no build step, one request.

The browser index is also rewritten without ``\\uXXXX`` escapes: Material
writes Chinese and the U+200B word breaks as six-byte escapes, about 40% of a
Chinese KB's index.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.exceptions import PluginError

from kbgen.kb import atomic_write

ASSETS = Path(__file__).with_name("assets")
WORKER_PARTS = ("search-text.js", "search-index.js", "search-worker.js")  # in dependency order
WORKER_GLOB = "assets/javascripts/workers/search.*.min.js"
SEARCH_INDEX = "search/search_index.json"


def install_search_worker(site_dir: Path) -> int:
    """Replace Material's search worker in ``site_dir`` with kbgen's; return the browser
    index's number of documents (0 without Material's search plugin).

    Also rewrites ``search/search_index.json`` compactly (see the module doc).
    Raises ``PluginError`` unless exactly one worker file is found: kbgen
    needs Material's theme, and two would mean a stale theme copy it cannot
    tell from the live one.
    """
    found = sorted(site_dir.glob(WORKER_GLOB))
    if len(found) != 1:
        names = ", ".join(p.relative_to(site_dir).as_posix() for p in found) or "none"
        raise PluginError(
            f"kbgen replaces Material's search worker, but found {len(found)} files matching "
            f"{WORKER_GLOB} in {site_dir} ({names}); exactly one is needed. Use theme 'material' "
            "(mkdocs-material 9.x) in mkdocs.yml and build into an empty site directory"
        )
    target = found[0]
    atomic_write(target, worker_source())
    # The source map describes Material's worker, which is no longer there.
    target.with_name(target.name + ".map").unlink(missing_ok=True)
    return _compact_index(site_dir / SEARCH_INDEX)


def worker_source() -> bytes:
    """The worker as the browser loads it: the parts in order, one script."""
    return b"\n".join((ASSETS / name).read_bytes() for name in WORKER_PARTS)


def _compact_index(path: Path) -> int:
    """UTF-8 instead of escapes, line k holding ``docs[k - 1]`` (the numbering the leak scan
    reports); still the JSON Material's bundle fetches and parses. Returns len(docs)."""
    if not path.is_file():
        return 0  # the search plugin is off: nothing to rewrite
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        raise PluginError(f"{path}: not a Material search index (no 'docs' list)")

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    head = "".join(f"{dump(key)}:{dump(value)}," for key, value in data.items() if key != "docs")
    text = "{" + head + '"docs":[' + ",\n".join(dump(doc) for doc in data["docs"]) + "]}"
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        return len(data["docs"])  # a lone surrogate only survives as an escape: keep the file
    atomic_write(path, encoded)
    return len(data["docs"])
