"""Which required sections an article lacks, by its type (see :mod:`kbgen.article_types`).

Declared in the type table rather than guessed from the Jinja templates:
template headings can sit inside ``{% if %}`` blocks or come from variables, so
a list read out of them would be wrong exactly when it matters. Each required
section accepts a few names (the template's heading and the words people use
when editing), in both languages, compared case-insensitively and ignoring
trailing punctuation.
"""

from __future__ import annotations

import re

from kbgen.article_types import ARTICLE_TYPES

_TRAILING = re.compile(r"[\s:：.。!！?？]+$")


def normalise_heading(text: str) -> str:
    text = re.sub(r"\{[#.][^}]*\}\s*$", "", text)  # attr_list suffix: "## Cause {#cause}"
    return _TRAILING.sub("", text.strip()).casefold()


def missing_sections(
    article_type: str, heading_texts: list[str], language: str = "en"
) -> list[str]:
    """Headings (in the article's language) of required sections that ``heading_texts`` lacks."""
    present = {normalise_heading(h) for h in heading_texts}
    found = ARTICLE_TYPES.get(article_type)
    return [
        section.heading(language)
        for section in (found.sections if found else ())
        if not present & set(section.accepted)
    ]
