"""The publish boundary, attacked by someone with push access to a ``kb/`` branch.

Every test starts from the same real setup: a bare origin, a contributor's clone
(who may push branches and open pull requests, and is not trusted) and a
maintainer's clone (who approves and builds). One article is published. The
contributor then pushes a hostile branch; each attack must end in a clear
refusal, with nothing merged, nothing executed and nothing published.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbgen.kb import content_digest, load_article

from .kbrun import git, kbgen, new_kb, stable_env

ARTICLE = "content/articles/kb-0001-printer.md"
BRANCH = "kb/KB-0001-edit"
MARKER = "kbgen-attack-ran"  # a file the attacks try to create


ARTICLE_TEXT = """\
---
id: KB-0001
title: Printer shows offline after the spooler update
summary: The office printer shows offline after an update.
status: draft
confidence: not_validated
type: troubleshooting
language: en
category: Hardware
tags:
- printer
tickets:
- SUP-1
created: '2026-11-20'
updated: '2026-11-20'
---

## Issue

The office printer shows as offline after the spooler update.

## Resolution

1. Open Services.
2. Restart the Print Spooler service.
"""


@dataclass
class Setup:
    origin: Path
    contributor: Path
    maintainer: Path
    tmp: Path

    def branch(self, files: dict[str, str | None], message: str = "Edit") -> None:
        """The contributor commits ``files`` (None deletes) on BRANCH and pushes it."""
        git(self.contributor, "checkout", "-q", "-B", BRANCH, "origin/main")
        for rel, text in files.items():
            path = self.contributor / rel
            if text is None:
                git(self.contributor, "rm", "-q", "--", rel)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            git(self.contributor, "add", "--", rel)
        git(self.contributor, "commit", "-q", "-m", message)
        git(self.contributor, "push", "-q", "-f", "origin", BRANCH)
        git(self.maintainer, "fetch", "-q", "origin")

    def ci_check(self, *args: str) -> tuple[int, str]:
        """What the scaffolded CI runs on the pull request, in the contributor's checkout."""
        result = kbgen("check", "--base", "origin/main", *args, "--kb", self.contributor)
        return result.exit_code, result.output

    def approve(self, *args: str) -> tuple[int, str]:
        result = kbgen(
            "review", "approve", f"origin/{BRANCH}", "--reviewer", "Max Maintainer",
            *args, "--kb", self.maintainer,
        )  # fmt: skip
        return result.exit_code, result.output

    def main(self) -> str:
        return git(self.maintainer, "rev-parse", "main").strip()

    def build(self) -> tuple[int, str]:
        result = kbgen("build", "--kb", self.maintainer)
        return result.exit_code, result.output

    def nothing_ran(self) -> bool:
        return not any(
            p.name == MARKER for root in (self.tmp, Path.cwd()) for p in root.rglob(MARKER)
        )


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    monkeypatch.chdir(tmp_path)
    with stable_env():
        origin = tmp_path / "origin.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
        maintainer = new_kb(tmp_path / "maintainer")
        git(maintainer, "remote", "add", "origin", str(origin))
        (maintainer / ARTICLE).write_text(ARTICLE_TEXT, encoding="utf-8")
        git(maintainer, "add", "--", ARTICLE)
        git(maintainer, "commit", "-q", "-m", "Draft KB-0001")
        git(maintainer, "push", "-q", "-u", "origin", "main")
        approved = kbgen(
            "review", "approve", "KB-0001", "--reviewer", "Ana Reviewer", "--kb", maintainer
        )
        assert approved.exit_code == 0, approved.output
        git(tmp_path, "clone", "-q", str(origin), str(tmp_path / "contributor"))
        yield Setup(origin, tmp_path / "contributor", maintainer, tmp_path)


def published_text(setup: Setup) -> str:
    return (setup.contributor / ARTICLE).read_text(encoding="utf-8")


