"""Review through git: drafts on branches, the ``kbgen check`` gate, approval by merge, forges.

Public verbs (imported lazily so that ``kbgen --help`` stays fast):

* :func:`commit_drafts`, :func:`list_kb_branches`, :func:`iter_branch_articles` (branches.py)
* :func:`check_paths` (check.py)
* :func:`approve` (approve.py)
* :func:`submit` (forge.py)
* :func:`retire`, :func:`flag`, :func:`list_pending` (lifecycle.py)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DraftChange": "branches",
    "BranchResult": "branches",
    "commit_drafts": "branches",
    "list_kb_branches": "branches",
    "iter_branch_articles": "branches",
    "check_paths": "check",
    "CheckReport": "check",
    "Finding": "check",
    "approve": "approve",
    "Approval": "approve",
    "submit": "forge",
    "Forge": "forge",
    "FakeForge": "forge",
    "PullRequest": "forge",
    "retire": "lifecycle",
    "flag": "lifecycle",
    "list_pending": "lifecycle",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kbgen.review' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kbgen.review.{module}"), name)
