"""The HTTP client of live pulls: GET JSON with retries, ``429``/``Retry-After`` and loop guards.

Standard library only (urllib), like the forge client. What it does on top:

* ``429`` and ``503`` wait for ``Retry-After`` (seconds or an HTTP date), else
  for the vendor's reset header, else back off exponentially; a ``403`` with
  ``x-ratelimit-remaining: 0`` (GitHub) is a rate limit too;
* ``500``-``599`` and dropped connections are retried a few times, then the
  pull fails with the URL and status (never the token);
* a body that is not JSON (a truncated page, an HTML error page) fails the same way.

``sleep`` is a parameter so tests count the waits instead of waiting.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kbgen.exceptions import SourceError

USER_AGENT = "kbgen-pull"
TIMEOUT_SECONDS = 60
MAX_ATTEMPTS = 6  # per request, rate limits and server errors together
MAX_WAIT_SECONDS = 900  # a longer Retry-After is refused rather than slept through


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: Any

    def link(self, rel: str) -> str:
        """The URL of ``rel`` in the ``Link`` header (``<url>; rel="next"``), or ""."""
        for part in self.headers.get("link", "").split(","):
            section = part.split(";")
            url = section[0].strip()
            if (
                url.startswith("<")
                and url.endswith(">")
                and any(
                    s.strip().replace(" ", "") in (f'rel="{rel}"', f"rel={rel}")
                    for s in section[1:]
                )
            ):
                return url[1:-1]
        return ""


@dataclass
class PullClient:
    headers: dict[str, str]
    sleep: Callable[[float], None] = time.sleep
    waited: list[float] = field(default_factory=list)

    def get(self, url: str, *, extra: dict[str, str] | None = None) -> Response:
        """GET ``url`` as JSON; retries rate limits and server errors, raises SourceError otherwise."""
        attempt = 0
        while True:
            attempt += 1
            status, headers, raw, problem = self._once(url, extra or {})
            if problem is None and 200 <= status < 300:
                try:
                    return Response(
                        status, headers, json.loads(raw.decode("utf-8")) if raw else None
                    )
                except (UnicodeDecodeError, json.JSONDecodeError):
                    problem = "the answer is not JSON (a truncated page or an error page)"
            # A broken body (cut connection, error page) is retried like a server error.
            wait = self._wait(0 if problem else status, headers, attempt)
            if wait is None or attempt >= MAX_ATTEMPTS:
                raise SourceError(self._message(url, status, raw, problem, attempt))
            if wait > MAX_WAIT_SECONDS:
                raise SourceError(
                    f"GET {_shown(url)}: the server asks to wait {wait:.0f} s; run the pull again later"
                )
            self.waited.append(wait)
            self.sleep(wait)

    def _once(
        self, url: str, extra: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.headers, **extra}
        request = urllib.request.Request(url, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) pull URLs
                return response.status, _lower(response.headers), response.read(), None
        except urllib.error.HTTPError as exc:
            return exc.code, _lower(exc.headers), exc.read(), None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            return 0, {}, b"", f"could not connect ({getattr(exc, 'reason', exc)})"

    @staticmethod
    def _wait(status: int, headers: dict[str, str], attempt: int) -> float | None:
        limited = status in (429, 503) or (
            status == 403 and headers.get("x-ratelimit-remaining") == "0"
        )
        if limited:
            after = _retry_after(headers.get("retry-after", ""))
            if after is not None:
                return after
            reset = headers.get("x-ratelimit-reset", "")
            if reset.isdigit():  # GitHub and ServiceNow: epoch seconds
                return max(0.0, float(reset) - time.time())
            return min(60.0, 2.0**attempt)
        if status == 0 or status >= 500:
            return min(30.0, 2.0 ** (attempt - 1))
        return None

    @staticmethod
    def _message(url: str, status: int, raw: bytes, problem: str | None, attempt: int) -> str:
        tries = f" after {attempt} tries" if attempt > 1 else ""
        if problem:
            return f"GET {_shown(url)} failed{tries}: {problem}"
        words = raw.decode("utf-8", "replace").strip().replace("\n", " ")[:200]
        hint = {401: "; check the token in the environment", 403: "; the token may not read this",
                404: "; check the URL and the project, table or repository name",
                410: "; this API was removed (Jira Cloud: use the /rest/api/3/search/jql pull)"}  # fmt: skip
        return f"GET {_shown(url)} failed with HTTP {status}{tries}: {words}{hint.get(status, '')}"


def _retry_after(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()} if headers else {}


def _shown(url: str) -> str:
    """The URL without its query: queries can be long, and some vendors accept keys there."""
    return url.split("?", 1)[0]
