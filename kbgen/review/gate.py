"""The gate over a whole change: ``kbgen check --base REF``, and what approval runs first.

Every path the change touches is judged, not just article files:

* articles (``content/articles/**``) are checked by :func:`check_paths` with the
  policy taken from REF (see policy.py), so a branch cannot bring its own rules;
* anything else is a configuration change (``mkdocs.yml``, ``site_config/**``,
  templates, theme overrides, CI files, ``CODEOWNERS``, ``.gitignore``...): it
  fails the gate unless a maintainer reviews it on purpose (``--allow-config``),
  and then its diff is shown;
* symbolic links anywhere, and mode changes of article files, fail;
* a published article may not be deleted or renamed (retire it instead).
"""

from __future__ import annotations

from kbgen.kb import KnowledgeBase, base_articles, run_git
from kbgen.models import Article
from kbgen.review.changes import SYMLINK_MODE, PathChange, changed_paths, config_diff
from kbgen.review.check import CheckReport, Finding, check_paths
from kbgen.review.policy import base_policy

CONFIG_HINT = (
    "configuration changes how every article is published and needs a maintainer: "
    "review it with kbgen check --base {base} --allow-config"
)


def check_change(kb: KnowledgeBase, base_ref: str, *, allow_config: bool = False) -> CheckReport:
    """Judge every path changed since the work tree left ``base_ref``; see the module doc."""
    changes = changed_paths(kb, base_ref)
    published = {
        rel: article
        for rel, article in base_articles(kb, base_ref).values()
        if article.status in ("published", "needs_update")
    }
    findings: list[Finding] = []
    articles: list[str] = []
    config: list[PathChange] = []
    for change in changes:
        findings += path_findings(change, published)
        if change.kind == "config":
            config.append(change)
        elif change.status != "D" and change.path.startswith("content/articles/"):
            articles.append(change.path)
    findings += _symlinks_in_tree(kb, {c.path for c in changes})
    report = (
        check_paths(
            kb,
            [kb.root / rel for rel in articles],
            base_ref=base_ref,
            policy=base_policy(kb, base_ref),
        )
        if articles
        else CheckReport()
    )
    severity = "warning" if allow_config else "error"
    for change in config:
        findings.append(
            Finding(
                change.path,
                1,
                severity,
                "config-change",
                f"{change.describe()}: " + CONFIG_HINT.format(base=base_ref),
            )
        )
    report.findings = sorted([*report.findings, *findings], key=lambda f: (f.path, f.line, f.code))
    report.checked = sorted({*report.checked, *(c.path for c in changes)})
    report.config_changes = [c.describe() for c in config]
    if allow_config:
        report.config_diff = config_diff(kb, base_ref, [c.path for c in config])
    return report


def path_findings(change: PathChange, published: dict[str, Article]) -> list[Finding]:
    """What is wrong with the change of one path as such (its content is checked elsewhere)."""
    found: list[Finding] = []
    if change.is_symlink:
        found.append(
            Finding(
                change.path,
                1,
                "error",
                "symlink",
                "symbolic links are not allowed anywhere in a KB (a build would publish or read "
                "what they point to); replace it with the file itself",
            )
        )
    elif change.kind == "article" and change.mode_changed:
        found.append(
            Finding(
                change.path,
                1,
                "error",
                "mode",
                f"{change.describe()}: article files are plain files; undo the mode change",
            )
        )
    gone = (
        change.old_path if change.status == "R" else (change.path if change.status == "D" else None)
    )
    if gone is not None and gone in published:
        article = published[gone]
        verb = "renames" if change.status == "R" else "deletes"
        found.append(
            Finding(
                gone,
                1,
                "error",
                "published-removed",
                f"this change {verb} published article {article.id}, whose page readers and links "
                f"rely on; retire it instead: kbgen review retire {article.id} --reason TEXT "
                "[--redirect-to ID]",
            )
        )
    return found


def _symlinks_in_tree(kb: KnowledgeBase, already: set[str]) -> list[Finding]:
    """Symbolic links anywhere in the committed tree (new ones are reported by the change)."""
    out = run_git(["ls-files", "-s", "-z"], kb.root).stdout
    found = []
    for entry in filter(None, out.split("\0")):
        meta, _, path = entry.partition("\t")
        if meta.startswith(SYMLINK_MODE) and path not in already:
            found.append(
                Finding(
                    path,
                    1,
                    "error",
                    "symlink",
                    "symbolic links are not allowed anywhere in a KB; replace it with the file itself",
                )
            )
    return found
