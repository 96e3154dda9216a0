"""What `kbgen init` writes for review: CI for both forges, CODEOWNERS and the PR template."""

from __future__ import annotations

import yaml

from kbgen.kb import KnowledgeBase, git_out


def test_init_writes_and_commits_the_review_files(kb: KnowledgeBase) -> None:
    tracked = set(git_out(["ls-files"], kb.root).splitlines())
    assert {
        ".github/workflows/kbgen.yml",
        ".github/pull_request_template.md",
        ".gitlab-ci.yml",
        "CODEOWNERS",
    } <= tracked


def test_github_workflow_checks_and_previews_pull_requests_and_deploys_main(
    kb: KnowledgeBase,
) -> None:
    workflow = yaml.safe_load(
        (kb.root / ".github" / "workflows" / "kbgen.yml").read_text(encoding="utf-8")
    )
    # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert workflow[True] == {
        "pull_request": {"branches": ["main"]},
        "push": {"branches": ["main"]},
    }
    jobs = workflow["jobs"]
    check, preview, deploy = jobs["check"], jobs["preview"], jobs["deploy"]
    assert check["name"] == "kbgen check"  # the status check branch protection requires
    assert check["if"] == "github.event_name == 'pull_request'"
    assert [s.get("run") for s in check["steps"] if "run" in s] == [
        'pip install "kbgen==${KBGEN_VERSION}"',
        'kbgen check --base "origin/${BASE_REF}"',
    ]
    # Nothing builds content from a pull request before (or without) the gate passing.
    assert preview["needs"] == "check"
    assert [s.get("run") for s in preview["steps"] if "run" in s][-1] == (
        "kbgen build --site-dir preview"
    )
    assert not any("pull_request_target" in str(key) for key in workflow[True])
    assert deploy["if"] == "github.event_name == 'push'"
    assert [s.get("run") or s["uses"] for s in deploy["steps"]][-4:] == [
        "kbgen check",
        "kbgen build --strict-leaks --site-dir public",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
    ]


def test_gitlab_pipeline_checks_merge_requests_and_publishes_pages(kb: KnowledgeBase) -> None:
    pipeline = yaml.safe_load((kb.root / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert (
        pipeline["kbgen-check"]["script"][-1]
        == 'kbgen check --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"'
    )
    assert pipeline["kbgen-check"]["rules"] == [
        {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}
    ]
    assert pipeline["stages"].index("check") < pipeline["stages"].index("build")
    assert pipeline["preview"]["needs"] == ["kbgen-check"]
    assert pipeline["preview"]["script"] == ["kbgen build --site-dir preview"]
    assert pipeline["pages"]["script"] == [
        "kbgen check",
        "kbgen build --strict-leaks --site-dir public",
    ]
    assert pipeline["pages"]["artifacts"] == {"paths": ["public/"]}


def test_codeowners_routes_articles_and_category_folders_to_reviewers(kb: KnowledgeBase) -> None:
    rules = [
        line.split()
        for line in (kb.root / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    owners = dict(rules)
    assert owners["/content/articles/"] == "@example-org/kb-reviewers"
    assert owners["/content/articles/network/"] == "@example-org/network-team"
    assert all(len(rule) == 2 and rule[1].startswith("@") for rule in rules)
