"""Synthetic KB repositories: ``kbgen init`` plus N published articles in one commit.

Articles are drafted from synthetic tickets of the same generator, so the
reuse check and search see texts shaped like the tickets they are compared with.
Bodies go through ``kbgen.text.plain_to_markdown`` and kbgen's own redactor, and
front-matter through ``kbgen.kb.dump_article``, as drafting writes them:
a published article has been redacted, and the build's leak scan checks that
(chains of real words sometimes form ``user/password``-like runs).
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.generate import SyntheticTicket, TicketGenerator
from bench.profile import Profile
from kbgen.kb import dump_article
from kbgen.models import Article
from kbgen.text import one_line, plain_to_markdown

_NOT_IN_ONE_LINE = re.compile(r"[<>\r\n]")


def article_from_ticket(ticket: SyntheticTicket, article_id: str) -> tuple[Article, int]:
    """The article, and how many spans kbgen's redactor replaced in it."""
    from kbgen.redaction import Redactor, scan_text

    plain, markdown = Redactor(markdown=False), Redactor()
    found = 0

    def redact(redactor: Redactor, text: str) -> str:
        nonlocal found
        result = redactor.redact(text)
        found += result.total
        return result.text

    title = _NOT_IN_ONE_LINE.sub(" ", one_line(redact(plain, ticket.title), 150)).strip()
    summary = _NOT_IN_ONE_LINE.sub(" ", one_line(redact(plain, ticket.problem), 300)).strip()
    tags = sorted({t for t in (ticket.component, ticket.subcategory) if t and len(t) <= 60})
    date = ticket.resolved.date().isoformat()
    meta = {
        "id": article_id,
        "title": title or ticket.key,
        "summary": summary,
        "status": "published",
        "confidence": "validated",
        "type": "troubleshooting",
        "language": ticket.language,
        "category": ticket.category[:80],
        "tags": tags,
        "tickets": [ticket.key],
        "created": date,
        "updated": date,
        "published_at": date,
    }
    sections = [("Problem", ticket.problem)]
    if ticket.sections.get("cause"):
        sections.append(("Cause", ticket.sections["cause"]))
    sections.append(("Resolution", ticket.resolution_text or ticket.problem))
    body = "\n\n".join(
        f"## {name}\n\n{redact(markdown, plain_to_markdown(text))}" for name, text in sections
    )
    # The build scans rendered pages, where headings no longer separate the sections; scan
    # the same way so that an article that would fail the build's leak scan is never written.
    rendered = "\n".join([title, summary, re.sub(r"^## .*$", "", body, flags=re.M)])
    found += len(scan_text(rendered))
    return Article(meta=meta, body=body), found


def write_kb(root: Path, n: int, seed: int, profile: Profile) -> Path:
    """Create a KB at ``root`` holding ``n`` published articles, committed on main."""
    from kbgen.kb import bot_identity, init_kb, run_git

    kb = init_kb(root)
    # Older tickets than any export (their own key prefix and random stream): a capture
    # then checks reuse against the KB instead of finding its tickets already captured.
    # pii=False: articles were redacted before they were published.
    generator = TicketGenerator(profile, seed + 7919, pii=False, project="OLD")
    written = 0
    for ticket in generator.tickets(n * 2):
        if written == n:
            break
        if ticket.duplicate_of is not None:
            continue  # a KB holds one article per problem
        article, redactions = article_from_ticket(ticket, f"KB-{written + 1:05d}")
        if redactions:
            # The build's leak scan flags some of its own tokens ("11/[secret]", "\[email]" in
            # search_index.json), which would fail every build; keep the KB to clean texts.
            continue
        written += 1
        # Plain writes: the fsyncs of atomic_write would dominate generating 10,000 files.
        path = kb.articles_dir / f"{article.id}.md"
        path.write_text(dump_article(article), encoding="utf-8")
    run_git(["add", "-A"], kb.root)
    run_git(
        ["commit", "-q", "-m", f"Add {written} synthetic articles"],
        kb.root,
        env=bot_identity(kb.root),
    )
    return kb.root
