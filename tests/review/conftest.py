"""Real git for review tests: a fresh KB, and a bare origin with an engineer's and a reviewer's clone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from review_helpers import as_person

from kbgen.kb import KnowledgeBase, init_kb, run_git


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    """A fresh KB from `kbgen init`, on main, with no remote."""
    return init_kb(tmp_path / "kb")


@dataclass
class Team:
    origin: Path
    engineer: KnowledgeBase
    reviewer: KnowledgeBase
    monkeypatch: pytest.MonkeyPatch

    def be_engineer(self) -> None:
        as_person(self.monkeypatch, "Eve Engineer", "eve@example.test")

    def be_reviewer(self) -> None:
        as_person(self.monkeypatch, "Rita Reviewer", "rita@example.test")


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Team:
    """A bare origin, the engineer's KB (pushed to it) and the reviewer's clone."""
    origin = tmp_path / "origin.git"
    run_git(["init", "-q", "--bare", "-b", "main", str(origin)], tmp_path)
    engineer = init_kb(tmp_path / "engineer")
    run_git(["remote", "add", "origin", str(origin)], engineer.root)
    run_git(["push", "-q", "-u", "origin", "main"], engineer.root)
    run_git(["clone", "-q", str(origin), str(tmp_path / "reviewer")], tmp_path)
    reviewer = KnowledgeBase.open(tmp_path / "reviewer")
    team = Team(origin, engineer, reviewer, monkeypatch)
    team.be_engineer()
    return team
