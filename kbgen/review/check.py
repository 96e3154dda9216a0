"""``kbgen check``: the gate every article passes before anything reaches readers.

One pass over the articles produces a flat list of findings. Errors block (exit
1): invalid front-matter, a category outside the vocabulary, values the theme
would print with ``<`` or ``>``, missing sections, PII or secrets, raw HTML,
unsafe link schemes and external images, broken internal links, invalid status
transitions, review fields set by anyone but approval, files MkDocs would
publish that are not articles. Warnings inform: a likely duplicate of an
article already on main. The rules come from a :class:`~kbgen.review.policy.Policy`:
the base's files when a base is given (see gate.py), else the work tree's.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kbgen.exceptions import ArticleError, ConfigError, GitError
from kbgen.kb import (
    APPROVAL_FIELDS,
    MEDIA_SUFFIXES,
    KnowledgeBase,
    base_articles,
    load_article,
    ref_exists,
    remotes,
)
from kbgen.models import STATUSES, Article
from kbgen.redaction import scan_text
from kbgen.review import markup
from kbgen.review.policy import Policy, tree_policy
from kbgen.review.sections import missing_sections
from kbgen.review.transitions import confidence_problem, status_problem
from kbgen.search import similarity

# Material page options that let a page change its template, hide nav or leave search.
FORBIDDEN_KEYS = {
    "template": "chooses the page template",
    "hide": "hides site navigation",
    "search": "changes search indexing",
    "meta": "writes arbitrary <meta> tags",
    "description": "is printed unescaped in the page head",
    "title_html": "is printed unescaped",
}
# Link schemes a published page may carry; anything else (javascript:, data:, vbscript:,
# file:) is refused after HTML entities are decoded, as the browser would decode them.
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class Finding:
    path: str  # KB-relative, forward slashes
    line: int
    severity: str  # "error" | "warning"
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.severity} [{self.code}] {self.message}"

    def annotation(self) -> str:
        """A GitHub Actions workflow command; it shows the finding on the PR's diff."""
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={self.path},line={self.line}::[{self.code}] {message}"


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    # With --base: changes outside the articles (how each was changed), and, for a
    # maintainer's configuration review (--allow-config), their diff.
    config_changes: list[str] = field(default_factory=list)
    config_diff: str = ""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        files = "file" if len(self.checked) == 1 else "files"
        errors = "error" if len(self.errors) == 1 else "errors"
        warnings = "warning" if len(self.warnings) == 1 else "warnings"
        return f"Checked {len(self.checked)} {files}: {len(self.errors)} {errors}, {len(self.warnings)} {warnings}."

    def lines(self, *, github_actions: bool | None = None) -> list[str]:
        """What the CLI prints: one line per finding, a summary, and annotations under Actions."""
        if github_actions is None:
            github_actions = os.environ.get("GITHUB_ACTIONS") == "true"
        out = [f.format() for f in self.findings]
        if github_actions:
            out += [f.annotation() for f in self.findings]
        if self.config_diff:
            out.append(f"Configuration changes to review ({len(self.config_changes)}):")
            out += [f"  {change}" for change in self.config_changes]
            out.append(self.config_diff.rstrip("\n"))
        out.append(self.summary())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [asdict(f) for f in self.findings],
            "config_changes": self.config_changes,
            "config_diff": self.config_diff,
        }


@dataclass
class _Context:
    kb: KnowledgeBase
    policy: Policy
    ids: dict[str, list[str]]  # id -> paths in the work tree
    anchors: dict[str, set[str]]  # KB-relative path -> heading anchors
    base: dict[str, tuple[str, Article]] | None  # None: no base branch to compare with
    findings: list[Finding] = field(default_factory=list)

    def add(self, path: str, line: int, code: str, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(path, line, severity, code, message))


