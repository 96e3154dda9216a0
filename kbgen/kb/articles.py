"""Reading and writing article files: the one place that knows the file format.

Front-matter is always produced from data by python-frontmatter (PyYAML's
SafeDumper), never by string formatting. It is parsed here rather than by
python-frontmatter, because that library and MkDocs disagree on exactly the
files that leak (a BOM, ``----`` fences), and it is parsed at least as strictly
as MkDocs parses it: wherever the
two would disagree (a BOM, a leading blank line, ``----`` fences, invalid YAML,
a non-mapping) MkDocs silently prints the YAML on the public page, so kbgen
refuses the file instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kbgen.exceptions import ArticleError
from kbgen.kb.files import atomic_write
from kbgen.kb.paths import SCAFFOLD_DIR, SITE_CONFIG_FOLDER
from kbgen.models import Article

SCHEMA_NAME = "article.schema.yml"
MAX_FRONT_MATTER_BYTES = 16 * 1024

# The same shape MkDocs accepts (mkdocs/utils/meta.py), anchored at the very start.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.DOTALL)


@cache
def load_schema(path: Path | None = None) -> dict[str, Any]:
    """The article JSON schema: the KB's own copy if given, else the packaged default."""
    schema_path = path or SCAFFOLD_DIR / SITE_CONFIG_FOLDER / SCHEMA_NAME
    with open(schema_path, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    if not isinstance(schema, dict) or "properties" not in schema:
        raise ArticleError(f"{schema_path}: not an article schema (no 'properties')")
    return schema


def field_order(schema: dict[str, Any] | None = None) -> list[str]:
    return list((schema or load_schema())["properties"])


def ordered_meta(meta: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Schema order first, then any other keys in their given order (the check flags those)."""
    order = field_order(schema)
    out = {k: meta[k] for k in order if k in meta}
    out.update((k, v) for k, v in meta.items() if k not in out)
    return out


def dump_article(article: Article) -> str:
    """Deterministic text: LF endings, one blank line after the front-matter, one trailing newline.

    python-frontmatter dumps through PyYAML's SafeDumper; ``sort_keys=False``
    keeps the schema's order (its default sorts keys and makes noisy diffs) and
    the huge width keeps long titles on one line.
    """
    body = article.body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    post = frontmatter.Post(body)
    post.metadata = ordered_meta(article.meta)
    text: str = frontmatter.dumps(post, sort_keys=False, width=10**9, allow_unicode=True)
    return text + "\n"


# libyaml's parser when PyYAML was built with it: capture reads every article's
# front-matter once per run, and the pure-Python parser was a quarter of its time.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):
    """SafeLoader that keeps dates and times as strings and refuses anchors/aliases."""


# Dates stay strings so a round trip is byte-stable and the schema checks their form.
_StrictLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_article(text: str, path: Path | str = "<text>") -> Article:
    """Parse article text; raise :class:`ArticleError` naming the file, line and problem."""
    if text.startswith("\ufeff"):
        raise ArticleError(
            f"{path}:1: starts with a byte-order mark; save the file as UTF-8 without BOM"
        )
    text = text.replace("\r\n", "\n")
    if not text.startswith("---"):
        first = "a blank line" if text[:1] in ("\n", " ", "\t") else "no '---' line"
        raise ArticleError(
            f"{path}:1: front-matter must start on the first line with '---' (found {first})"
        )
    if text.startswith("----"):
        raise ArticleError(f"{path}:1: front-matter fence must be exactly '---', not '----'")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ArticleError(f"{path}:1: front-matter is not closed by a '---' line")
    raw = match.group(1) or ""
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise ArticleError(f"{path}:1: front-matter is larger than {MAX_FRONT_MATTER_BYTES} bytes")
    if re.search(r"(^|[\s\[{,])[&*][A-Za-z0-9_-]+", raw) and _has_alias(raw):
        raise ArticleError(
            f"{path}: front-matter uses YAML anchors or aliases, which are not allowed"
        )
    try:
        meta = yaml.load(raw, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ArticleError(f"{path}:{line}: front-matter is not valid YAML: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ArticleError(
            f"{path}:2: front-matter must be a mapping of keys to values, not a {type(meta).__name__}"
        )
    body = text[match.end() :]
    if body.lstrip("\n").startswith("---"):
        raise ArticleError(f"{path}: a second front-matter block follows the first; remove it")
    return Article(meta=meta, body=body.lstrip("\n"), path=Path(path) if path != "<text>" else None)


def _has_alias(raw: str) -> bool:
    for event in yaml.parse(raw, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return True
    return False


def load_article(path: Path) -> Article:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: not UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from None
    return parse_article(text, path)


def article_entries(articles_dir: Path) -> Iterator[os.DirEntry[str]]:
    """Markdown files under ``articles_dir``, unordered, as ``os.scandir`` entries.

    Anything under a name starting with ``.`` or ``_`` is not an article
    (generated and private files). Entries carry their ``stat()``, which is
    what a cheap "did any article change?" check needs.
    """
    stack = [str(articles_dir)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                stack.append(entry.path)
            elif entry.name.endswith(".md"):
                yield entry


def iter_article_paths(articles_dir: Path) -> Iterator[Path]:
    """Markdown files under ``articles_dir`` in a stable order (generated pages excluded)."""
    yield from sorted(Path(entry.path) for entry in article_entries(articles_dir))


def iter_articles(articles_dir: Path) -> Iterator[Article]:
    for path in iter_article_paths(articles_dir):
        yield load_article(path)


def today() -> str:
    """Today's date as written into front-matter; ``KBGEN_TODAY`` pins it for tests and demos."""
    return os.environ.get("KBGEN_TODAY") or dt.date.today().isoformat()


def write_article(path: Path, article: Article) -> bool:
    """Write atomically; return False (and write nothing) when the bytes are unchanged."""
    text = dump_article(article)
    if path.exists() and path.read_bytes() == text.encode("utf-8"):
        return False
    atomic_write(path, text)
    return True
