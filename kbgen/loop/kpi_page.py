"""The KPI page of the internal site: the numbers of ``kbgen kpis`` with small SVG bar charts.

The charts are plain inline SVG written here (no JavaScript, no external
assets), and every label passes through ``html.escape``: category names come
from ticket exports and are untrusted text. The site sanitises generated pages
(no inline SVG), so ``render_kpi_page`` gives the site plain Markdown tables of
the same numbers, and ``kpi_page_html`` is a standalone HTML file with the
charts for ``kbgen kpis --page``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from kbgen.hookspecs import hookimpl
from kbgen.kb import KnowledgeBase
from kbgen.loop.evidence import gather
from kbgen.loop.gaps import find_gaps
from kbgen.loop.issues import backlog_markdown
from kbgen.loop.kpis import compute_kpis, kpi_lines
from kbgen.text import escape_inline

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 220
CHART_WIDTH = 640
MAX_BARS = 25


def bar_chart(title: str, values: Mapping[str, float | None], unit: str) -> str:
    """A horizontal bar chart as an SVG string; missing values are listed, not drawn as zero."""
    rows = [(label, value) for label, value in values.items() if value is not None][:MAX_BARS]
    if not rows:
        return f"<p>{html.escape(title)}: no data.</p>"
    top = max(value for _, value in rows) or 1.0
    plot_width = CHART_WIDTH - LABEL_WIDTH - 90
    height = 28 + len(rows) * (BAR_HEIGHT + BAR_GAP)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kbgen-chart" role="img" '
        f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 28 + index * (BAR_HEIGHT + BAR_GAP)
        width = max(1, round(plot_width * value / top))
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{html.escape(short)}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="#3f51b5">'
            f"<title>{html.escape(label)}: {value:g} {html.escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 13}" font-size="12">{value:g} {html.escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _series(kpis: Mapping[str, Any]) -> list[tuple[str, dict[str, float | None], str]]:
    """(title, label -> value, unit) for each chart, in page order."""
    mttr = kpis["mttr_hours"]
    series: list[tuple[str, dict[str, float | None], str]] = [
        ("MTTR by category", mttr["by_category"], "h"),
        ("MTTR by month opened", mttr["by_month"], "h"),
        (
            "MTTR with and without a published article",
            {"with article": mttr["with_article"], "without article": mttr["without_article"]},
            "h",
        ),
    ]
    breakdown = kpis.get("breakdown")
    if breakdown:
        series.append(
            (
                f"Link rate by {kpis['by']}",
                {
                    k: (round(v["link_rate"] * 100, 1) if v["link_rate"] is not None else None)
                    for k, v in breakdown.items()
                },
                "%",
            )
        )
    return series


def _charts(kpis: Mapping[str, Any]) -> list[str]:
    return [bar_chart(title, values, unit) for title, values, unit in _series(kpis)]


def render_kpi_page(kpis: Mapping[str, Any]) -> str:
    """Markdown for the internal site's KPI page: the summary and one table per chart.

    The site sanitises generated pages and drops inline SVG, so the site page
    carries the numbers as tables; the charts are in ``kpi_page_html``. Every
    cell is escaped plain text (category names come from ticket exports).
    """
    lines = [
        "# Support KPIs",
        "",
        f"Computed by `kbgen kpis` from {escape_inline(str(kpis['source']))}. "
        "How each number is computed: docs/kpis.md.",
        "",
        *(f"- {escape_inline(line)}" for line in kpi_lines(kpis)[1:] if not line.startswith("  ")),
    ]
    for title, values, unit in _series(kpis):
        lines += ["", f"## {escape_inline(title)}", ""]
        rows = [(k, v) for k, v in values.items() if v is not None]
        if not rows:
            lines.append("No data.")
            continue
        lines += [f"| | {unit} |", "| --- | ---: |"]
        lines += [f"| {escape_inline(k)} | {v:g} |" for k, v in rows]
    return "\n".join(lines) + "\n"


@hookimpl
def register_site_pages(kb: KnowledgeBase) -> dict[str, str]:
    return site_pages(kb)


def site_pages(kb: KnowledgeBase) -> dict[str, str]:
    """Internal pages for the site (``site.internal``): the KPI page and the backlog."""
    if not kb.config.site.internal:
        return {}
    evidence = gather(kb)
    return {
        "kpis.md": render_kpi_page(compute_kpis(evidence, by="month")),
        "backlog.md": backlog_markdown(find_gaps(evidence, kb.config)),
    }


def kpi_page_html(kpis: Mapping[str, Any]) -> str:
    """A standalone HTML page with the same numbers and charts."""
    items = "\n".join(
        f"<li>{html.escape(line)}</li>" for line in kpi_lines(kpis)[1:] if not line.startswith("  ")
    )
    charts = "\n".join(f"<figure>{chart}</figure>" for chart in _charts(kpis))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Support KPIs</title></head>\n'
        f"<body><h1>Support KPIs</h1>\n<p>From {html.escape(str(kpis['source']))}.</p>\n"
        f"<ul>\n{items}\n</ul>\n{charts}\n</body></html>\n"
    )
