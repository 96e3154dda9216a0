"""The stats dashboard: hand-rolled SVG charts from the report, and the page around them.

SVG written from data needs no plotting library, scales on any screen and is
diffable. Every label is XML-escaped: search queries are visitor text. With no
events the page says so; it never draws sample data.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any

from kbgen.exceptions import KbgenError
from kbgen.hookspecs import hookimpl
from kbgen.kb import KnowledgeBase
from kbgen.stats.summary import article_stats, report

log = logging.getLogger(__name__)

WIDTH = 640
BAR_HEIGHT = 22
PALETTE = {"bar": "#3f6ec6", "good": "#2e9e5b", "bad": "#d0453f", "axis": "#888", "text": "#333"}
CHART_TITLES = {
    "views-over-time": "Views over time",
    "most-viewed": "Most viewed articles",
    "helpfulness": "Helpfulness (votes)",
    "zero-result-searches": "Searches with no results",
}
EMPTY_STATE = (
    "No usage has been recorded yet. Views, votes and searches appear here once "
    "people use the site served with the collector (`kbgen serve`) or an access "
    "log is imported (`kbgen stats import-log`)."
)


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{html.escape(title)}" '
        'font-family="sans-serif" font-size="12">'
        f"<title>{html.escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _label(text: str, limit: int = 28) -> str:
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def bar_chart(items: list[tuple[str, int]], title: str, color: str = PALETTE["bar"]) -> str:
    """Horizontal bars, largest first as given."""
    top = max((v for _, v in items), default=0) or 1
    left, right = 190, 60
    body = []
    for i, (name, value) in enumerate(items):
        y = 10 + i * BAR_HEIGHT
        width = round((WIDTH - left - right) * value / top)
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="{PALETTE["text"]}">'
            f"{_label(name)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{width}" height="{BAR_HEIGHT - 6}" fill="{color}">'
            f"<title>{html.escape(name)}: {value}</title></rect>"
            f'<text x="{left + width + 4}" y="{y + 15}" fill="{PALETTE["text"]}">{value}</text>'
        )
    return _svg(20 + len(items) * BAR_HEIGHT, title, body)


def helpfulness_chart(items: list[tuple[str, int, int]], title: str) -> str:
    """Stacked bars per article: helpful (green) and not helpful (red) votes."""
    top = max((y + n for _, y, n in items), default=0) or 1
    left, right = 190, 80
    body = []
    for i, (name, yes, no) in enumerate(items):
        y = 10 + i * BAR_HEIGHT
        w_yes = round((WIDTH - left - right) * yes / top)
        w_no = round((WIDTH - left - right) * no / top)
        body.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" fill="{PALETTE["text"]}">'
            f"{_label(name)}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{w_yes}" height="{BAR_HEIGHT - 6}" '
            f'fill="{PALETTE["good"]}"><title>helpful: {yes}</title></rect>'
            f'<rect x="{left + w_yes}" y="{y + 3}" width="{w_no}" height="{BAR_HEIGHT - 6}" '
            f'fill="{PALETTE["bad"]}"><title>not helpful: {no}</title></rect>'
            f'<text x="{left + w_yes + w_no + 4}" y="{y + 15}" fill="{PALETTE["text"]}">'
            f"{yes} / {no}</text>"
        )
    return _svg(20 + len(items) * BAR_HEIGHT, title, body)


def line_chart(points: list[tuple[str, int]], title: str) -> str:
    """Views per day: a polyline with dots, first and last day labelled."""
    height, left, bottom, top_pad = 220, 50, 30, 15
    top = max((v for _, v in points), default=0) or 1
    span = max(len(points) - 1, 1)
    plot_w, plot_h = WIDTH - left - 20, height - bottom - top_pad

    def xy(i: int, v: int) -> tuple[float, float]:
        x = left + (plot_w * i / span if len(points) > 1 else plot_w / 2)
        return round(x, 1), round(top_pad + plot_h * (1 - v / top), 1)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - 20}" y2="{top_pad + plot_h}" '
        f'stroke="{PALETTE["axis"]}"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="{PALETTE["axis"]}"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end">{top}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{x},{y}" for x, y in coords)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{PALETTE["bar"]}" stroke-width="2"/>'
        )
    for (x, y), (day, v) in zip(coords, points, strict=True):
        body.append(
            f'<circle cx="{x}" cy="{y}" r="3" fill="{PALETTE["bar"]}"><title>{day}: {v}</title></circle>'
        )
    if points:
        body.append(f'<text x="{left}" y="{height - 8}">{points[0][0]}</text>')
        if len(points) > 1:
            body.append(
                f'<text x="{WIDTH - 20}" y="{height - 8}" text-anchor="end">{points[-1][0]}</text>'
            )
    return _svg(height, title, body)


def dashboard_charts(data: dict[str, Any], limit: int = 10) -> dict[str, str]:
    """Chart name -> SVG text, from a :func:`kbgen.stats.summary.report` dict."""
    articles = data["articles"]
    voted = [a for a in articles if a["helpful"] or a["not_helpful"]]
    voted.sort(key=lambda a: (-(a["helpful"] + a["not_helpful"]), a["id"]))
    return {
        "views-over-time": line_chart(
            [(d["day"], d["views"]) for d in data["views_over_time"]],
            CHART_TITLES["views-over-time"],
        ),
        "most-viewed": bar_chart(
            [(_name(a), a["views"]) for a in articles[:limit] if a["views"]],
            CHART_TITLES["most-viewed"],
        ),
        "helpfulness": helpfulness_chart(
            [(_name(a), a["helpful"], a["not_helpful"]) for a in voted[:limit]],
            CHART_TITLES["helpfulness"],
        ),
        "zero-result-searches": bar_chart(
            [(z["query"], z["count"]) for z in data["zero_result_searches"][:limit]],
            CHART_TITLES["zero-result-searches"],
            PALETTE["bad"],
        ),
    }


def _name(article: dict[str, Any]) -> str:
    return f"{article['id']} {article['title']}".strip() if article["title"] else article["id"]


def has_events(data: dict[str, Any]) -> bool:
    t = data["totals"]
    return bool(t["views"] or t["searches"] or t["helpful"] or t["not_helpful"])


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def _md(text: str) -> str:
    """Visitor text as literal Markdown: HTML-escaped, then Markdown punctuation escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def chart_base(collector_url: str) -> str:
    """Where the collector serves live charts, next to its events endpoint ("" = nowhere)."""
    if collector_url.rstrip("/").endswith("/events"):
        return collector_url.rstrip("/")[: -len("events")] + "stats/charts/"
    return ""


