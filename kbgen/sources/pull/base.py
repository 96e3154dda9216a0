"""What every vendor's pull provides: the first request, one page at a time, and the mark.

A vendor turns a cursor (a small JSON object: an offset, a token, a URL) into
one page of tickets, each with its whole conversation, as the vendor's own
readers expect them, and the cursor of the next page (None at the end).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kbgen.exceptions import SourceError
from kbgen.sources.pull.http import PullClient, Response


@dataclass
class PullSpec:
    vendor: str  # jira, servicenow, zendesk, github
    target: str  # the project key, the table, "", OWNER/REPO
    query: str = ""  # --jql / --query
    since: str = ""  # first run only: ISO date to start from
    page_size: int = 100
    restart: bool = False  # drop an unfinished pull and its pages


@dataclass
class Page:
    lines: list[dict[str, Any]]  # what goes into the snapshot, one JSON object a line
    next: dict[str, Any] | None  # the next page's cursor; None: this was the last page
    marks: list[str] = field(default_factory=list)  # high-water candidates seen on this page


class Vendor:
    name: ClassVar[str] = ""
    reader: ClassVar[str] = ""  # the source format that reads the snapshot
    envelope: ClassVar[str] = ""  # "": JSON Lines snapshot; else {envelope: [...]}

    def __init__(self, spec: PullSpec, env: Mapping[str, str], client: PullClient) -> None:
        self.spec = spec
        self.env = env
        self.client = client

    @classmethod
    def headers(cls, env: Mapping[str, str]) -> dict[str, str]:
        raise NotImplementedError

    def first(self, mark: str) -> dict[str, Any]:
        """The first cursor, from the committed mark (or ``--since``, or the beginning)."""
        raise NotImplementedError

    def page(self, cursor: dict[str, Any]) -> Page:
        raise NotImplementedError

    def mark_of(self, marks: list[str], last_cursor: dict[str, Any] | None) -> str:
        """The new high-water mark once every page is in (default: the newest time seen)."""
        return max(marks) if marks else ""

    def signature(self) -> str:
        """What must be equal for a pull to resume another's pages."""
        return f"{self.name}|{self.spec.target}|{self.spec.query}|{self.spec.page_size}"

    # --- helpers -----------------------------------------------------------------
    def get_list(self, url: str, key: str) -> tuple[Response, list[dict[str, Any]]]:
        """GET a page whose records are the list under ``key`` (objects only)."""
        response = self.client.get(url)
        records = response.body.get(key) if isinstance(response.body, dict) else None
        if not isinstance(records, list):
            raise SourceError(f"GET {url.split('?')[0]}: the answer has no '{key}' list")
        return response, [r for r in records if isinstance(r, dict)]

    def base_url(self) -> str:
        variable = f"KBGEN_{self.name.upper()}_URL"
        url = self.env.get(variable, "").rstrip("/")
        if not url.startswith(("https://", "http://")):
            raise SourceError(
                f"set {variable} to your {self.name} address (e.g. https://example.com) to pull"
            )
        return url


def bearer_or_basic(
    env: Mapping[str, str], *, token: str, user: str, secret: str, user_suffix: str = ""
) -> dict[str, str]:
    """``Bearer <token>`` when ``token`` is set, else Basic with ``user`` (plus a suffix) and ``secret``."""
    if env.get(token):
        return {"Authorization": f"Bearer {env[token]}"}
    name = required(env, user, token)
    return {"Authorization": basic(name + user_suffix, required(env, secret))}


def parse_since(value: str) -> dt.datetime:
    """An ISO date or time (``2024-03-01``, ``...Z``, ``+0000``) as an aware UTC datetime."""
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.strip().replace("Z", "+00:00"))
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SourceError(f"'{value}' is not an ISO date (e.g. 2024-03-01)") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


def required(env: Mapping[str, str], *names: str) -> str:
    for name in names:
        if env.get(name):
            return env[name]
    raise SourceError(
        f"set {' or '.join(names)} in the environment to pull (tokens never go on the command line)"
    )


def environment() -> Mapping[str, str]:
    return os.environ
