"""Entry point for running the collector under any WSGI server in production.

    KBGEN_KB=/srv/kb waitress-serve --host 127.0.0.1 --port 8080 --call kbgen.stats.wsgi:create_app
    KBGEN_KB=/srv/kb gunicorn -w 4 'kbgen.stats.wsgi:create_app()'

``KBGEN_KB`` is the KB directory (its site_config/kbgen.yml and .kbgen/),
``KBGEN_SITE_DIR`` the published site's directory when it is not ``<kb>/site``
(the collector only reads its ``kbgen-pages.json``), and ``KBGEN_STATS_URL`` a
PostgreSQL URL when several collector processes or machines share one database.
"""

from __future__ import annotations

import os
from pathlib import Path

from kbgen.exceptions import ConfigError
from kbgen.kb import KnowledgeBase
from kbgen.stats.collector import Collector, CollectorSettings


def create_app() -> Collector:
    root = os.environ.get("KBGEN_KB")
    if not root:
        raise ConfigError(
            "set KBGEN_KB to the knowledge base directory before starting the collector"
        )
    kb = KnowledgeBase.open(root)
    site_dir = os.environ.get("KBGEN_SITE_DIR")
    return Collector(CollectorSettings.from_kb(kb, site_dir=Path(site_dir) if site_dir else None))
