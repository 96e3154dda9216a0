"""The controlled vocabulary: categories and tags with aliases, from ``site_config/vocabulary.yml``.

A KB's own file wins over the packaged one. Lookups are case-insensitive and
ignore surrounding spaces; a value with no alias is kept as written (so nothing
a ticket says is lost) and reported, so a reviewer can add the alias once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbgen.exceptions import ConfigError
from kbgen.kb import SCAFFOLD_DIR
from kbgen.text import clean_text, is_missing

VOCABULARY_NAME = "vocabulary.yml"
TAG_MAX = 60
CATEGORY_MAX = 80


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass
class Vocabulary:
    categories: dict[str, str] = field(default_factory=dict)  # alias key -> canonical name
    tags: dict[str, str] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)  # for applies_to.product
    # Where a draft goes when its ticket names no known category ("" keeps the raw value;
    # `kbgen check` then asks the reviewer for a vocabulary category).
    default_category: str = ""

    def product(self, value: str) -> str:
        """The canonical product name, or the value as written when it has no alias."""
        return self.products.get(_key(value), value)

    def category(self, value: str) -> str | None:
        return self.categories.get(_key(value))

    def tag(self, value: str) -> str | None:
        return self.tags.get(_key(value))


def _entries(data: dict[str, Any], section: str, source: Path, errors: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    raw = data.get(section) or []
    if not isinstance(raw, list):
        errors.append(f"{source}: '{section}' must be a list of {{name, aliases}} entries")
        return mapping
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append(f"{source}: {section} entry {number} needs a 'name' (text)")
            continue
        name = entry["name"].strip()
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            errors.append(f"{source}: {section} '{name}': 'aliases' must be a list of text")
            continue
        for alias in [name, *aliases]:
            key = _key(alias)
            if key in mapping and mapping[key] != name:
                errors.append(
                    f"{source}: {section} alias '{alias}' is listed under both "
                    f"'{mapping[key]}' and '{name}'; keep it under one"
                )
            mapping[key] = name
    return mapping


def load_vocabulary(site_config_dir: Path | None = None) -> Vocabulary:
    """The KB's vocabulary if it has one, else the packaged default."""
    path = SCAFFOLD_DIR / "site_config" / VOCABULARY_NAME
    if site_config_dir is not None and (site_config_dir / VOCABULARY_NAME).is_file():
        path = site_config_dir / VOCABULARY_NAME
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with 'categories' and 'tags'")
    errors: list[str] = []
    vocab = Vocabulary(
        categories=_entries(data, "categories", path, errors),
        tags=_entries(data, "tags", path, errors),
        products=_entries(data, "products", path, errors),
        default_category=str(data.get("default_category") or ""),
    )
    if vocab.default_category and vocab.default_category not in vocab.categories.values():
        errors.append(
            f"{path}: default_category '{vocab.default_category}' is not one of the categories"
        )
    if errors:
        raise ConfigError("\n".join(errors))
    return vocab


def _plain(value: str, limit: int) -> str:
    """One line, no angle brackets (the schema forbids them in tags), at most ``limit`` chars."""
    text = " ".join(clean_text(value).split()).replace("<", "‹").replace(">", "›")
    return text[:limit].strip()


@dataclass
class Classification:
    category: str
    tags: list[str]
    unknown: list[str]  # values kept as written because no alias matched


def classify(
    vocab: Vocabulary, category: str, subcategory: str, labels: list[str], components: list[str]
) -> Classification:
    """Category and tags for a draft, normalised through the vocabulary.

    The ticket's own category wins; otherwise the first component or label that
    is a category alias. Tags come from components, labels and the subcategory.
    """
    unknown: list[str] = []
    chosen = ""
    raw_category = "" if is_missing(category) else _plain(category, CATEGORY_MAX)
    if raw_category:
        chosen = vocab.category(raw_category) or raw_category
        if vocab.category(raw_category) is None:
            unknown.append(f"category:{raw_category}")
            chosen = vocab.default_category or raw_category
    else:
        for value in [*components, *labels]:
            match = vocab.category(value)
            if match:
                chosen = match
                break
        chosen = chosen or vocab.default_category
    tags: list[str] = []
    seen: set[str] = set()
    for value in [*components, *labels, subcategory]:
        if is_missing(value):
            continue
        plain = _plain(value, TAG_MAX)
        if not plain:
            continue
        tag = vocab.tag(plain)
        if tag is None:
            tag = plain
            unknown.append(f"tag:{plain}")
        if _key(tag) not in seen:
            seen.add(_key(tag))
            tags.append(tag)
    return Classification(category=chosen, tags=tags, unknown=unknown)
