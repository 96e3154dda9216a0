"""Shared fixtures: real datasets beside the repo, real git repositories in tmp_path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# bench/ is imported by the browser tests (one Chromium set-up) and the bench tests.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
DATASETS = REPO_ROOT.parent / "shared" / "datasets_candidates"
FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    # Installed third-party kbgen plugins never load under tests.
    sys._called_from_test = True  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _stable_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Reproducible dates and git identities; never touch the user's git config."""
    monkeypatch.setenv("KBGEN_TODAY", "2026-11-25")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Eve Engineer")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "eve@example.test")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Eve Engineer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "eve@example.test")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real helpdesk exports in ../shared/datasets_candidates (present in CI too)."""
    if not DATASETS.is_dir():
        pytest.fail(f"{DATASETS} is missing: clone the repo next to shared/ as CI does")
    return DATASETS
