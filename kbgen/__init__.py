"""kbgen: resolved support tickets -> reviewed Markdown articles -> a searchable MkDocs Material site.

The public library API. Everything not listed in ``__all__`` is an implementation detail.
"""

from kbgen.config import Config, load_config
from kbgen.exceptions import (
    ArticleError,
    CheckFailed,
    ConfigError,
    DraftError,
    ForgeError,
    GitError,
    KbgenError,
    LockedError,
    ReviewError,
    SearchError,
    SiteError,
    SourceError,
    StatsError,
    UnsafePathError,
    WriteError,
)
from kbgen.hookspecs import hookimpl
from kbgen.kb import KnowledgeBase
from kbgen.models import Article, Comment, Environment, Ticket

__all__ = [
    "Article",
    "ArticleError",
    "CheckFailed",
    "Comment",
    "Config",
    "ConfigError",
    "DraftError",
    "Environment",
    "ForgeError",
    "GitError",
    "KbgenError",
    "KnowledgeBase",
    "LockedError",
    "ReviewError",
    "SearchError",
    "SiteError",
    "SourceError",
    "StatsError",
    "Ticket",
    "UnsafePathError",
    "WriteError",
    "hookimpl",
    "load_config",
]
