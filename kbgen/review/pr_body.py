"""The pull-request description: the redacted evidence beside each draft, and the KCS checklist.

Everything here comes from files already on the branch (the draft and its
``content/review-notes/<ID>.yml``, both redacted by capture), never from the
ticket store, so a PR can show nothing that the branch does not already hold.
"""

from __future__ import annotations

import yaml

from kbgen.exceptions import ArticleError
from kbgen.kb import KnowledgeBase, branch_article_paths, parse_article, show_file
from kbgen.review.changes import changes_between
from kbgen.text import escape_inline, fence

# The same list as scaffold/dot-github/pull_request_template.md (a test keeps them equal).
KCS_CHECKLIST = [
    "The title states the problem the way a user would search for it",
    "Problem, cause and resolution are complete, accurate and in the right sections",
    "The resolution was tried, or the article stays at confidence not_validated",
    "No personal data, secrets, internal host names or private-note text",
    "One problem per article, not a duplicate (otherwise link the tickets instead)",
    "Category and tags come from site_config/vocabulary.yml",
    "A first-line engineer can follow the steps without asking anyone",
]

# GitHub caps a PR body at 65,536 characters; stay well under it.
MAX_BODY_CHARS = 60_000


def checklist_markdown() -> str:
    return "\n".join(f"- [ ] {item}" for item in KCS_CHECKLIST)


def pull_request_title(kb: KnowledgeBase, branch: str) -> str:
    """``Draft KB-0001: title`` for one article, ``Drafts KB-0001, KB-0002`` for a batch."""
    articles = _articles(kb, branch)
    if len(articles) == 1:
        return f"Draft {articles[0][1]}: {articles[0][2]}"
    if articles:
        return "Drafts " + ", ".join(a[1] for a in articles)
    return f"Review {branch}"


def _articles(kb: KnowledgeBase, branch: str) -> list[tuple[str, str, str, str]]:
    """(path, id, title, text) of the articles the branch adds or changes."""
    found = []
    for rel in branch_article_paths(kb, branch):
        data = show_file(kb.root, branch, rel)
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        try:
            article = parse_article(text, rel)
            found.append((rel, article.id, article.title, text))
        except ArticleError:
            found.append((rel, "?", rel, text))
    return found


def pull_request_body(kb: KnowledgeBase, branch: str) -> str:
    base = kb.config.kb.base_branch
    parts = [
        f"Drafted by kbgen from resolved tickets. `kbgen check --base {base}` must pass; a "
        f"reviewer approves with `kbgen review approve {branch} --reviewer NAME`, which "
        "publishes what was checked and merges it.",
        "",
    ]
    config = [c for c in changes_between(kb, base, branch) if c.kind == "config"]
    if config:
        parts += [
            "## ⚠ Configuration changes",
            "",
            "This branch changes how every article is published. `kbgen check` fails on it "
            "until a maintainer reviews it (`kbgen check --base "
            f"{base} --allow-config`) and approves it with `--allow-config`:",
            "",
            *(f"- `{escape_inline(c.describe())}`" for c in config),
            "",
        ]
    for rel, article_id, title, text in _articles(kb, branch):
        parts += [f"## {article_id}: {title}", "", f"Draft: `{rel}`", ""]
        notes = show_file(kb.root, branch, f"content/review-notes/{article_id}.yml")
        if notes is None:
            parts += ["_No review notes were written for this draft._", ""]
        else:
            parts += ["### Ticket evidence (redacted)", "", _notes_markdown(notes), ""]
        parts += [
            "<details><summary>Draft as written</summary>",
            "",
            fence(text, "markdown"),
            "",
            "</details>",
            "",
        ]
    parts += ["## KCS content checklist", "", checklist_markdown(), ""]
    body = "\n".join(parts)
    if len(body) > MAX_BODY_CHARS:
        cut = body[:MAX_BODY_CHARS]
        body = (
            cut
            + "\n\n_Truncated: the full drafts and notes are on the branch._\n\n"
            + checklist_markdown()
            + "\n"
        )
    return body


def _notes_markdown(raw: bytes) -> str:
    """Review notes as a YAML block: shown as data, never rendered as Markdown or HTML."""
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return fence(raw.decode("utf-8", "replace"), "text")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return fence(text, "yaml")