@hookimpl
def register_site_pages(kb: KnowledgeBase) -> dict[str, str]:
    return site_pages(kb)


@hookimpl
def site_article_usage(kb: KnowledgeBase) -> dict[str, dict[str, Any]] | None:
    """Views and votes per article for the site; None when the KB has no usage yet."""
    try:
        stats = article_stats(kb)
    except KbgenError as exc:
        log.info("no usage stats on the site: %s", exc.message)
        return None
    return stats or None


def site_pages(kb: KnowledgeBase) -> dict[str, str]:
    """Internal pages for the site (``site.internal``): ``{"stats.md": markdown}``."""
    page = dashboard_markdown(kb)
    return {"stats.md": page} if page is not None else {}


def dashboard_markdown(kb: KnowledgeBase, image_base: str | None = None) -> str | None:
    """The internal dashboard page, or None when the site is not internal (``site.internal``).

    The site sanitises generated pages (no inline ``<svg>``, no ``data:`` URLs), so the
    charts are images served live by the collector (``/api/stats/charts/<name>.svg``
    beside ``site.collector_url``), and every chart's numbers are also a table.
    """
    if not kb.config.site.internal:
        return None
    base = chart_base(kb.config.site.collector_url) if image_base is None else image_base
    return render_markdown(report(kb), base)


def render_markdown(data: dict[str, Any], image_base: str = "") -> str:
    lines = ["# Usage dashboard", ""]
    if not has_events(data):
        return "\n".join([*lines, EMPTY_STATE, ""])
    t = data["totals"]
    lines += [
        f"{t['views']} views, {t['visitors']} daily visitors, {t['helpful']} helpful and "
        f"{t['not_helpful']} not helpful votes, {t['searches']} searches.",
        "",
    ]
    if not image_base:
        lines += [
            "Charts appear when the site is served with the collector (site.collector_url).",
            "",
        ]
    for name in CHART_TITLES:
        title = CHART_TITLES[name]
        lines += [f"## {title}", ""]
        if image_base:
            # Raw HTML, not ![](): MkDocs would validate the link as a file of the site.
            src = html.escape(f"{image_base}{name}.svg")
            lines += [f'<p><img src="{src}" alt="{html.escape(title)}" class="kb-chart"></p>', ""]
        lines += _table(name, data)
    return "\n".join(lines)


def _table(name: str, data: dict[str, Any]) -> list[str]:
    """The numbers behind each chart, for screen readers and copy-paste."""
    if name == "views-over-time":
        rows = [(d["day"], str(d["views"])) for d in data["views_over_time"]]
        head = ("Day", "Views")
    elif name == "most-viewed":
        rows = [(_md(_name(a)), str(a["views"])) for a in data["articles"][:10] if a["views"]]
        head = ("Article", "Views")
    elif name == "helpfulness":
        rows = [
            (_md(_name(a)), f"{a['helpful']} / {a['not_helpful']}")
            for a in data["articles"] if a["helpful"] or a["not_helpful"]
        ][:10]  # fmt: skip
        head = ("Article", "Helpful / not helpful")
    else:
        rows = [(_md(z["query"]), str(z["count"])) for z in data["zero_result_searches"][:10]]
        head = ("Query", "Searches")
    if not rows:
        return ["No data yet.", ""]
    return [
        f"| {head[0]} | {head[1]} |",
        "| --- | ---: |",
        *(f"| {a} | {b} |" for a, b in rows),
        "",
    ]


def dashboard_html(data: dict[str, Any]) -> str:
    """A standalone page (``kbgen stats dashboard``) with the charts inline."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>kbgen usage dashboard</title>",
        "<style>body{font-family:sans-serif;max-width:720px;margin:2em auto;color:#333}</style>",
        "</head><body><h1>Usage dashboard</h1>",
    ]
    if not has_events(data):
        parts.append(f"<p class='empty'>{html.escape(EMPTY_STATE)}</p>")
    else:
        for name, svg in dashboard_charts(data).items():
            parts.append(f"<section id='{name}'><h2>{CHART_TITLES[name]}</h2>{svg}</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_dashboard(kb: KnowledgeBase, out_dir: Path) -> list[Path]:
    """index.html plus one .svg per chart in ``out_dir``."""
    data = report(kb)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if has_events(data):
        for name, svg in dashboard_charts(data).items():
            path = out_dir / f"{name}.svg"
            path.write_text(svg, encoding="utf-8")
            written.append(path)
    index = out_dir / "index.html"
    index.write_text(dashboard_html(data), encoding="utf-8")
    return [index, *written]
