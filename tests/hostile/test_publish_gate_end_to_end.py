"""Cases 32-34, 46 and 47 end to end: what a person commits on main after publishing.

A KB is captured, approved and built once; each test copies it, commits a
hostile edit on main the way a person would (no kbgen involved), then runs the
gate (``kbgen check``) and ``kbgen build``. The gate must fail naming the file,
and a failed build must leave the served site byte for byte as it was.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbgen.kb import content_digest, load_article, write_article

from .kbrun import FIXTURES, git, kbgen, new_kb, snapshot, stable_env

ARTICLE = "content/articles/kb-0001-shared-mailbox-sync-stalls-after-password-rotation.md"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("gate") / "kb"
    with stable_env():
        new_kb(root)
        exports = [FIXTURES / "privacy" / "jira_private.json"]
        assert kbgen("capture", *exports, "--branch", "--kb", root).exit_code == 0
        approved = kbgen("review", "approve", "--all", "--reviewer", "Ana Reviewer", "--kb", root)
        assert approved.exit_code == 0, approved.output
        built = kbgen("build", "--kb", root)
        assert built.exit_code == 0, built.output
    yield root


@pytest.fixture
def kb(published: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(published, copy, symlinks=True)
    shutil.rmtree(copy / ".kbgen" / "worktrees", ignore_errors=True)
    git(copy, "worktree", "prune")
    return copy


def commit(kb: Path, rel: str, text: str) -> None:
    path = kb / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(kb, "add", "--", rel)
    git(kb, "commit", "-q", "-m", f"Edit {rel} by hand")


def site_state(kb: Path) -> dict[str, str]:
    return {k: v for k, v in snapshot(kb).items() if k.startswith("site/")}


def assert_build_fails_and_site_is_untouched(kb: Path, first_line: str, *options: str) -> str:
    before = site_state(kb)
    assert len(before) > 10
    result = kbgen("build", *options, "--kb", kb)
    assert result.exit_code == 1
    assert result.output.startswith(first_line), result.output
    assert site_state(kb) == before
    assert [p for p in kb.iterdir() if p.name.startswith(("site.", ".site"))] == []
    return result.output


def test_a_clean_copy_passes_check(kb: Path) -> None:
    """The baseline for every test below: the gate only fails because of the edit."""
    result = kbgen("check", "--kb", kb)
    assert (result.exit_code, result.output) == (0, "Checked 1 file: 0 errors, 0 warnings.\n")


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("yaml error", lambda t: t.replace("status: published", "status: [published")),
        ("not a mapping", lambda t: "---\n- just\n- a list\n---\n" + t.split("\n---\n", 1)[1]),
        ("leading blank line", lambda t: "\n" + t),
        ("four-dash delimiters", lambda t: t.replace("---\n", "----\n", 1)),
        ("byte order mark", lambda t: "\ufeff" + t),
    ],
)
def test_broken_front_matter_fails_the_gate_and_never_reaches_the_site(
    kb: Path, name: str, edit: object
) -> None:
    """Case 32: check names the file; the build refuses; the old site stays; no front-matter text."""
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, edit(text))  # type: ignore[operator]
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1, name
    assert checked.output.startswith(f"{ARTICLE}:"), checked.output
    output = assert_build_fails_and_site_is_untouched(
        kb, f"Error: the site build failed and site/ is unchanged:\n  {ARTICLE}:"
    )
    assert output.endswith("Fix the file ('kbgen check' lists every problem)\n")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("meta", "{}"),
        ("template", "evil.html"),
        ("hide", "[toc]"),
        ("search", "{exclude: true}"),
        ("reporter_email", "quentin@corp-example.com"),
    ],
)
def test_disallowed_front_matter_keys_fail_the_gate(kb: Path, key: str, value: str) -> None:
    """Case 33: each key is rejected on its own line."""
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text.replace("status: published\n", f"status: published\n{key}: {value}\n"))
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert checked.output.startswith(f"{ARTICLE}:"), checked.output
    assert f"'{key}'" in checked.output


@pytest.mark.parametrize(
    "rel",
    [
        "content/articles/tickets.json",
        "content/articles/notes.yml",
        "content/articles/_private/raw.md",
    ],
)
def test_sidecar_files_in_docs_dir_fail_the_gate_and_are_not_published(kb: Path, rel: str) -> None:
    """Case 34: only allow-listed asset types may sit in docs_dir; none of these is served."""
    commit(kb, rel, "zanzibar sidecar payload: quentin.marlowe@corp-example.com\n")
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert rel in checked.output
    kbgen("build", "--kb", kb)
    served = [p for p in (kb / "site").rglob("*") if p.is_file() and b"zanzibar" in p.read_bytes()]
    assert served == []


def site_text(kb: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in (kb / "site").rglob("*")
        if p.is_file()
    )


def sign_by_hand(kb: Path, rel: str) -> None:
    """Record an approval digest for the article as it now is, the way only a maintainer
    bypassing ``kbgen review approve`` could: without it the site keeps the approved text."""
    article = load_article(kb / rel)
    article.meta["approved_sha256"] = content_digest(article)
    write_article(kb / rel, article)
    git(kb, "commit", "-q", "-am", f"Sign {rel} by hand")


def test_an_unapproved_edit_on_main_is_not_published(kb: Path) -> None:
    """An edit committed on main without approval: the site keeps the approved version."""
    before = site_state(kb)
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text + "\nAsk quentin.marlowe@corp-example.com or call 13812345678.\n")
    result = kbgen("build", "--kb", kb)
    assert result.exit_code == 0, result.output
    assert (
        "Published as last approved (edited since, approve the edit to publish it): KB-0001\n"
        in result.output
    )
    assert "quentin" not in site_text(kb)
    assert site_state(kb).keys() == before.keys()


def test_a_broken_link_fails_the_strict_build_and_the_served_site_stays(kb: Path) -> None:
    """Case 46: the build went to a temporary folder; site/ is swapped only on success."""
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text + "\nSee [the old page](kb-0404-gone.md#nowhere).\n")
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert "kb-0404-gone.md" in checked.output
    sign_by_hand(kb, ARTICLE)
    assert_build_fails_and_site_is_untouched(
        kb, "Error: the site build failed and site/ is unchanged:\n  Doc file 'kb-0001-"
    )


def test_personal_data_committed_by_hand_fails_check_and_is_withheld(kb: Path) -> None:
    """Case 47: an email typed into a published article stops the gate; a build that meets
    it anyway withholds that article (naming the kind, never the value) and publishes the
    rest, and a strict build fails with the served site untouched."""
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text + "\nAsk quentin.marlowe@corp-example.com or call 13812345678.\n")
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert checked.output.startswith(f"{ARTICLE}:"), checked.output
    sign_by_hand(kb, ARTICLE)
    output = assert_build_fails_and_site_is_untouched(
        kb,
        "Error: the site build failed and site/ is unchanged:\n  withheld KB-0001 ",
        "--strict-leaks",
    )
    assert "quentin.marlowe@corp-example.com" not in output and "13812345678" not in output
    result = kbgen("build", "--kb", kb)
    assert result.exit_code == 0
    assert (
        f"Withheld: KB-0001 ({ARTICLE}): possible email (leak scan); possible phone (leak scan)\n"
        in (result.output)
    )
    assert "quentin" not in site_text(kb) and "13812345678" not in site_text(kb)


def test_an_internal_host_name_fails_check_and_the_leak_scan(kb: Path) -> None:
    """Case 47: the configured internal host list is part of the gate and the publish scan."""
    commit(kb, "site_config/kbgen.yml", "redaction:\n  internal_hosts: [corp-example.com]\n")
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text + "\nMap the share from fileserver.corp-example.com first.\n")
    line = len(text.splitlines()) + 2  # after the blank line
    checked = kbgen("check", "--kb", kb)
    assert (checked.exit_code, checked.output) == (
        1,
        f"{ARTICLE}:{line}: error [pii] possible internal-host at column 20: Map the share from "
        "[internal-host] first.; redact it or add it to redaction.allow\n"
        "Error: Checked 1 file: 1 error, 0 warnings.\n",
    )
    sign_by_hand(kb, ARTICLE)
    output = assert_build_fails_and_site_is_untouched(
        kb,
        "Error: the site build failed and site/ is unchanged:\n  withheld KB-0001 ",
        "--strict-leaks",
    )
    assert "fileserver" not in output


def test_a_broken_anchor_fails_the_strict_build_and_the_served_site_stays(kb: Path) -> None:
    """Case 46 with ``validation.anchors: warn``: strict turns the warning into a failed build."""
    text = (kb / ARTICLE).read_text(encoding="utf-8")
    commit(kb, ARTICLE, text + "\nSee [the steps](#no-such-heading).\n")
    checked = kbgen("check", "--kb", kb)
    assert checked.exit_code == 1
    assert "error [broken-link] link '#no-such-heading': no heading with anchor" in (checked.output)
    sign_by_hand(kb, ARTICLE)
    output = assert_build_fails_and_site_is_untouched(
        kb, "Error: the site build failed and site/ is unchanged:\n  Doc file 'kb-0001-"
    )
    assert "contains a link '#no-such-heading', but there is no such anchor on this page." in output
