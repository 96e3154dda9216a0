from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.kb import KnowledgeBase, init_kb


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    """A fresh KB: a real git repository on main with the scaffold committed."""
    return init_kb(tmp_path / "kb")


def article_files(kb: KnowledgeBase) -> dict[str, bytes]:
    """Every file under content/articles and content/review-notes, KB-relative -> bytes."""
    out = {}
    for folder in (kb.articles_dir, kb.notes_dir):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    out[kb.relpath(path)] = path.read_bytes()
    return out