def check_paths(
    kb: KnowledgeBase,
    paths: list[Path] | None = None,
    *,
    base_ref: str | None = None,
    policy: Policy | None = None,
) -> CheckReport:
    """Check ``paths`` (files or folders; every article when None) and return the findings.

    ``base_ref`` is what status transitions and duplicates are compared with:
    by default the base branch, or its remote-tracking twin in a CI checkout.
    ``policy`` is the rules to apply (default: the work tree's own files).
    """
    context = _Context(
        kb=kb,
        policy=policy or tree_policy(kb),
        ids={},
        anchors={},
        base=_load_base(kb, base_ref),
    )
    everything = _articles_dir_files(kb)
    parsed: dict[Path, Article] = {}
    for path in everything:
        if path.suffix == ".md":
            try:
                parsed[path] = load_article(path)
            except ArticleError:
                continue
    for path, article in parsed.items():
        rel = kb.relpath(path)
        if article.id:
            context.ids.setdefault(article.id, []).append(rel)
    targets = everything if paths is None else _expand(kb, paths)
    report = CheckReport()
    for path in targets:
        rel = kb.relpath(path)
        report.checked.append(rel)
        if path.is_symlink():
            context.add(
                rel,
                1,
                "symlink",
                "symbolic links are not allowed in content/articles (MkDocs would publish what they "
                "point to); replace it with the file itself",
            )
            continue
        if path.suffix.lower() in MEDIA_SUFFIXES:
            continue  # an image beside its article; published as a file, never rendered
        if path.suffix != ".md":
            context.add(
                rel,
                1,
                "not-an-article",
                "only Markdown articles and images may live in content/articles (MkDocs would "
                "publish this file); move it outside content/",
            )
            continue
        _check_article(context, path, rel, parsed.get(path))
    # Per file in line order, so the output reads like the file (the sort is stable).
    order = {path: index for index, path in enumerate(report.checked)}
    report.findings = sorted(
        context.findings, key=lambda f: (order.get(f.path, len(order)), f.line)
    )
    return report


def _load_base(kb: KnowledgeBase, base_ref: str | None) -> dict[str, tuple[str, Article]] | None:
    candidates = [base_ref] if base_ref else [kb.config.kb.base_branch]
    if not base_ref:
        try:
            candidates += [f"{r}/{kb.config.kb.base_branch}" for r in remotes(kb.root)]
        except GitError:  # not a git checkout (an exported tree): nothing to compare with
            return None
    for ref in candidates:
        if ref and ref_exists(kb.root, ref):
            return base_articles(kb, ref)
    if base_ref:
        raise ConfigError(
            f"--base {base_ref}: no such branch or commit in {kb.root}; fetch it first"
        )
    return None


def _articles_dir_files(kb: KnowledgeBase) -> list[Path]:
    """Every file MkDocs would see in the docs_dir (dotfiles are never published)."""
    if not kb.articles_dir.is_dir():
        return []
    found = []
    for path in sorted(kb.articles_dir.rglob("*")):
        rel_parts = path.relative_to(kb.articles_dir).parts
        if any(p.startswith(".") for p in rel_parts):
            continue
        if path.is_symlink() or path.is_file():
            found.append(path)
    return found


