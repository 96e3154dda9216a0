"""What the redactor replaces, and the visible token each kind becomes.

Tokens are plain bracketed words: no ``<`` or ``>`` (Markdown would swallow
them as unknown HTML tags) and nothing that looks like PII itself, so a token
survives Markdown, HTML and the search index, and re-redacting is a no-op.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    token: str
    description: str


KINDS: tuple[Kind, ...] = (
    Kind("secret", "[secret]", "passwords, API keys, tokens, private-key blocks"),
    Kind("credentials", "[credentials]", "user:password inside a URL"),
    Kind("email", "[email]", "email addresses"),
    Kind("id-number", "[id-number]", "Chinese resident ID numbers (身份证)"),
    Kind("card", "[card]", "payment card numbers (Luhn-valid)"),
    Kind("iban", "[iban]", "IBANs (mod-97 valid)"),
    Kind(
        "phone",
        "[phone]",
        "phone numbers: Chinese mobile and landline, +international, North American",
    ),
    Kind("ip", "[ip]", "IPv4 and IPv6 addresses"),
    Kind("mac", "[mac]", "MAC addresses"),
    Kind("internal-host", "[internal-host]", "host names under redaction.internal_hosts"),
    Kind("name", "[name]", "names, logins and emails of the ticket's own people"),
    Kind("term", "[redacted]", "literal words from redaction.terms"),
)

TOKENS: dict[str, str] = {kind.name: kind.token for kind in KINDS}

# For review notes and capture output: redaction is pattern-only, there is no NER model.
NAMES_NOTICE = (
    "Names are redacted only when the ticket lists the person in a user field "
    "(reporter, assignee, comment author, mention); other names in the text are not detected."
)

# When two detections overlap, the earlier kind in KINDS wins.
PRIORITY: dict[str, int] = {kind.name: rank for rank, kind in enumerate(KINDS)}

# A token as it appears in a detection copy (escapes already removed).
TOKEN_RE = re.compile(r"\[(?:" + "|".join(re.escape(k.token[1:-1]) for k in KINDS) + r")\]")
# Placeholders that upstream anonymisation already put in (Mendeley ``ph_user``),
# sometimes glued to the next word (``ph_technical26``, ``ph_technicalالى``).
PLACEHOLDER_RE = re.compile(r"(?<![A-Za-z0-9])ph_[a-z_]+(?:[0-9]+|[^\x00-\x7f\s\[\]()]+)*")


def token_for(kind: str, *, markdown: bool) -> str:
    """The replacement for ``kind``; escaped in Markdown so ``(`` after it never makes a link."""
    token = TOKENS[kind]
    if markdown:
        return "\\[" + token[1:-1] + "\\]"
    return token
