"""One (already redacted) ticket -> one :class:`~kbgen.models.Article`.

Front-matter is a dict, dumped later by ``kbgen.kb.dump_article``; the
body is the template's layout of the ticket's own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jinja2
import jsonschema

from kbgen.config import Config
from kbgen.drafting.content import DraftContent, extract_content
from kbgen.drafting.templates import get_environment, render_body
from kbgen.drafting.vocabulary import Classification, Vocabulary, classify, load_vocabulary
from kbgen.exceptions import DraftError
from kbgen.kb import load_schema, today
from kbgen.models import Article, Ticket
from kbgen.text import escape_inline, is_missing

ENV_LIMITS = {"product": 120, "component": 120, "version": 60}


@dataclass
class Draft:
    """An article plus what the reviewer needs to know about how it was made."""

    article: Article
    content: DraftContent
    classification: Classification
    flags: list[str] = field(default_factory=list)

    @property
    def needs_resolution(self) -> bool:
        return not self.content.has_resolution


def _applies_to(ticket: Ticket, vocabulary: Vocabulary) -> dict[str, str]:
    env = ticket.environment
    out: dict[str, str] = {}
    for key, limit in ENV_LIMITS.items():
        value = " ".join(str(getattr(env, key) or "").split())
        if key == "product" and value:
            value = vocabulary.product(value)
        if not is_missing(value):
            out[key] = value[:limit].replace("<", "‹").replace(">", "›")
    return out


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_meta(meta: dict[str, Any], where: str) -> None:
    """Every draft validates against the article schema before it is written."""
    errors = sorted(_validator().iter_errors(meta), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        key = ".".join(str(p) for p in first.path) or "(front-matter)"
        raise DraftError(f"{where}: draft front-matter '{key}' is invalid: {first.message}")


def draft_article(
    ticket: Ticket,
    article_id: str,
    *,
    config: Config | None = None,
    vocabulary: Vocabulary | None = None,
    env: jinja2.Environment | None = None,
    tickets: list[str] | None = None,
    created: str | None = None,
    updated: str | None = None,
) -> Draft:
    """Draft one article from a redacted ticket.

    ``tickets`` lists every ticket id the article stands for (merged duplicates
    included); it defaults to the ticket's own id. ``created``/``updated`` default
    to today and are passed in when an existing article is re-rendered.
    """
    config = config or Config()
    vocabulary = vocabulary or load_vocabulary()
    env = env or get_environment(None)
    content = extract_content(ticket)
    components = [ticket.environment.component] if ticket.environment.component else []
    classification = classify(
        vocabulary, ticket.category, ticket.subcategory, list(ticket.tags), components
    )
    applies_to = _applies_to(ticket, vocabulary)
    language = ticket.language if ticket.language in ("en", "zh") else config.kb.default_language
    article_type = config.capture.default_type
    confidence = "wip" if not content.has_resolution else "not_validated"
    day = today()
    meta: dict[str, Any] = {
        "id": article_id,
        "title": content.title or article_id,
        "summary": content.summary,
        "status": "draft",
        "confidence": confidence,
        "type": article_type,
        "language": language,
        "category": classification.category,
        "tags": classification.tags,
        "tickets": list(dict.fromkeys(tickets or [ticket.id])),
        "created": created or day,
        "updated": updated or created or day,
    }
    if applies_to:
        meta["applies_to"] = applies_to
    body = render_body(
        env,
        article_type,
        language,
        {
            "title": content.title,
            "summary": content.summary,
            "symptoms": content.symptoms,
            "environment": {k: escape_inline(applies_to.get(k, "")) for k in ENV_LIMITS}
            if applies_to
            else {},
            "cause": content.cause,
            "resolution": content.resolution,
            "prevention": content.prevention,
            "needs_resolution": not content.has_resolution,
            "tickets": meta["tickets"],
        },
    )
    validate_meta(meta, f"ticket {ticket.id}")
    flags = [*content.flags, *(f"unknown-{u}" for u in classification.unknown)]
    return Draft(
        article=Article(meta=meta, body=body),
        content=content,
        classification=classification,
        flags=flags,
    )
