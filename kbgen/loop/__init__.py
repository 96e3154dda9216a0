"""Closing the loop: what to write or fix next, update proposals, and the support KPIs.

evidence = gather(kb)                      # tickets, articles, usage
find_gaps(evidence, kb.config)             # ranked list of Gap
compute_kpis(evidence, since=..., by=...)  # JSON-ready dict (docs/kpis.md)
propose_updates(kb, evidence)              # reuse-is-review update branches
"""

from __future__ import annotations

from kbgen.loop.evidence import Evidence, LoopTicket, gather, tickets_from_export
from kbgen.loop.gaps import Gap, find_gaps
from kbgen.loop.kpis import compute_kpis
from kbgen.loop.proposals import Proposal, propose_updates

__all__ = [
    "Evidence",
    "Gap",
    "LoopTicket",
    "Proposal",
    "compute_kpis",
    "find_gaps",
    "gather",
    "propose_updates",
    "tickets_from_export",
]
