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
        return self.root / "content" / "articles"

    @property
    def templates_dir(self) -> Path:
        return self.root / "content" / "templates"

    @property
    def notes_dir(self) -> Path:
        return self.root / "content" / "review-notes"

    @property
    def site_config_dir(self) -> Path:
        return self.root / "site_config"

    @property
    def state_dir(self) -> Path:
        return self.root / ".kbgen"

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

    @cached_property
    def schema_path(self) -> Path:
        own = self.site_config_dir / "article.schema.yml"
        if own.is_file():
            return own
        from kbgen.articles import SCAFFOLD_DIR

        return SCAFFOLD_DIR / "site_config" / "article.schema.yml"

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


# --- creating a KB -------------------------------------------------------------

SCAFFOLD_ROOT = Path(__file__).parent / "scaffold"


def scaffold_files() -> Iterator[tuple[Path, str]]:
    """(source file, relative target path) for every file ``kbgen init`` writes.

    Dot-files are stored as ``dot-<name>`` in the package (package data skips
    dot-paths), and renamed on the way out.
    """
    for src in sorted(SCAFFOLD_ROOT.rglob("*")):
        rel_parts = src.relative_to(SCAFFOLD_ROOT).parts
        # Real dot-paths never belong to the scaffold (a stray .kbgen/ state folder would
        # be copied into every new KB); dot-files are stored as dot-<name>.
        if (
            not src.is_file()
            or "__pycache__" in rel_parts
            or any(p.startswith(".") for p in rel_parts)
        ):
            continue
        parts = [
            ("." + p[4:]) if p.startswith("dot-") else p
            for p in src.relative_to(SCAFFOLD_ROOT).parts
        ]
        yield src, "/".join(parts)


def init_kb(directory: Path | str) -> KnowledgeBase:
    """Create a KB repository: scaffold files, ``git init -b main``, and a first commit."""
    from kbgen.review.git import git_executable, run_git

    git_executable()  # fail before writing anything when git is missing
    root = Path(directory).resolve()
    if root.exists() and any(root.iterdir()):
        raise ConfigError(f"{root} already exists and is not empty; choose a new directory")
    root.mkdir(parents=True, exist_ok=True)
    for src, rel in scaffold_files():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    run_git(["init", "-q", "-b", "main"], root)
    run_git(["add", "-A"], root)
    run_git(
        ["commit", "-q", "-m", "Create knowledge base with kbgen init"],
        root,
        env=_bot_identity(),
    )
    return KnowledgeBase(root=root, config=load_config(root))


def _bot_identity() -> dict[str, str]:
    """Commit as the user when git knows them, else as kbgen (so init works on a bare machine)."""
    env: dict[str, str] = {}
    for var, key, fallback in (
        ("GIT_AUTHOR_NAME", "user.name", "kbgen"),
        ("GIT_AUTHOR_EMAIL", "user.email", "kbgen@localhost"),
    ):
        if var in os.environ:
            continue
        import subprocess

        got = subprocess.run(
            ["git", "config", "--get", key], capture_output=True, text=True, check=False
        )
        env[var] = got.stdout.strip() or fallback
    env.setdefault(
        "GIT_COMMITTER_NAME",
        os.environ.get("GIT_COMMITTER_NAME", env.get("GIT_AUTHOR_NAME", "kbgen")),
    )
    env.setdefault(
        "GIT_COMMITTER_EMAIL",
        os.environ.get("GIT_COMMITTER_EMAIL", env.get("GIT_AUTHOR_EMAIL", "kbgen@localhost")),
    )
    return env