def test_a_clean_edit_passes_the_gate_and_approval_records_the_new_reviewer(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    edited = published_text(setup).replace("Restart the Print", "Restart the Windows Print")
    setup.branch({ARTICLE: edited})
    assert setup.ci_check() == (0, "Checked 1 file: 0 errors, 0 warnings.\n")
    code, output = setup.approve()
    assert code == 0, output
    article = load_article(setup.maintainer / ARTICLE)
    assert article.meta["reviewed_by"] == "Max Maintainer"  # not Ana's any more
    assert article.meta["approved_sha256"] == content_digest(article)
    message = git(setup.maintainer, "log", "-1", "--format=%B", "main")
    assert "Reviewed-by: Max Maintainer\nChecked: " + ARTICLE in message


def test_configuration_smuggled_beside_an_article_edit_is_refused(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    mkdocs = (setup.contributor / "mkdocs.yml").read_text(encoding="utf-8")
    hostile_mkdocs = (
        mkdocs
        + "hooks:\n  - evil.py\nextra_javascript:\n  - evil.js\n"
        + f"copyright: !!python/object/apply:os.system ['touch {MARKER}']\n"
    )
    main_html = setup.contributor / "site_config" / "overrides" / "main.html"
    setup.branch(
        {
            ARTICLE: published_text(setup).replace("Open Services.", "Open the Services app."),
            "mkdocs.yml": hostile_mkdocs,
            "evil.py": f"from pathlib import Path\nPath('{MARKER}').touch()\n",
            "content/articles/evil.js": "alert(1)\n",
            "site_config/overrides/main.html": main_html.read_text()
            + "<script>alert(1)</script>\n",
        }
    )
    before = setup.main()

    code, output = setup.ci_check()
    assert code == 1
    assert (
        "mkdocs.yml:1: error [config-change] modified mkdocs.yml: configuration changes how every "
        "article is published and needs a maintainer: review it with kbgen check --base "
        "origin/main --allow-config\n"
    ) in output
    for path in ("evil.py", "site_config/overrides/main.html"):
        assert f"{path}:1: error [config-change] " in output
    assert "content/articles/evil.js:1: error [not-an-article] " in output

    listed = kbgen("review", "list", "--kb", setup.maintainer).output
    assert "    CONFIGURATION CHANGES (a maintainer must review them):\n" in listed
    assert "      modified mkdocs.yml\n" in listed and "      added evil.py\n" in listed

    code, output = setup.approve()
    assert code == 1
    assert output.startswith(
        f"Error: {BRANCH} cannot be approved; nothing was changed: it changes configuration ("
    )
    assert setup.main() == before
    assert setup.build()[0] == 0
    site = setup.maintainer / "site"
    assert not any("alert(1)" in p.read_text() for p in site.rglob("*.html"))
    assert not (site / "evil.js").exists()
    assert setup.nothing_ran()


def test_a_maintainers_configuration_review_shows_the_diff(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    mkdocs = (setup.contributor / "mkdocs.yml").read_text(encoding="utf-8")
    setup.branch({"mkdocs.yml": mkdocs.replace("Support Knowledge Base", "Help Centre")})
    code, output = setup.ci_check("--allow-config")
    assert code == 0
    assert "Configuration changes to review (1):\n  modified mkdocs.yml\n" in output
    assert "-site_name: Support Knowledge Base\n+site_name: Help Centre\n" in output
    code, output = setup.approve("--allow-config")
    assert code == 0, output
    assert "site_name: Help Centre" in git(setup.maintainer, "show", "main:mkdocs.yml")


def test_python_tags_in_mkdocs_yml_never_run_even_when_merged(setup: Setup) -> None:
    """A maintainer who merged it anyway: kbgen reads mkdocs.yml before MkDocs would run it."""
    mkdocs = setup.maintainer / "mkdocs.yml"
    mkdocs.write_text(
        mkdocs.read_text() + f"copyright: !!python/object/apply:os.system ['touch {MARKER}']\n"
    )
    code, output = setup.build()
    assert code == 1
    assert output == (
        f"Error: {mkdocs}:76: the YAML tag !!python/...:os.system is not allowed; kbgen builds only "
        "material.extensions.emoji.to_svg, material.extensions.emoji.twemoji, materialx.emoji.to_svg, "
        "materialx.emoji.twemoji, pymdownx.arithmatex.arithmatex_fenced_format, pymdownx.slugs.slugify, "
        "pymdownx.superfences.fence_code_format, pymdownx.superfences.fence_div_format\n"
    )
    assert setup.nothing_ran()


def test_the_branch_cannot_bring_its_own_redaction_policy(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    config = setup.contributor / "site_config" / "kbgen.yml"
    allow = "redaction:\n  allow: [jane.doe@corp.example, +1 202 555 0147, AKIAIOSFODNN7EXAMPLE]\n"
    schema = (setup.contributor / "site_config" / "article.schema.yml").read_text()
    leaky = published_text(setup).replace(
        "1. Open Services.",
        "Mail jane.doe@corp.example or call +1 202 555 0147 (key AKIAIOSFODNN7EXAMPLE).\n\n1. Open Services.",
    )
    setup.branch(
        {
            ARTICLE: leaky,
            "site_config/kbgen.yml": config.read_text() + allow,
            "site_config/article.schema.yml": schema.replace(
                "additionalProperties: false", "additionalProperties: true"
            ),
        }
    )
    code, output = setup.ci_check()
    assert code == 1
    assert f"{ARTICLE}:" in output and "error [pii] possible email" in output
    assert "error [pii] possible secret" in output or "error [pii] possible aws" in output
    assert "site_config/kbgen.yml:1: error [config-change]" in output
    # Even a maintainer's configuration review judges the article by main's allow-list.
    code, output = setup.ci_check("--allow-config")
    assert code == 1 and "error [pii] possible email" in output


def test_forged_review_fields_fail_the_gate(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    forged = ARTICLE_TEXT.replace("id: KB-0001", "id: KB-0002").replace(
        "status: draft", "status: published\nreviewed_by: Ana Reviewer\npublished_at: '2026-11-24'"
    )
    setup.branch({"content/articles/kb-0002-forged.md": forged})
    code, output = setup.ci_check()
    assert code == 1
    assert (
        "content/articles/kb-0002-forged.md:5: error [status-transition] a new article must start "
        "as status 'draft', not 'published'; set status back, then: kbgen review approve ID --reviewer NAME\n"
    ) in output
    assert "error [review-field] 'reviewed_by' is written by approval only" in output
    assert "error [review-field] 'published_at' is written by approval only" in output
    before = setup.main()
    assert setup.approve()[0] == 1
    assert setup.main() == before


def test_keeping_the_old_reviewer_on_an_edit_does_not_publish_it(setup: Setup) -> None:
    """A published article edited and merged without approval: the site keeps the approved text."""
    text = (setup.maintainer / ARTICLE).read_text()
    (setup.maintainer / ARTICLE).write_text(text.replace("Open Services.", "Run evil.exe."))
    git(setup.maintainer, "commit", "-q", "-am", "Merged by hand, no approval")
    code, output = setup.build()
    assert code == 0, output
    assert (
        "Published as last approved (edited since, approve the edit to publish it): KB-0001"
        in output
    )
    page = (setup.maintainer / "site" / "kb-0001-printer" / "index.html").read_text()
    assert "Open Services." in page and "evil.exe" not in page
    listed = kbgen("review", "list", "--kb", setup.maintainer).output
    assert listed.startswith("KB-0001  published  main  ")
    approved = kbgen(
        "review", "approve", "KB-0001", "--reviewer", "Max Maintainer", "--kb", setup.maintainer
    )
    assert approved.exit_code == 0, approved.output
    assert setup.build()[0] == 0
    page = (setup.maintainer / "site" / "kb-0001-printer" / "index.html").read_text()
    assert "evil.exe" in page and "Max Maintainer" in page


@pytest.mark.parametrize("how", ["git rm", "git revert"])
def test_a_published_article_cannot_be_deleted(setup: Setup, how: str) -> None:
    git(setup.contributor, "pull", "-q")
    git(setup.contributor, "checkout", "-q", "-B", BRANCH, "origin/main")
    if how == "git rm":
        git(setup.contributor, "rm", "-q", ARTICLE)
        git(setup.contributor, "commit", "-q", "-m", "Remove")
    else:
        publish = git(setup.contributor, "log", "-1", "--format=%H", "--", ARTICLE).strip()
        git(setup.contributor, "revert", "--no-edit", publish)
    code, output = setup.ci_check()
    assert code == 1
    if how == "git rm":
        assert (
            f"{ARTICLE}:1: error [published-removed] this change deletes published article "
            "KB-0001, whose page readers and links rely on; retire it instead: kbgen review "
            "retire KB-0001 --reason TEXT [--redirect-to ID]\n"
        ) in output
    else:  # the approval commit undone: back to a draft, its review fields gone
        assert "status may not change from 'published' to 'draft'" in output
        assert "error [review-field] 'reviewed_by' is written by approval only" in output


def test_reverting_a_merge_that_published_a_new_article_is_refused(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    new = ARTICLE_TEXT.replace("id: KB-0001", "id: KB-0002")
    setup.branch({"content/articles/kb-0002-new.md": new})
    assert setup.approve()[0] == 0
    git(setup.contributor, "fetch", "-q")
    git(setup.contributor, "checkout", "-q", "-B", BRANCH, "origin/main")
    git(setup.contributor, "revert", "--no-edit", "-m", "1", "HEAD")
    code, output = setup.ci_check()
    assert code == 1
    assert "error [published-removed] this change deletes published article KB-0002" in output


def test_symlinks_anywhere_are_refused(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    git(setup.contributor, "checkout", "-q", "-B", BRANCH, "origin/main")
    link = setup.contributor / "site_config" / "overrides" / "passwd.html"
    link.symlink_to("/etc/passwd")
    git(setup.contributor, "add", "--", "site_config/overrides/passwd.html")
    git(setup.contributor, "commit", "-q", "-m", "Link")
    code, output = setup.ci_check()
    assert code == 1
    assert (
        "site_config/overrides/passwd.html:1: error [symlink] symbolic links are not allowed "
        "anywhere in a KB"
    ) in output
    # Merged anyway, by hand: the build refuses to publish through it.
    git(setup.contributor, "push", "-q", "origin", BRANCH)
    git(setup.maintainer, "fetch", "-q", "origin")
    git(setup.maintainer, "merge", "-q", "--no-edit", f"origin/{BRANCH}")
    code, output = setup.build()
    assert code == 1
    assert "site_config/overrides/passwd.html is a symbolic link" in output
    assert not (setup.maintainer / "site" / "passwd.html").exists()


def test_a_template_that_runs_code_is_a_configuration_change_and_runs_nothing(setup: Setup) -> None:
    git(setup.contributor, "pull", "-q")
    payload = f"{{{{ cycler.__init__.__globals__.os.system('touch {MARKER}') }}}}\n"
    setup.branch({"content/templates/troubleshooting.en.md.j2": payload})
    code, output = setup.ci_check()
    assert (
        code == 1
        and "content/templates/troubleshooting.en.md.j2:1: error [config-change]" in output
    )
    # Checked out by someone who then captures: the sandbox stops it with one line.
    export = setup.tmp / "export.json"
    export.write_text(json.dumps(_jira_export()), encoding="utf-8")
    result = kbgen("capture", export, "--no-branch", "--kb", setup.contributor)
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: template troubleshooting.en.md.j2:1 reaches for Python internals ("
    )
    assert setup.nothing_ran()


def _jira_export() -> dict[str, object]:
    issue = {
        "key": "SUP-9",
        "fields": {
            "summary": "Scanner does not start",
            "issuetype": {"name": "Incident"},
            "status": {"name": "Resolved"},
            "resolution": {"name": "Fixed"},
            "created": "2026-11-01T09:00:00.000+0000",
            "resolutiondate": "2026-11-01T10:00:00.000+0000",
            "description": "The scanner does not start after login.",
            "comment": {"total": 1, "maxResults": 1, "startAt": 0, "comments": [
                {"id": "1", "author": {"displayName": "Bo Staff"}, "body": "Reinstalled the driver.",
                 "created": "2026-11-01T10:00:00.000+0000"},
            ]},
        },
    }  # fmt: skip
    return {"startAt": 0, "maxResults": 50, "total": 1, "issues": [issue]}


def test_a_renderer_that_knows_nothing_of_kbgen_publishes_no_draft(setup: Setup) -> None:
    kb = setup.maintainer
    draft = ARTICLE_TEXT.replace("id: KB-0001", "id: KB-0002").replace(
        "## Issue", "## Issue\n\nSECRET-DRAFT-TEXT\n\n<img src=x onerror=alert(1)>"
    )
    (kb / "content" / "articles" / "kb-0002-draft.md").write_text(draft, encoding="utf-8")
    git(kb, "add", "-A")
    git(kb, "commit", "-q", "-m", "A draft on main")
    plain = kb / "plain.yml"
    text = (
        (kb / "mkdocs.yml")
        .read_text()
        .replace("  - kbgen\n", "")
        .replace("site_dir: site", "site_dir: plain-site")
    )
    plain.write_text(text.replace("strict: true", "strict: false"))
    mkdocs = [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(plain)]
    git(kb, "push", "-q", "origin", "main")
    # A fresh clone: nothing is staged, so a plain renderer finds nothing to publish.
    clone = setup.tmp / "fresh"
    git(setup.tmp, "clone", "-q", str(setup.origin), str(clone))
    shutil.copy(plain, clone / "plain.yml")
    fresh = subprocess.run(
        [*mkdocs[:-1], str(clone / "plain.yml")],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode != 0 and "isn't an existing directory" in fresh.stderr
    assert not (clone / "plain-site").exists()
    assert setup.build()[0] == 0  # kbgen stages what may be published
    for renderer in (
        mkdocs,
        [str(Path(sys.executable).parent / "zensical"), "build", "-f", str(plain)],
    ):
        shutil.rmtree(kb / "plain-site", ignore_errors=True)
        done = subprocess.run(renderer, cwd=kb, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        everything = "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in (kb / "plain-site").rglob("*")
            if p.is_file() and p.suffix in (".html", ".json", ".xml") and "assets" not in p.parts
        )
        assert "SECRET-DRAFT-TEXT" not in everything
        assert "onerror=alert" not in everything
        assert "Restart the Print Spooler service." in everything  # the published article is there