def _expand(kb: KnowledgeBase, paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for given in paths:
        path = given if given.is_absolute() else Path.cwd() / given
        if path.is_dir():
            out += [
                p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
            ]
        else:
            out.append(path)
    return out


def _check_article(context: _Context, path: Path, rel: str, article: Article | None) -> None:
    if article is None:  # not parsed yet, or it failed to parse: say why
        try:
            article = load_article(path)
        except ArticleError as exc:
            line, message = _split_location(str(exc.message), path)
            context.add(rel, line, "front-matter", message)
            return
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    front = text[: len(text) - len(article.body)]
    body_offset = front.count("\n")

    def key_line(key: str) -> int:
        match = re.search(rf"^{re.escape(key)}\s*:", front, re.MULTILINE)
        return front[: match.start()].count("\n") + 1 if match else 1

    _check_front_matter(context, article, rel, key_line)
    if article.id and len(context.ids.get(article.id, [])) > 1:
        others = [p for p in context.ids[article.id] if p != rel]
        context.add(
            rel,
            key_line("id"),
            "duplicate-id",
            f"id {article.id} is also used by {', '.join(others)}; ids must be unique",
        )
    if article.status != "retired":
        headings = [h for _, _, h in markup.headings(article.body)]
        for name in missing_sections(article.type, headings, article.language):
            context.add(
                rel,
                body_offset + 1,
                "missing-section",
                f"a {article.type} article needs a '{name}' section (a '## {name}' heading)",
            )
    cfg = context.policy.config.redaction
    for hit in scan_text(text, internal_hosts=cfg.internal_hosts, allow=cfg.allow):
        context.add(
            rel,
            hit.line,
            "pii",
            f"possible {hit.kind} at column {hit.column}: {hit.excerpt}; redact it or add it to redaction.allow",
        )
    rendered = markup.render(article.body, *context.policy.markdown)
    for line, snippet in rendered.raw_html:
        shown = snippet if len(snippet) <= 60 else snippet[:57] + "..."
        context.add(
            rel,
            body_offset + line,
            "raw-html",
            f"raw HTML {shown!r} would be published; write Markdown, or escape < as &lt;",
        )
    for line, snippet in rendered.attr_lists:
        context.add(
            rel,
            body_offset + line,
            "attr-list",
            f"attribute list {snippet!r} would set HTML attributes on sites that turn attr_list "
            "on (Material's tags plugin does); remove it, or write \\{ to show a brace",
        )
    _check_links(context, path, rel, rendered, body_offset)
    _check_transition(context, article, rel, key_line)


def _split_location(message: str, path: Path) -> tuple[int, str]:
    """ArticleError messages start with ``<path>:<line>:``; keep the words, return the line."""
    match = re.match(rf"^{re.escape(str(path))}(?::(\d+))?: ?(.*)$", message, re.DOTALL)
    if not match:
        return 1, message
    return int(match.group(1) or 1), match.group(2)


def _check_front_matter(context: _Context, article: Article, rel: str, key_line: Any) -> None:
    known = set(context.policy.schema.get("properties", {}))
    for key in article.meta:
        if key in known:
            continue
        if key in FORBIDDEN_KEYS:
            context.add(
                rel,
                key_line(key),
                "forbidden-key",
                f"'{key}' is not allowed in articles: it {FORBIDDEN_KEYS[key]}; remove it",
            )
        else:
            context.add(
                rel,
                key_line(key),
                "unknown-key",
                f"unknown front-matter key '{key}' (allowed: {', '.join(sorted(known))}); remove it",
            )
    validator = context.policy.validator
    for error in sorted(validator.iter_errors(article.meta), key=lambda e: list(e.path)):
        if error.validator == "additionalProperties" and not error.path:
            continue  # reported above, with a better message
        key = str(error.path[0]) if error.path else ""
        where = ".".join(str(p) for p in error.path) or "front-matter"
        context.add(rel, key_line(key) if key else 1, "schema", f"'{where}': {error.message}")
    for where, value in _strings(article.meta):
        if "<" in value or ">" in value:
            context.add(
                rel,
                key_line(where.split(".", 1)[0]),
                "unsafe-value",
                f"'{where}' holds < or >, which the theme would print as markup; "
                "write the words without angle brackets",
            )
    _check_category(context, article, rel, key_line)


def _strings(value: Any, where: str = "") -> list[tuple[str, str]]:
    """(dotted key, text) of every string in the front-matter, lists and mappings included."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, dict):
        return [
            pair for k, v in value.items() for pair in _strings(v, f"{where}.{k}" if where else k)
        ]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _strings(v, f"{where}.{i}")]
    return []


def _check_category(context: _Context, article: Article, rel: str, key_line: Any) -> None:
    """Categories come from the vocabulary (the policy's), not from whatever a ticket said."""
    allowed = context.policy.categories
    category = article.meta.get("category")
    if not allowed or not isinstance(category, str) or category in allowed:
        return
    canonical = context.policy.canonical_category(category)
    hint = (
        f"use its canonical name '{canonical}'"
        if canonical
        else "choose one listed there, or add it (a maintainer's configuration change)"
    )
    context.add(
        rel,
        key_line("category"),
        "category",
        f"category '{category}' is not in site_config/vocabulary.yml; {hint}",
    )


def _check_links(
    context: _Context, path: Path, rel: str, rendered: markup.Rendered, offset: int
) -> None:
    image_hosts = {h.casefold() for h in context.policy.config.site.image_hosts}
    for line, href, is_image in rendered.links:
        problem = link_problem(href, is_image, image_hosts)
        if problem:
            context.add(rel, offset + line, "unsafe-link", problem)
            continue
        if _SCHEME.match(href) or href.startswith("//"):
            continue  # an external link
        target_part, _, anchor = href.partition("#")
        if target_part.startswith("/"):
            context.add(
                rel,
                offset + line,
                "broken-link",
                f"link '{href}' is absolute; link to the article file relatively, e.g. other-article.md",
            )
            continue
        if not target_part:
            target = path
        else:
            target = (path.parent / target_part.split("?", 1)[0]).resolve()
            if target.suffix != ".md" or not target.is_file():
                context.add(
                    rel,
                    offset + line,
                    "broken-link",
                    f"link '{href}' points to a file that does not exist",
                )
                continue
        if anchor and anchor not in _anchors_of(context, target, path, rendered):
            context.add(
                rel,
                offset + line,
                "broken-link",
                f"link '{href}': no heading with anchor '#{anchor}' in {context.kb.relpath(target)}",
            )


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Browsers drop these before they read a scheme, so "java\tscript:" is javascript:.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


def link_problem(href: str, is_image: bool, image_hosts: set[str]) -> str | None:
    """Why a link or image target may not be published, or None.

    Entities are decoded first (``&#106;avascript:`` is ``javascript:``), as the
    browser decodes them; a scheme outside :data:`SAFE_SCHEMES` is refused; an
    image from another host is refused unless the host is in ``site.image_hosts``.
    """
    decoded = _IGNORED_IN_SCHEME.sub("", html.unescape(html.unescape(href)))
    scheme = decoded.split(":", 1)[0].casefold() if _SCHEME.match(decoded) else ""
    if scheme and scheme not in SAFE_SCHEMES:
        return f"link '{href}' uses the '{scheme}:' scheme, which is never published; link to a web page"
    if is_image and (scheme or decoded.startswith("//")):
        host = (urlsplit(decoded if scheme else "https:" + decoded).hostname or "").casefold()
        if host not in image_hosts:
            return (
                f"image '{href}' loads from {host or 'another site'}: the site makes no external "
                "requests; add the image file beside the article, or allow the host in "
                "site.image_hosts (site_config/kbgen.yml)"
            )
    return None


def publish_problems(
    body: str,
    markdown: tuple[list[str], dict[str, dict[str, Any]]],
    image_hosts: set[str],
) -> list[str]:
    """What in ``body`` would put markup of its own on a page: raw HTML, attribute lists,
    unsafe link schemes, external images. The site build withholds an article with any."""
    rendered = markup.render(body, *markdown)
    problems = [f"raw HTML {snippet[:60]!r}" for _, snippet in rendered.raw_html]
    problems += [f"attribute list {snippet[:60]!r}" for _, snippet in rendered.attr_lists]
    for _, href, is_image in rendered.links:
        problem = link_problem(href, is_image, image_hosts)
        if problem:
            problems.append(problem)
    return problems


def _anchors_of(
    context: _Context, target: Path, current: Path, rendered: markup.Rendered
) -> set[str]:
    if target == current:
        return rendered.anchors
    key = str(target)
    if key not in context.anchors:
        try:
            context.anchors[key] = markup.render(
                load_article(target).body, *context.policy.markdown
            ).anchors
        except ArticleError:
            context.anchors[key] = set()
    return context.anchors[key]


def _check_transition(context: _Context, article: Article, rel: str, key_line: Any) -> None:
    """Lifecycle and review fields against the base: only approval publishes or signs."""
    if context.base is None or not article.id or article.status not in STATUSES:
        return  # an unknown status is a schema error, reported already
    old = context.base.get(article.id)
    old_meta = old[1].meta if old else {}
    old_status = str(old_meta["status"]) if old else None
    if article.status == "published" and old_status in (None, "draft", "needs_update"):
        problem: str | None = (
            f"only approval publishes an article (it was '{old_status}')"
            if old
            else "a new article must start as status 'draft', not 'published'"
        ) + "; set status back, then: kbgen review approve ID --reviewer NAME"
    else:
        problem = status_problem(old_status, article.status, article.meta)
    if problem:
        context.add(rel, key_line("status"), "status-transition", problem)
    problem = confidence_problem(
        str(old_meta.get("confidence")) if old else None,
        str(article.meta.get("confidence", "")),
    )
    if problem:
        context.add(rel, key_line("confidence"), "confidence-transition", problem)
    for key in APPROVAL_FIELDS:
        if article.meta.get(key) != old_meta.get(key):
            context.add(
                rel,
                key_line(key),
                "review-field",
                f"'{key}' is written by approval only (kbgen review approve); undo this change",
            )
    if old is None:
        _warn_duplicates(context, article, rel)


def _warn_duplicates(context: _Context, article: Article, rel: str) -> None:
    assert context.base is not None
    threshold = context.kb.config.capture.link_threshold
    mine = f"{article.title}\n{article.body}"
    for other_id, (other_rel, other) in sorted(context.base.items()):
        if other_id == article.id or not other.is_published:
            continue
        score = similarity(mine, f"{other.title}\n{other.body}")
        if score >= threshold:
            context.add(
                rel,
                1,
                "likely-duplicate",
                f"looks like {other_id} ({other_rel}) already on main (similarity {score:.2f}); "
                f"consider linking the tickets to it instead",
                severity="warning",
            )
