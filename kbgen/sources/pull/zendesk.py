"""Zendesk pulls: the cursor-based incremental ticket export, plus each ticket's comments.

``KBGEN_ZENDESK_URL`` and either ``KBGEN_ZENDESK_EMAIL`` + ``KBGEN_ZENDESK_TOKEN``
(Basic ``email/token:token``) or ``KBGEN_ZENDESK_OAUTH_TOKEN`` (Bearer). The
export ends when ``end_of_stream`` is true (``after_url`` is still set on the
last page); its ``after_cursor`` is the mark the next run starts from. Comments
come from ``/tickets/{id}/comments.json?include=users``, page by page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from kbgen.sources.pull.base import Page, Vendor, bearer_or_basic, parse_since


class ZendeskPull(Vendor):
    name = "zendesk"
    reader = "zendesk-json"

    @classmethod
    def headers(cls, env: Any) -> dict[str, str]:
        return bearer_or_basic(
            env,
            token="KBGEN_ZENDESK_OAUTH_TOKEN",
            user="KBGEN_ZENDESK_EMAIL",
            secret="KBGEN_ZENDESK_TOKEN",
            user_suffix="/token",
        )

    def first(self, mark: str) -> dict[str, Any]:
        if mark:
            return {"cursor": mark}
        start = int(parse_since(self.spec.since).timestamp()) if self.spec.since else 0
        return {"start_time": start}

    def page(self, cursor: dict[str, Any]) -> Page:
        params = {**cursor, "per_page": self.spec.page_size, "exclude_deleted": "true"}
        url = f"{self.base_url()}/api/v2/incremental/tickets/cursor.json?{urlencode(params, quote_via=quote)}"
        response, tickets = self.get_list(url, "tickets")
        body = response.body
        lines = [self._with_comments(t) for t in tickets]
        after = body.get("after_cursor")
        following = None
        if body.get("end_of_stream") is not True and after:
            following = {"cursor": str(after)}
        # The cursor of the last page is where the next run starts.
        return Page(lines, following, [str(after)] if after else [])

    def mark_of(self, marks: list[str], last_cursor: dict[str, Any] | None) -> str:
        return marks[-1] if marks else ""

    def _with_comments(self, ticket: dict[str, Any]) -> dict[str, Any]:
        comments: list[Any] = []
        users: list[Any] = []
        url = f"{self.base_url()}/api/v2/tickets/{quote(str(ticket.get('id')), safe='')}/comments.json?include=users"
        seen = set()
        while url and url not in seen:
            seen.add(url)
            body = self.client.get(url).body
            if not isinstance(body, dict):
                break
            for comment in body.get("comments") or []:
                if isinstance(comment, dict):
                    if comment.get("public") is not True:
                        # Kept as a marker (the reader counts it), never its text or metadata.
                        comment = {
                            k: comment[k]
                            for k in ("id", "author_id", "public", "created_at")
                            if k in comment
                        }
                    comment.pop("metadata", None)  # IP address and location of the commenter
                    comments.append(comment)
            users.extend(u for u in body.get("users") or [] if isinstance(u, dict))
            following = body.get("next_page")
            url = following if isinstance(following, str) and following.startswith("http") else ""
        return {"ticket": ticket, "comments": comments, "users": users}
