"""ServiceNow pulls: the Table API, ``sysparm_offset`` paging until no ``rel="next"``.

``KBGEN_SERVICENOW_URL`` and either ``KBGEN_SERVICENOW_USER`` +
``KBGEN_SERVICENOW_PASSWORD`` (Basic) or ``KBGEN_SERVICENOW_TOKEN`` (Bearer).
``sysparm_display_value=all`` is required: with the default, the journal
fields (public ``comments``, internal ``work_notes``) come back empty. A short
page is not the end (the limit applies before access control); the end is a
response without ``rel="next"``, or an empty one. The query gets
``sys_updated_on>=<mark>`` (a day back: ServiceNow reads it in the API user's
time zone) and a total order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from kbgen.sources.pull.base import Page, Vendor, bearer_or_basic, parse_since
from kbgen.sources.servicenow import JOURNAL_HEAD

FIELDS = (
    "sys_id,number,short_description,description,state,incident_state,close_code,close_notes,"
    "comments,work_notes,category,subcategory,priority,cmdb_ci,caller_id,opened_by,assigned_to,"
    "resolved_by,opened_at,resolved_at,closed_at,sys_updated_on"
)
OVERLAP = dt.timedelta(days=1)


class ServiceNowPull(Vendor):
    name = "servicenow"
    reader = "servicenow-json"
    envelope = "result"

    @classmethod
    def headers(cls, env: Any) -> dict[str, str]:
        return bearer_or_basic(
            env,
            token="KBGEN_SERVICENOW_TOKEN",
            user="KBGEN_SERVICENOW_USER",
            secret="KBGEN_SERVICENOW_PASSWORD",
        )

    def first(self, mark: str) -> dict[str, Any]:
        since = mark or self.spec.since
        parts = []
        if since:
            when = parse_since(since) - OVERLAP
            parts.append(
                f"sys_updated_on>=javascript:gs.dateGenerate('{when:%Y-%m-%d}','{when:%H:%M:%S}')"
            )
        parts.append(self.spec.query or "stateIN6,7")
        parts.append("ORDERBYsys_updated_on^ORDERBYsys_id")
        return {"query": "^".join(parts), "offset": 0}

    def page(self, cursor: dict[str, Any]) -> Page:
        table = self.spec.target or "incident"
        params = {
            "sysparm_query": cursor["query"],
            "sysparm_fields": FIELDS,
            "sysparm_display_value": "all",
            "sysparm_exclude_reference_link": "true",
            "sysparm_limit": self.spec.page_size,
            "sysparm_offset": cursor["offset"],
        }
        url = f"{self.base_url()}/api/now/table/{quote(table, safe='')}?{urlencode(params, quote_via=quote, safe=',')}"
        response, lines = self.get_list(url, "result")
        for line in lines:
            _scrub_work_notes(line)
        rows = response.body["result"]
        marks = [m for m in (_raw(r.get("sys_updated_on")) for r in lines) if m]
        following = None
        if rows and response.link("next"):
            following = {**cursor, "offset": cursor["offset"] + self.spec.page_size}
        return Page(lines, following, marks)


def _raw(value: Any) -> str:
    """The stored UTC value of a ``display_value=all`` field, as ISO."""
    raw = value.get("value") if isinstance(value, dict) else value
    if not isinstance(raw, str) or not raw.strip():
        return ""
    try:
        return dt.datetime.fromisoformat(raw.strip()).replace(tzinfo=dt.UTC).isoformat()
    except ValueError:
        return ""


def _scrub_work_notes(record: dict[str, Any]) -> None:
    """Work notes are internal: only their entry headers stay on disk, so the reader can count them."""
    for name in ("work_notes", "comments_and_work_notes"):
        value = record.get(name)
        text = value.get("display_value") if isinstance(value, dict) else value
        if isinstance(text, str) and text:
            heads = [m.group(0) for m in JOURNAL_HEAD.finditer(text)]
            kept = "\n\n".join(heads) if heads else "(internal note)"
            record[name] = {"display_value": kept, "value": ""} if isinstance(value, dict) else kept
