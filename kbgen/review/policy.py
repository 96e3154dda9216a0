"""The rules a change is judged by: taken from the base, never from the branch under review.

A pull request that edits ``redaction.allow`` and adds an email to an article
must not be judged by its own allow-list. So ``kbgen check --base REF`` and
``kbgen review approve`` read every policy file as it is at REF (``git show``):
``site_config/kbgen.yml`` (redaction allow-list, internal hosts, terms),
``site_config/article.schema.yml``, ``site_config/vocabulary.yml`` and
``mkdocs.yml`` (the Markdown extensions the site renders with). Without a base,
the work tree's own files are the policy (a local check of one's own KB).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from kbgen.config import CONFIG_NAME, Config, load_config
from kbgen.drafting import VOCABULARY_NAME, Vocabulary, load_vocabulary
from kbgen.kb import (
    MKDOCS_YML,
    SCHEMA_NAME,
    SITE_CONFIG_FOLDER,
    KnowledgeBase,
    load_schema,
    markdown_config,
    show_file,
)

POLICY_FILES = (
    f"{SITE_CONFIG_FOLDER}/{CONFIG_NAME}",
    f"{SITE_CONFIG_FOLDER}/{SCHEMA_NAME}",
    f"{SITE_CONFIG_FOLDER}/{VOCABULARY_NAME}",
    MKDOCS_YML,
)


@dataclass
class Policy:
    config: Config
    schema: dict[str, Any]
    validator: Draft202012Validator
    vocabulary: Vocabulary
    markdown: tuple[list[str], dict[str, dict[str, Any]]]  # the site's extensions and settings
    source: str  # "the work tree" or "REF"

    @property
    def categories(self) -> set[str]:
        """Canonical category names; empty when the vocabulary lists none (then any goes)."""
        return set(self.vocabulary.categories.values())

    def canonical_category(self, value: str) -> str | None:
        return self.vocabulary.category(value)


def _policy(root: Path, kb: KnowledgeBase, source: str) -> Policy:
    schema_path = root / SITE_CONFIG_FOLDER / SCHEMA_NAME
    schema = load_schema(schema_path if schema_path.is_file() else kb.schema_path)
    return Policy(
        config=load_config(root),
        schema=schema,
        validator=Draft202012Validator(schema, format_checker=FormatChecker()),
        vocabulary=load_vocabulary(root / SITE_CONFIG_FOLDER),
        markdown=markdown_config(root if (root / MKDOCS_YML).is_file() else kb.root),
        source=source,
    )


def tree_policy(kb: KnowledgeBase) -> Policy:
    """The work tree's own policy files (a local check, no base to trust instead)."""
    return _policy(kb.root, kb, "the work tree")


def base_policy(kb: KnowledgeBase, ref: str) -> Policy:
    """The policy files as they are at ``ref``; a file missing there means kbgen's default."""
    with tempfile.TemporaryDirectory(prefix="kbgen-policy-") as tmp:
        root = Path(tmp)
        for rel in POLICY_FILES:
            data = show_file(kb.root, ref, rel)
            if data is not None:
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        return _policy(root, kb, ref)
