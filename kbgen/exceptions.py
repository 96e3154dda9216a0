"""Every error kbgen raises on purpose.

The whole tree is rooted in :class:`click.ClickException`, so the CLI needs no
try/except boilerplate: an uncaught ``KbgenError`` prints ``Error: <message>``
and exits 1, with no traceback. Messages name the file, record and field, and
say what to do next.

    KbgenError
    ├── ConfigError        bad kbgen.yml, mapping file or KB layout
    ├── SourceError        an export that cannot be read (file, record, field)
    ├── TicketStoreError   the local ticket store (.kbgen/tickets.sqlite)
    ├── DraftError         a ticket that cannot become an article
    │   └── UnsafePathError   a write that would leave content/articles/
    ├── ArticleError       an article file that cannot be parsed
    ├── WriteError         a file that cannot be written (disk full, read-only)
    ├── ReviewError        git and forge problems
    │   ├── GitError
    │   ├── LockedError    another kbgen run (or git) holds the lock
    │   └── ForgeError     the GitHub / GitLab API refused or was unreachable
    ├── CheckFailed        `kbgen check` found blocking problems
    ├── SiteError          the site build failed (the served site is untouched)
    ├── SearchError        the search index is missing or unreadable
    └── StatsError         the usage database or collector
"""

from __future__ import annotations

from pathlib import Path

import click


class KbgenError(click.ClickException):
    """Base class: prints ``Error: <message>`` and exits with code 1."""

    exit_code = 1


class ConfigError(KbgenError):
    """The KB's configuration, a mapping file or the KB layout is wrong."""


class SourceError(KbgenError):
    """An export cannot be read. Names the file, the record (line or index) and the field."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        record: str | int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.record = record
        self.field = field
        self.reason = message
        where = []
        if self.path:
            where.append(self.path)
        if record is not None:
            where.append(str(record) if isinstance(record, str) else f"record {record}")
        if field:
            where.append(f"field '{field}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class TicketStoreError(KbgenError):
    """The KB's local ticket store (.kbgen/tickets.sqlite) cannot be opened or migrated."""


class DraftError(KbgenError):
    """A ticket cannot be turned into an article."""


class UnsafePathError(DraftError):
    """A write would land outside content/articles/ or go through a symlink."""


class ArticleError(KbgenError):
    """An article file cannot be parsed (front-matter, encoding, schema)."""


class WriteError(KbgenError):
    """A file cannot be written (disk full, read-only folder); the old content is intact."""


class ReviewError(KbgenError):
    """Git or forge problems during capture, submit or approve."""


class GitError(ReviewError):
    """A git command failed; the message carries git's own words."""


class LockedError(ReviewError):
    """Another kbgen run, or git itself, holds the KB's lock."""


class ForgeError(ReviewError):
    """The forge (GitHub or GitLab) API refused a request or could not be reached."""


class CheckFailed(KbgenError):
    """`kbgen check` found blocking problems (the findings are printed before this)."""


class SiteError(KbgenError):
    """The site build failed; the previously built site is left untouched."""


class SearchError(KbgenError):
    """The search index is missing, stale or unreadable."""


class StatsError(KbgenError):
    """The usage database or the collector failed."""
