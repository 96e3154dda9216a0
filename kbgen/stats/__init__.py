"""Usage statistics: a privacy-preserving collector, access-log import, reports and charts.

Public verbs:

* :func:`make_app` / :class:`Collector`: the WSGI collector (``POST /api/events``);
* :func:`record_event`: store one validated event;
* :func:`report` and :func:`article_stats`: read usage back;
* :func:`dashboard_markdown`: the internal dashboard page with SVG charts.
"""

from kbgen.stats.collector import Collector, CollectorSettings, make_app
from kbgen.stats.dashboard import dashboard_markdown
from kbgen.stats.events import Event, EventRejected, parse_event, record_event
from kbgen.stats.logimport import import_log
from kbgen.stats.server import serve_site
from kbgen.stats.store import StatsStore, has_stats, open_store
from kbgen.stats.summary import article_stats, report

__all__ = [
    "Collector",
    "CollectorSettings",
    "Event",
    "EventRejected",
    "StatsStore",
    "article_stats",
    "dashboard_markdown",
    "has_stats",
    "import_log",
    "make_app",
    "open_store",
    "parse_event",
    "record_event",
    "report",
    "serve_site",
]
