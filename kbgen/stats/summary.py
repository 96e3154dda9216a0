"""Reading usage back: per-article numbers for the site, and the full report.

Everything here counts only real events (beacons and imported access logs).
With no database yet, every function returns the empty shape; it never
invents traffic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from kbgen.kb import KnowledgeBase
from kbgen.stats.events import PAGES_MANIFEST, normalise_page
from kbgen.stats.store import StatsStore, has_stats, open_store

TOP_SEARCHES = 50
RECENT_COMMENTS = 50


def article_stats(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """``{article_id: {"views", "helpful", "not_helpful", "votes", "helpful_share"}}``.

    Over all retained days. ``helpful_share`` is None until someone votes. The site's
    article panel and Popular page read it when the stats database exists.
    """
    if not has_stats(kb):
        return {}
    with open_store(kb) as store:
        rows = _article_rows(store, None)
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row["id"]:
            continue
        votes = row["helpful"] + row["not_helpful"]
        out[row["id"]] = {
            "views": row["views"],
            "helpful": row["helpful"],
            "not_helpful": row["not_helpful"],
            "votes": votes,
            "helpful_share": round(row["helpful"] / votes, 4) if votes else None,
        }
    return out


def report(kb: KnowledgeBase, since: dt.date | str | None = None) -> dict[str, Any]:
    """Views per article and over time, votes, top and zero-result searches, views by category."""
    since_day = since.isoformat() if isinstance(since, dt.date) else since
    if since_day is not None:
        dt.date.fromisoformat(since_day)  # ValueError for a bad date; the CLI validates first
    if not has_stats(kb):
        return _empty(since_day)
    with open_store(kb) as store:
        return build_report(store, since_day, _manifest(kb))


def build_report(
    store: StatsStore, since: str | None, pages: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    rows = _article_rows(store, since)
    by_id = {str(p.get("id")): p for p in pages.values() if p.get("id")}
    articles: list[dict[str, Any]] = []
    other_pages: list[dict[str, Any]] = []
    for row in rows:
        meta = by_id.get(row["id"]) or pages.get(row["page"], {})
        row["title"] = str(meta.get("title") or "")
        row["category"] = str(meta.get("category") or "")
        votes = row["helpful"] + row["not_helpful"]
        row["helpful_share"] = round(row["helpful"] / votes, 4) if votes else None
        (articles if row["id"] else other_pages).append(row)

    cond, params = _since(since)
    searches = [
        {"query": q, "count": int(c), "results": int(r)}
        for q, c, r in store.query(
            "SELECT s.query, SUM(s.count), "
            "(SELECT l.results FROM searches l WHERE l.query = s.query ORDER BY l.day DESC LIMIT 1) "
            f"FROM searches s {cond.replace('day', 's.day')} GROUP BY s.query "
            "ORDER BY SUM(s.count) DESC, s.query LIMIT ?",
            (*params, TOP_SEARCHES),
        )
    ]
    zero = [
        {"query": q, "count": int(c)}
        for q, c in store.query(
            f"SELECT query, SUM(zero_count) FROM searches {cond} GROUP BY query "
            "HAVING SUM(zero_count) > 0 ORDER BY SUM(zero_count) DESC, query LIMIT ?",
            (*params, TOP_SEARCHES),
        )
    ]
    views = dict(store.query(f"SELECT day, SUM(views) FROM page_views {cond} GROUP BY day", params))
    visitors: dict[str, int] = {}
    for day, n in store.query(f"SELECT day, visitors FROM visitor_counts {cond}", params):
        visitors[day] = visitors.get(day, 0) + int(n)
    for day, n in store.query(
        f"SELECT day, COUNT(*) FROM daily_visitors {cond} GROUP BY day", params
    ):
        visitors[day] = visitors.get(day, 0) + int(n)
    over_time = [
        {"day": day, "views": int(views.get(day, 0)), "visitors": visitors.get(day, 0)}
        for day in sorted(set(views) | set(visitors))
    ]
    categories: dict[str, int] = {}
    for row in articles:
        name = row["category"] or "(none)"
        categories[name] = categories.get(name, 0) + row["views"]
    comments = [
        {"day": d, "page": p, "id": i, "helpful": bool(h), "comment": c}
        for d, p, i, h, c in store.query(
            f"SELECT day, page, article_id, helpful, comment FROM feedback_comments {cond} "
            "ORDER BY day DESC, id DESC LIMIT ?",
            (*params, RECENT_COMMENTS),
        )
    ]
    helpful = sum(r["helpful"] for r in rows)
    not_helpful = sum(r["not_helpful"] for r in rows)
    return {
        "since": since,
        "totals": {
            "views": sum(r["views"] for r in rows),
            "visitors": sum(visitors.values()),
            "helpful": helpful,
            "not_helpful": not_helpful,
            "searches": sum(
                int(c) for (c,) in store.query(f"SELECT count FROM searches {cond}", params)
            ),
        },
        "articles": articles,
        "other_pages": other_pages,
        "searches": searches,
        "zero_result_searches": zero,
        "views_over_time": over_time,
        "views_by_category": [
            {"category": k, "views": v}
            for k, v in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "comments": comments,
    }


def _since(since: str | None) -> tuple[str, tuple[Any, ...]]:
    return ("WHERE day >= ?", (since,)) if since else ("", ())


def _article_rows(store: StatsStore, since: str | None) -> list[dict[str, Any]]:
    """One row per article (or per page without an article id), most viewed first."""
    cond, params = _since(since)
    merged: dict[str, dict[str, Any]] = {}
    page_views: dict[str, dict[str, int]] = {}
    for page, article_id, views in store.query(
        f"SELECT page, article_id, SUM(views) FROM page_views {cond} GROUP BY page, article_id",
        params,
    ):
        key = article_id or page
        row = merged.setdefault(key, _blank(article_id, page))
        row["views"] += int(views)
        page_views.setdefault(key, {})[page] = int(views)
    for page, article_id, yes, no in store.query(
        f"SELECT page, article_id, SUM(helpful), SUM(not_helpful) FROM votes {cond} "
        "GROUP BY page, article_id",
        params,
    ):
        key = article_id or page
        row = merged.setdefault(key, _blank(article_id, page))
        row["helpful"] += int(yes)
        row["not_helpful"] += int(no)
    for key, counts in page_views.items():  # an article that moved: show its busiest address
        merged[key]["page"] = max(sorted(counts), key=lambda p: counts[p])
    return sorted(merged.values(), key=lambda r: (-r["views"], r["id"] or "~", r["page"]))


def _blank(article_id: str, page: str) -> dict[str, Any]:
    return {"id": article_id, "page": page, "views": 0, "helpful": 0, "not_helpful": 0}


def _manifest(kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The built site's pages by path (titles and categories for the report), if any."""
    path = kb.site_dir / PAGES_MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        normalise_page(e["page"]): e
        for e in entries if isinstance(entries, list)
        if isinstance(e, dict) and isinstance(e.get("page"), str)
    }  # fmt: skip


