"""Review through git: the ``kbgen check`` gate, approval by merge, pull requests, lifecycle.

The KB repository itself (branches, drafts on them, review notes) lives in
:mod:`kbgen.kb`; this package holds the review verbs:

* :func:`check_change` (gate.py): the gate over a whole change, what CI runs on a pull request
* :func:`check_paths` (check.py): articles against a :class:`Policy` (policy.py)
* :func:`approve` (approve.py): check, publish, merge
* :func:`submit` (submit.py): push a branch and open its pull request
* :func:`retire`, :func:`flag`, :func:`list_pending` (lifecycle.py)
* :class:`Forge`, :class:`FakeForge`, :func:`get_forge` (forges/): GitHub and GitLab
"""

from __future__ import annotations

from kbgen.review.approve import Approval, approve
from kbgen.review.check import CheckReport, Finding, check_paths, publish_problems
from kbgen.review.forges import FakeForge, Forge, PullRequest, get_forge
from kbgen.review.gate import check_change
from kbgen.review.lifecycle import flag, list_pending, retire
from kbgen.review.policy import Policy, base_policy, tree_policy
from kbgen.review.submit import SubmitResult, submit

__all__ = [
    "Approval",
    "CheckReport",
    "FakeForge",
    "Finding",
    "Forge",
    "Policy",
    "PullRequest",
    "SubmitResult",
    "approve",
    "base_policy",
    "check_change",
    "check_paths",
    "flag",
    "get_forge",
    "list_pending",
    "publish_problems",
    "retire",
    "submit",
    "tree_policy",
]
