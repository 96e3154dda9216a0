"""Jira pulls: Cloud ``/rest/api/3/search/jql`` (``nextPageToken``) and Server/DC ``/rest/api/2/search`` (``startAt``).

``KBGEN_JIRA_URL`` and ``KBGEN_JIRA_TOKEN`` are required; with
``KBGEN_JIRA_EMAIL`` set the pull is a Cloud pull (Basic email:token), without
it a Server/Data Center pull (Bearer personal access token). The JQL gets
``AND updated >= "<mark>"`` and kbgen's own ``ORDER BY updated ASC, key ASC``;
the mark is taken a day back because Jira reads JQL dates in the API user's
time zone (tickets seen twice are recognised by capture). An issue whose
search result holds fewer comments than ``comment.total`` (Cloud returns at
most 20) gets the rest from ``/issue/{key}/comment``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote, urlencode

from kbgen.exceptions import SourceError
from kbgen.sources.jira import is_internal_comment
from kbgen.sources.pull.base import Page, Vendor, basic, parse_since, required
from kbgen.sources.values import obj

FIELDS = (
    "summary,description,status,resolution,resolutiondate,created,updated,comment,issuelinks,"
    "labels,components,priority,issuetype,reporter,assignee,creator,security,project,versions,"
    "environment"
)
OVERLAP = dt.timedelta(days=1)


class JiraPull(Vendor):
    name = "jira"
    reader = "jira-json"

    @classmethod
    def headers(cls, env: Any) -> dict[str, str]:
        token = required(env, "KBGEN_JIRA_TOKEN")
        email = env.get("KBGEN_JIRA_EMAIL", "")
        return {"Authorization": basic(email, token) if email else f"Bearer {token}"}

    @property
    def cloud(self) -> bool:
        return bool(self.env.get("KBGEN_JIRA_EMAIL"))

    def jql(self, mark: str) -> str:
        query = self.spec.query or f'project = "{self.spec.target}"'
        if re.search(r"\border\s+by\b", query, re.IGNORECASE):
            raise SourceError("leave ORDER BY out of --jql: kbgen pages in updated order itself")
        since = _jql_time(mark) if mark else _jql_time(self.spec.since) if self.spec.since else ""
        bounded = f"({query})" + (f' AND updated >= "{since}"' if since else "")
        return bounded + " ORDER BY updated ASC, key ASC"

    def first(self, mark: str) -> dict[str, Any]:
        return {"jql": self.jql(mark), "start": 0, "token": ""}

    def page(self, cursor: dict[str, Any]) -> Page:
        base = self.base_url()
        params: dict[str, Any] = {
            "jql": cursor["jql"],
            "maxResults": self.spec.page_size,
            "fields": FIELDS,
        }
        if self.cloud:
            if cursor["token"]:
                params["nextPageToken"] = cursor["token"]
            url = f"{base}/rest/api/3/search/jql?{urlencode(params, quote_via=quote, safe=',')}"
        else:
            params = {
                "jql": cursor["jql"],
                "startAt": cursor["start"],
                "maxResults": self.spec.page_size,
                "fields": FIELDS,
            }
            url = f"{base}/rest/api/2/search?{urlencode(params, quote_via=quote, safe=',')}"
        response, issues = self.get_list(url, "issues")
        body = response.body
        lines = [_scrubbed(self._complete(issue)) for issue in issues]
        marks = [_updated(i) for i in lines if _updated(i)]
        if self.cloud:
            token = body.get("nextPageToken")
            last = body.get("isLast") is True or not token
            following = None if last or not issues else {**cursor, "token": str(token)}
        else:
            start = cursor["start"] + len(issues)
            total = body.get("total")
            done = not issues or (isinstance(total, int) and start >= total)
            following = None if done else {**cursor, "start": start}
        return Page(lines, following, marks)

    def _complete(self, issue: dict[str, Any]) -> dict[str, Any]:
        """Fetch the comments a search result left out (Cloud gives 20 at most)."""
        fields = obj(issue.get("fields"))
        block = obj(fields.get("comment"))
        total = block.get("total")
        comments = block.get("comments")
        if not isinstance(total, int) or not isinstance(comments, list) or total <= len(comments):
            return issue
        api = "3" if self.cloud else "2"
        key = quote(str(issue.get("key") or issue.get("id")), safe="")
        collected: list[Any] = []
        start = 0
        reported = total
        while True:
            url = f"{self.base_url()}/rest/api/{api}/issue/{key}/comment?startAt={start}&maxResults=100"
            body = self.client.get(url).body
            page = body.get("comments") if isinstance(body, dict) else None
            if not isinstance(page, list) or not page:
                break
            collected.extend(page)
            start += len(page)
            reported = body.get("total") if isinstance(body.get("total"), int) else reported
            if start >= reported:
                break
        full = collected if len(collected) >= len(comments) else comments
        # The reader flags (or, with --strict, refuses) an issue still short of its total.
        fields["comment"] = {
            "startAt": 0,
            "maxResults": len(full),
            "total": reported,
            "comments": full,
        }
        return issue


def _updated(issue: dict[str, Any]) -> str:
    value = obj(issue.get("fields")).get("updated")
    try:
        return parse_since(value).isoformat() if isinstance(value, str) else ""
    except SourceError:
        return ""


def _jql_time(value: str) -> str:
    return (parse_since(value) - OVERLAP).strftime("%Y/%m/%d %H:%M")


def _scrubbed(issue: dict[str, Any]) -> dict[str, Any]:
    """Internal comments keep their markers (the reader counts them) but not their text on disk."""
    for comment in obj(obj(issue.get("fields")).get("comment")).get("comments") or []:
        if isinstance(comment, dict) and is_internal_comment(comment):
            comment["body"] = ""
            comment.pop("renderedBody", None)
    return issue