def _empty(since: str | None) -> dict[str, Any]:
    return {
        "since": since,
        "totals": {"views": 0, "visitors": 0, "helpful": 0, "not_helpful": 0, "searches": 0},
        "articles": [],
        "other_pages": [],
        "searches": [],
        "zero_result_searches": [],
        "views_over_time": [],
        "views_by_category": [],
        "comments": [],
    }


# --- output --------------------------------------------------------------------

CSV_COLUMNS = (
    "section",
    "key",
    "page",
    "title",
    "views",
    "helpful",
    "not_helpful",
    "count",
    "results",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas (OWASP): a text cell starting with = + - @ tab CR gets a '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def report_csv(data: dict[str, Any]) -> str:
    """The report as one flat table; ``section`` says what each row is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows: list[tuple[Any, ...]] = []
    for a in data["articles"] + data["other_pages"]:
        section = "article" if a["id"] else "page"
        rows.append(
            (
                section,
                a["id"],
                a["page"],
                a["title"],
                a["views"],
                a["helpful"],
                a["not_helpful"],
                "",
                "",
            )
        )
    for s in data["searches"]:
        rows.append(("search", s["query"], "", "", "", "", "", s["count"], s["results"]))
    for z in data["zero_result_searches"]:
        rows.append(("zero_result_search", z["query"], "", "", "", "", "", z["count"], 0))
    for d in data["views_over_time"]:
        rows.append(("day", d["day"], "", "", d["views"], "", "", d["visitors"], ""))
    for c in data["views_by_category"]:
        rows.append(("category", c["category"], "", "", c["views"], "", "", "", ""))
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def report_lines(data: dict[str, Any]) -> list[str]:
    """The human-readable report."""
    totals = data["totals"]
    scope = f"since {data['since']}" if data["since"] else "over all retained days"
    if not (totals["views"] or totals["searches"] or totals["helpful"] or totals["not_helpful"]):
        return [f"No usage recorded yet ({scope}). Serve the site with: kbgen serve"]
    lines = [
        f"Usage {scope}: {totals['views']} views, {totals['visitors']} daily visitors, "
        f"{totals['helpful']} helpful and {totals['not_helpful']} not helpful votes, "
        f"{totals['searches']} searches",
        "",
        "Articles (views, helpful votes):",
    ]
    for a in data["articles"] or [{"id": "", "page": "", "views": 0}]:
        if not a["id"]:
            lines.append("  (none)")
            break
        share = a["helpful_share"]
        votes = "no votes"
        if share is not None:
            votes = f"{a['helpful']}/{a['helpful'] + a['not_helpful']} helpful ({share:.0%})"
        lines.append(f"  {a['id']:<10} {a['views']:>6} views  {votes:<22} {a['page']}")
    if data["other_pages"]:
        lines += ["", "Other pages (views):"]
        lines += [f"  {p['views']:>6}  {p['page']}" for p in data["other_pages"]]
    lines += ["", "Views over time:"]
    lines += [
        f"  {d['day']}  {d['views']:>6} views  {d['visitors']:>5} visitors"
        for d in data["views_over_time"]
    ]
    lines += ["", "Views by category:"]
    lines += [f"  {c['category']:<24} {c['views']:>6}" for c in data["views_by_category"]] or [
        "  (none)"
    ]
    lines += ["", "Top searches (count, results last time):"]
    lines += [f"  {s['count']:>5}  {s['results']:>4}  {s['query']}" for s in data["searches"]] or [
        "  (none)"
    ]
    lines += ["", "Searches with no results:"]
    lines += [f"  {z['count']:>5}  {z['query']}" for z in data["zero_result_searches"]] or [
        "  (none)"
    ]
    return lines
