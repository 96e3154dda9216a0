"""The one JSON-over-HTTPS call forges need, on the standard library.

urllib is enough for three endpoints per forge and keeps the dependency list
short. Errors never include the token; they name the URL, the status and the
forge's own message, and say that the local branch is safe.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from kbgen.exceptions import ForgeError

TIMEOUT_SECONDS = 30
USER_AGENT = "kbgen-review"


def request_json(
    method: str, url: str, *, headers: dict[str, str], payload: dict[str, Any] | None = None
) -> tuple[int, Any]:
    """(status, decoded JSON) for a 2xx or 4xx answer; raise ForgeError when unreachable or 5xx."""
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **headers}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https/http only
            return response.status, _decode(response.read())
    except urllib.error.HTTPError as exc:
        body = _decode(exc.read())
        if exc.code >= 500:
            raise ForgeError(
                f"{method} {url} failed with HTTP {exc.code}: {describe(body)}"
            ) from None
        return exc.code, body
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ForgeError(f"could not reach {url}: {reason}") from None


def post_json(url: str, headers: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
    """POST JSON; any answer but 2xx is a ForgeError naming the URL and the forge's words."""
    status, body = request_json("POST", url, headers=headers, payload=payload)
    if not 200 <= status < 300:
        raise ForgeError(
            f"POST {url} failed with HTTP {status}: {describe(body)}; "
            "check review.repository and that the token may create issues"
        )
    return dict(body) if isinstance(body, dict) else {}


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return raw.decode("utf-8", "replace")[:200]


def describe(body: Any) -> str:
    """The forge's own error words: GitHub's ``message`` + ``errors``, GitLab's ``message``/``error``."""
    if isinstance(body, dict):
        parts = [str(body.get("message") or body.get("error") or "")]
        for error in body.get("errors") or []:
            parts.append(
                str(error.get("message", error)) if isinstance(error, dict) else str(error)
            )
        return "; ".join(p for p in parts if p) or json.dumps(body)[:200]
    return str(body)[:200]
