"""Cases 26 and 46 end to end: a person's name inside a link's URL, through redaction and the build.

The reporter is "Rhoda Fairweather" and the ticket links to
https://wiki.fairweather.example/runbook. Redacting the surname inside the
host must still leave a page MkDocs can build; and whatever MkDocs trips on,
``kbgen build`` must end in a clean error naming the article, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from .kbrun import FIXTURES, kbgen, new_kb, site_text

EXPORT = FIXTURES / "links" / "jira_name_in_url.json"
ARTICLE = "content/articles/kb-0001-search-page-times-out-on-long-queries.md"


def published(tmp_path: Path) -> Path:
    root = new_kb(tmp_path / "kb")
    assert kbgen("capture", EXPORT, "--branch", "--kb", root).exit_code == 0
    approved = kbgen("review", "approve", "--all", "--reviewer", "Ana Reviewer", "--kb", root)
    assert approved.output.startswith("Published KB-0001: Search page times out on long queries")
    return root


def test_the_surname_is_redacted_from_the_draft(tmp_path: Path) -> None:
    root = published(tmp_path)
    text = (root / ARTICLE).read_text(encoding="utf-8").lower()
    assert "fairweather" not in text and "rhoda" not in text
    assert "raised the query timeout to 30 seconds" in text


def test_build_never_ends_in_a_traceback(tmp_path: Path) -> None:
    root = published(tmp_path)
    result = kbgen("build", "--kb", root)  # kbgen() fails the test on a traceback
    assert result.exit_code == 0 or result.output.startswith(f"Error: {ARTICLE}")


def test_a_redacted_link_still_builds_and_leaks_nothing(tmp_path: Path) -> None:
    root = published(tmp_path)
    result = kbgen("build", "--kb", root)
    assert result.exit_code == 0, result.output
    site = site_text(root / "site")
    assert "the runbook" in site
    assert "fairweather" not in site
