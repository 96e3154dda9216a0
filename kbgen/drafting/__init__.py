"""Drafting: resolved tickets -> redacted draft articles, never duplicated, never over a person's edit.

    report = capture_tickets(kb, [Path("export.json")], CaptureOptions())
    draft = draft_article(redacted_ticket, "KB-0001")

See docs/drafting.md for the pipeline and docs/templates.md for templates.
"""

from kbgen.drafting.capture import CaptureOptions, capture_tickets
from kbgen.drafting.draft import Draft, draft_article
from kbgen.drafting.pulling import capture_pull
from kbgen.drafting.report import CaptureReport
from kbgen.drafting.stages import Stages, default_stages
from kbgen.drafting.vocabulary import VOCABULARY_NAME, Vocabulary, load_vocabulary

__all__ = [
    "VOCABULARY_NAME",
    "Vocabulary",
    "load_vocabulary",
    "CaptureOptions",
    "CaptureReport",
    "Draft",
    "Stages",
    "capture_pull",
    "capture_tickets",
    "default_stages",
    "draft_article",
]
