"""Forges (GitHub, GitLab): where pull requests are opened and gap issues are filed.

One :class:`Forge` interface (``base.py``) with two verbs, the real forges over
REST (``github.py``, ``gitlab.py``, sharing ``http.py``), and :func:`get_forge`,
which turns ``review.*`` in kbgen.yml plus a token from the environment into a
forge, with the same errors for every caller.
"""

from __future__ import annotations

import os

from kbgen.config import ReviewSection
from kbgen.exceptions import ConfigError
from kbgen.review.forges.base import FakeForge, Forge, PullRequest
from kbgen.review.forges.github import GitHubForge
from kbgen.review.forges.gitlab import GitLabForge

FORGES: dict[str, type[GitHubForge] | type[GitLabForge]] = {
    "github": GitHubForge,
    "gitlab": GitLabForge,
}


def get_forge(review: ReviewSection) -> Forge | None:
    """The forge configured in ``review.forge``, with its token from the environment; None for ``none``."""
    if review.forge == "none":
        return None
    if not review.repository or "/" not in review.repository:
        raise ConfigError(
            f"site_config/kbgen.yml: review.forge is {review.forge} but review.repository is not "
            f"owner/name (GitHub) or group/project (GitLab); set it"
        )
    env_var = review.token_env or ("GITHUB_TOKEN" if review.forge == "github" else "GITLAB_TOKEN")
    token = os.environ.get(env_var, "")
    if not token:
        raise ConfigError(
            f"no {review.forge} token: set the {env_var} environment variable (review.token_env)"
        )
    return FORGES[review.forge](review.repository, token, review.api_url)


__all__ = ["FORGES", "FakeForge", "Forge", "GitHubForge", "GitLabForge", "PullRequest", "get_forge"]
