"""``kbgen capture VENDOR:TARGET``: one live pull from a helpdesk's API, captured like an export.

The pull (kbgen.sources.pull) writes the pages it fetched into ``.kbgen/pulls/``;
capture reads them as it reads an export; the pull's high-water mark moves
only once capture has succeeded, so a failed capture is pulled again.
"""

from __future__ import annotations

import dataclasses

from kbgen.drafting.capture import CaptureOptions, capture_tickets
from kbgen.drafting.report import CaptureReport
from kbgen.kb import KnowledgeBase
from kbgen.sources.pull import PullSpec, pull


def capture_pull(kb: KnowledgeBase, spec: PullSpec, options: CaptureOptions) -> CaptureReport:
    """Pull what changed since the last pull of ``spec``, capture it, then move the mark."""
    with pull(kb.state_dir, spec) as pulled:
        if pulled.items:
            report = capture_tickets(
                kb, [pulled.path], dataclasses.replace(options, format=pulled.format, mapping=None)
            )
        else:
            report = CaptureReport(warnings=[f"nothing new since the last {spec.vendor} pull"])
        pulled.commit()
    return report
