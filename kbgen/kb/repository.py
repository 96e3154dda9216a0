"""A KB repository on disk: where everything lives, and the lock that serialises kbgen runs.

Layout (``kbgen init`` creates it)::

    mkdocs.yml                 Material + search + tags + the kbgen plugin
    content/articles/          the docs_dir: one Markdown file per article
    content/templates/         Jinja2 article templates (never published)
    content/review-notes/      per-draft notes for reviewers (never published)
    site_config/               kbgen.yml, article.schema.yml, vocabulary.yml,
                               sources/ (mappings), overrides/ (theme partials)
    .kbgen/                    git-ignored local state: tickets.sqlite,
                               stats.sqlite, search index, lock file
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kbgen.config import Config, load_config
from kbgen.exceptions import ConfigError, LockedError
from kbgen.kb.articles import SCHEMA_NAME
from kbgen.kb.paths import (
    ARTICLES_FOLDER,
    NOTES_FOLDER,
    SCAFFOLD_DIR,
    SITE_CONFIG_FOLDER,
    STAGE_FOLDER,
    STATE_FOLDER,
    TEMPLATES_FOLDER,
)


@dataclass
class KnowledgeBase:
    root: Path
    config: Config = field(default_factory=Config)

    @classmethod
    def open(cls, root: Path | str = ".") -> KnowledgeBase:
        """Open an existing KB; fail with a hint when ``root`` is not one."""
        path = Path(root).resolve()
        if not (path / "mkdocs.yml").is_file() or not (path / "content").is_dir():
            raise ConfigError(
                f"{path} is not a kbgen knowledge base (no mkdocs.yml and content/). "
                f"Create one with: kbgen init {root}"
            )
        return cls(root=path, config=load_config(path))

    # Paths ---------------------------------------------------------------
    @property
    def articles_dir(self) -> Path:
        return self.root / ARTICLES_FOLDER

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES_FOLDER

    @property
    def notes_dir(self) -> Path:
        return self.root / NOTES_FOLDER

    @property
    def site_config_dir(self) -> Path:
        return self.root / SITE_CONFIG_FOLDER

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_FOLDER

    @property
    def ticket_store_path(self) -> Path:
        return self.state_dir / "tickets.sqlite"

    @property
    def stats_db_path(self) -> Path:
        return self.state_dir / "stats.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.state_dir / "index"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def stage_dir(self) -> Path:
        """What the renderer reads (mkdocs.yml ``docs_dir``): only what kbgen may publish."""
        return self.root / STAGE_FOLDER

    @property
    def build_dir(self) -> Path:
        """Temporary build folders, swept at the start of the next build."""
        return self.state_dir / "build"

    @property
    def is_git_repo(self) -> bool:
        return (self.root / ".git").exists()

    @cached_property
    def schema_path(self) -> Path:
        own = self.site_config_dir / SCHEMA_NAME
        if own.is_file():
            return own
        return SCAFFOLD_DIR / SITE_CONFIG_FOLDER / SCHEMA_NAME

    def relpath(self, path: Path) -> str:
        """A path as users see it: relative to the KB root, with forward slashes."""
        try:
            return Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return str(path)

    # Locking -------------------------------------------------------------
    @contextmanager
    def lock(self, what: str = "kbgen") -> Iterator[None]:
        """Hold an exclusive advisory lock on ``.kbgen/lock`` for the duration.

        Two kbgen runs at once would race on branches, ids and the ticket store,
        so the second one fails fast with a clear message instead.
        """
        self.state_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.state_dir / "lock"
        fh = open(lock_path, "a+")  # noqa: SIM115 - held for the context's lifetime
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockedError(
                    f"another kbgen run holds {self.relpath(lock_path)}; "
                    f"wait for it to finish, then run '{what}' again"
                ) from None
            yield
        finally:
            fh.close()
