from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, scaffold_files
from kbgen.kb import scaffold as scaffold_module


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_init_creates_a_committed_kb_on_main(tmp_path: Path) -> None:
    target = tmp_path / "support-kb"
    result = CliRunner().invoke(cli, ["init", str(target)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output == (
        f"Created knowledge base in {target}\nNext: cd {target} && kbgen capture TICKETS.json\n"
    )
    assert git(target, "branch", "--show-current") == "main"
    assert git(target, "log", "--format=%s") == "Create knowledge base with kbgen init"
    assert git(target, "status", "--porcelain") == ""
    for _src, rel in scaffold_files():
        assert (target / rel).is_file(), rel
    assert ".kbgen/" in (target / ".gitignore").read_text().splitlines()
    assert (target / "content" / "articles").is_dir()
    kb = KnowledgeBase.open(target)
    assert kb.config.kb.id_prefix == "KB"


def test_init_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {tmp_path} already exists and is not empty; choose a new directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_without_git_says_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "kb")])
    assert result.exit_code == 1
    assert (
        result.output == "Error: git is not installed or not on PATH; install git and try again\n"
    )
    assert not (tmp_path / "kb").exists()


def test_commands_outside_a_kb_say_how_to_create_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "x", "--kb", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path} is not a kbgen knowledge base (no mkdocs.yml and content/). "
        f"Create one with: kbgen init {tmp_path}\n"
    )


def test_scaffold_never_ships_local_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray .kbgen/ (from running kbgen inside the package) is never copied to new KBs."""
    (tmp_path / ".kbgen" / "index").mkdir(parents=True)
    (tmp_path / ".kbgen" / "index" / "terms.sqlite").write_text("state")
    (tmp_path / "dot-github").mkdir()
    (tmp_path / "dot-github" / "ci.yml").write_text("ci")
    (tmp_path / "dot-gitignore").write_text(".kbgen/\n")
    monkeypatch.setattr(scaffold_module, "SCAFFOLD_DIR", tmp_path)
    assert [rel for _, rel in scaffold_files()] == [".github/ci.yml", ".gitignore"]
