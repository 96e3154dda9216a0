"""Redaction of personal data and secrets, fully offline.

Two verbs: ``Redactor(...).redact(text)`` replaces findings with visible
tokens (``[email]``, ``[secret]``...) while drafting, and ``scan_text(text)``
re-scans finished articles and the built site. ``KINDS`` lists what is
detected and each kind's token. See docs/redaction.md for the policies.
"""

from kbgen.redaction.kinds import KINDS, NAMES_NOTICE, TOKENS, Kind
from kbgen.redaction.redactor import Redacted, Redactor
from kbgen.redaction.scan import Finding, scan_text

__all__ = [
    "KINDS",
    "NAMES_NOTICE",
    "TOKENS",
    "Finding",
    "Kind",
    "Redacted",
    "Redactor",
    "scan_text",
]
