"""Case 12 end to end: Jira v3 ADF with node types kbgen does not know (media, extension, card).

Nothing crashes; known nodes are converted; each unknown one becomes a visible
placeholder on the page, and the draft carries a flag for the reviewer in its
review notes and its pull request body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kbgen.kb import KnowledgeBase

from .kbrun import FIXTURES, git, kbgen, new_kb, stable_env

EXPORT = FIXTURES / "jira" / "v3_adf_unknown_nodes.json"
BRANCH = "kb/KB-0001-teams-meetings-freeze-on-docked-laptops"
ARTICLE = "content/articles/kb-0001-teams-meetings-freeze-on-docked-laptops.md"
PAGE = "site/kb-0001-teams-meetings-freeze-on-docked-laptops/index.html"


@dataclass
class Run:
    root: Path
    draft: str
    notes: str
    pr_body: str
    html: str


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    from kbgen.review.pr_body import pull_request_body

    root = tmp_path_factory.mktemp("adf") / "kb"
    with stable_env():
        new_kb(root)
        captured = kbgen("capture", EXPORT, "--branch", "--kb", root)
        assert captured.exit_code == 0, captured.output
        draft = git(root, "show", f"{BRANCH}:{ARTICLE}")
        notes = git(root, "show", f"{BRANCH}:content/review-notes/KB-0001.yml")
        body = pull_request_body(KnowledgeBase.open(root), BRANCH)
        approved = kbgen("review", "approve", BRANCH, "--reviewer", "Ana Reviewer", "--kb", root)
        assert approved.exit_code == 0, approved.output
        built = kbgen("build", "--kb", root)
        assert built.exit_code == 0, built.output
    yield Run(root, draft, notes, body, (root / PAGE).read_text(encoding="utf-8"))


def test_unknown_nodes_are_flagged_for_the_reviewer(run: Run) -> None:
    assert "- adf-unknown-node:blockCard\n- adf-unknown-node:extension\n" in run.notes
    assert "adf-unknown-node:extension" in run.pr_body


def test_known_nodes_convert_and_unknown_ones_become_placeholders(run: Run) -> None:
    assert "Teams meetings freeze after **exactly ten minutes** on docked laptops." in run.draft
    assert "Seen on build `24.1.0`." in run.draft
    assert "\\[unsupported Jira content: extension\\]" in run.draft
    assert "\\[unsupported Jira content: blockCard\\]" in run.draft
    assert "Disable hardware acceleration in the Teams settings" in run.draft


def test_the_placeholders_are_visible_on_the_published_page(run: Run) -> None:
    body = run.html[run.html.index('<h2 id="issue">') :]
    assert "<p>[unsupported Jira content: extension]</p>" in body
    assert "<p>[unsupported Jira content: blockCard]</p>" in body
    assert "<strong>exactly ten minutes</strong>" in body


def test_the_meta_description_is_plain_text(run: Run) -> None:
    (description,) = re.findall(r'<meta name="description" content="([^"]*)">', run.html)
    assert description.startswith("Teams meetings freeze after exactly ten minutes")
    assert not re.search(r"##|\*\*|`", description)
