"""Where things live in a KB repository, and safe file names for articles.

The KB-relative folders are defined here once. File names are checked so that
nothing kbgen writes lands outside ``content/``.

File names are ``<id>-<ascii slug>.md`` (``kb-0001-lock-files-dont-work.md``):
ASCII only, so NFC/NFD and case-folding file systems cannot make two names of
one; capped in bytes; the id alone when the title has no ASCII words (Chinese
titles keep their words in front-matter and nav, not in the path).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from slugify import slugify

from kbgen.exceptions import UnsafePathError
from kbgen.kb.ids import is_article_id
from kbgen.text import detect_language

# KB-relative folders, with forward slashes (git paths).
ARTICLES_FOLDER = "content/articles"  # the published docs_dir
NOTES_FOLDER = "content/review-notes"  # reviewers only, never published
TEMPLATES_FOLDER = "content/templates"  # Jinja2 article templates, never published
SITE_CONFIG_FOLDER = "site_config"
STATE_FOLDER = ".kbgen"  # git-ignored local state
# The renderer's docs_dir: kbgen stages here only what may be published, so a renderer
# that knows nothing of kbgen, run on the KB as it sits in git, finds no draft.
STAGE_FOLDER = f"{STATE_FOLDER}/site-src"
# What ``kbgen init`` copies into a new KB (package data).
SCAFFOLD_DIR = Path(__file__).resolve().parents[1] / "scaffold"

# Files besides articles the site publishes from the articles folder (never .svg: it can
# carry script).
MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")

SLUG_MAX_CHARS = 60
NAME_MAX_BYTES = 200  # well under ext4's 255 so suffixes and temp-file prefixes still fit
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def title_slug(title: str) -> str:
    """ASCII words of an English title; empty for Chinese titles.

    Han text has no faithful ASCII form, and the ASCII left in a Chinese title is
    times and dates ("6月6日15:10" -> "6615-10"), which makes no useful name.
    """
    if detect_language(title) == "zh":
        return ""
    ascii_words = unicodedata.normalize("NFKC", title).encode("ascii", "ignore").decode()
    ascii_words = ascii_words.replace("'", "")  # "don't" -> "dont", not "don-t"
    return slugify(ascii_words, max_length=SLUG_MAX_CHARS, word_boundary=True, save_order=True)


def article_filename(article_id: str, title: str) -> str:
    if not is_article_id(article_id):
        raise UnsafePathError(
            f"article id {article_id!r} is not of the form PREFIX-0001; "
            f"check kb.id_prefix in site_config/kbgen.yml"
        )
    stem = article_id.lower()
    slug = title_slug(title)
    if slug:
        stem = f"{stem}-{slug}"
    name = f"{stem}.md"
    while len(name.encode("utf-8")) > NAME_MAX_BYTES:  # ASCII already; kept for custom slugs
        stem = stem[:-1].rstrip("-")
        name = f"{stem}.md"
    if _WINDOWS_RESERVED.match(name) or name.startswith(".") or name.endswith((" ", ".")):
        raise UnsafePathError(f"refusing file name {name!r}: reserved on some systems")
    return name


def contained_path(base: Path, relative: str) -> Path:
    """``base/relative``, refusing anything that escapes ``base`` or passes through a symlink.

    Checked on the lexical path (no ``..``, no absolute parts, no NUL) and on
    the real path of every existing component, so a symlinked directory planted
    inside content/ cannot redirect a write.
    """
    if "\x00" in relative or not relative or relative.startswith(("/", "\\")):
        raise UnsafePathError(f"refusing to write {relative!r}: not a plain relative path")
    parts = Path(relative).parts
    if any(p in ("..", ".") or "\\" in p or _WINDOWS_RESERVED.match(p) for p in parts):
        raise UnsafePathError(f"refusing to write {relative!r}: it would leave {base}")
    current = base
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UnsafePathError(
                f"refusing to write {relative!r}: {current} is a symbolic link; "
                f"replace it with a real directory or file"
            )
    resolved_base = base.resolve()
    if base.is_symlink() or not str(current.resolve()).startswith(str(resolved_base) + os.sep):
        raise UnsafePathError(f"refusing to write {relative!r}: it would leave {base}")
    return current


def article_relpath(filename: str) -> str:
    """KB-relative path of an article file; the name must be a single plain component."""
    if "/" in filename or "\\" in filename or filename in ("", ".", ".."):
        raise UnsafePathError(f"refusing article file name {filename!r}: not a plain file name")
    return f"{ARTICLES_FOLDER}/{filename}"


def notes_relpath(article_id: str, suffix: str = ".yml") -> str:
    """KB-relative path of a review-notes file (outside the published docs_dir)."""
    if not is_article_id(article_id):
        raise UnsafePathError(
            f"refusing review notes for id {article_id!r}: not of the form PREFIX-0001"
        )
    return f"{NOTES_FOLDER}/{article_id}{suffix}"


def unique_filename(name: str, taken: set[str]) -> str:
    """A stable variant of ``name`` not in ``taken`` (compared case-insensitively)."""
    lowered = {t.casefold() for t in taken}
    if name.casefold() not in lowered:
        return name
    stem = name[:-3]
    for n in range(2, 10_000):
        candidate = f"{stem}-{n}.md"
        if candidate.casefold() not in lowered:
            return candidate
    raise UnsafePathError(f"cannot find a free file name for {name}")
