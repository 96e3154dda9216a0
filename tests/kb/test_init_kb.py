from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.kb import KnowledgeBase, scaffold_files
from kbgen.kb import scaffold as scaffold_module

REPO_ROOT = Path(__file__).resolve().parents[2]


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


@pytest.mark.parametrize("name", ["site_config", "content/templates"])
def test_this_repository_is_a_kb_built_on_the_scaffold(name: str) -> None:
    """The repo root is an example KB whose config and templates are the scaffold's, copied.

    Real files, not symlinks: a KB refuses symlinks anywhere (they could publish any
    file on the build machine). So `mkdocs build` at the root shows what `kbgen init`
    gives a new KB; when this fails, copy kbgen/scaffold/<name> over <name>.
    """
    ours = REPO_ROOT / name
    scaffold = REPO_ROOT / "kbgen" / "scaffold" / name
    assert not ours.is_symlink()
    files = {
        p.relative_to(scaffold).as_posix(): p.read_bytes()
        for p in scaffold.rglob("*")
        if p.is_file()
    }
    copies = {
        p.relative_to(ours).as_posix(): p.read_bytes() for p in ours.rglob("*") if p.is_file()
    }
    assert copies == files


def test_the_repository_mkdocs_yml_is_the_scaffold_one() -> None:
    """A real file, not a link: MkDocs would otherwise place the KB root inside the package."""
    path = REPO_ROOT / "mkdocs.yml"
    assert not path.is_symlink()
    assert path.read_bytes() == (REPO_ROOT / "kbgen" / "scaffold" / "mkdocs.yml").read_bytes()


def test_scaffold_never_ships_local_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stray .kbgen/ (from running kbgen inside the package) is never copied to new KBs."""
    (tmp_path / ".kbgen" / "index").mkdir(parents=True)
    (tmp_path / ".kbgen" / "index" / "terms.sqlite").write_text("state")
    (tmp_path / "dot-github").mkdir()
    (tmp_path / "dot-github" / "ci.yml").write_text("ci")
    (tmp_path / "dot-gitignore").write_text(".kbgen/\n")
    monkeypatch.setattr(scaffold_module, "SCAFFOLD_DIR", tmp_path)
    assert [rel for _, rel in scaffold_files()] == [".github/ci.yml", ".gitignore"]
