"""``kbgen init``: a new KB repository from the packaged scaffold, committed in git.

The scaffold is package data under ``kbgen/scaffold/`` (:data:`SCAFFOLD_DIR`).
Dot-files are stored as ``dot-<name>`` there (package data skips dot-paths) and
renamed on the way out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kbgen.config import load_config
from kbgen.exceptions import ConfigError
from kbgen.kb.git import bot_identity, git_executable, run_git
from kbgen.kb.paths import ARTICLES_FOLDER, SCAFFOLD_DIR, STAGE_FOLDER
from kbgen.kb.repository import KnowledgeBase


def scaffold_files() -> Iterator[tuple[Path, str]]:
    """(source file, relative target path) for every file ``kbgen init`` writes."""
    for src in sorted(SCAFFOLD_DIR.rglob("*")):
        rel_parts = src.relative_to(SCAFFOLD_DIR).parts
        # Real dot-paths never belong to the scaffold (a stray .kbgen/ state folder would
        # be copied into every new KB); dot-files are stored as dot-<name>.
        if (
            not src.is_file()
            or "__pycache__" in rel_parts
            or any(p.startswith(".") for p in rel_parts)
        ):
            continue
        parts = [("." + p[4:]) if p.startswith("dot-") else p for p in rel_parts]
        yield src, "/".join(parts)


def init_kb(directory: Path | str) -> KnowledgeBase:
    """Create a KB repository: scaffold files, ``git init -b main``, and a first commit."""
    git_executable()  # fail before writing anything when git is missing
    root = Path(directory).resolve()
    if root.exists() and any(root.iterdir()):
        raise ConfigError(f"{root} already exists and is not empty; choose a new directory")
    root.mkdir(parents=True, exist_ok=True)
    for src, rel in scaffold_files():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
    (root / ARTICLES_FOLDER).mkdir(parents=True, exist_ok=True)
    (root / STAGE_FOLDER).mkdir(parents=True, exist_ok=True)  # mkdocs.yml's docs_dir (git-ignored)
    run_git(["init", "-q", "-b", "main"], root)
    run_git(["add", "-A"], root)
    run_git(
        ["commit", "-q", "-m", "Create knowledge base with kbgen init"],
        root,
        env=bot_identity(root),
    )
    return KnowledgeBase(root=root, config=load_config(root))
