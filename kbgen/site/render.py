"""Rendering the stage with MkDocs and Material: the renderer only renders.

Everything kbgen guarantees happens before (stage.py) and after (postbuild.py);
this module asks MkDocs to turn the staged Markdown into HTML with the KB's
``mkdocs.yml``. That file is read with kbgen's safe loader first (an unknown
``!!python/...`` tag is refused before MkDocs would run it), and the build is
pointed at the stage whatever ``docs_dir`` says. It is the only module of the
build that imports mkdocs (with plugin.py and worker.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from kbgen.exceptions import KbgenError, SiteError
from kbgen.kb import MKDOCS_YML, STAGE_FOLDER, KnowledgeBase, load_site_config
from kbgen.site.catalog import site_nav
from kbgen.site.plugin import KbgenPlugin
from kbgen.site.stage import Stage

MAX_LISTED = 20
EOL_NOTICE = (
    "Note: Material for MkDocs reaches end of life on 2027-05-05; kbgen's publishing "
    "guarantees do not depend on it (see kbgen's docs/site.md for the way to Zensical)."
)


def site_settings(kb: KnowledgeBase) -> dict[str, Any]:
    """``mkdocs.yml`` read safely (refusing unknown Python tags), for the stage's settings."""
    return load_site_config(kb.root)


def docs_dir_warning(kb: KnowledgeBase, settings: dict[str, Any]) -> str | None:
    """A line for KBs whose mkdocs.yml still points a plain renderer at content/articles."""
    docs_dir = str(settings.get("docs_dir") or "docs")
    if Path(docs_dir) == Path(STAGE_FOLDER):
        return None
    return (
        f"mkdocs.yml: docs_dir is '{docs_dir}', so a plain 'mkdocs build' would render it as it "
        f"is, drafts included; set docs_dir: {STAGE_FOLDER} (kbgen build renders its stage either way)"
    )


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors for the error message (and off stderr)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().strip())


@contextmanager
def _collect_mkdocs_log() -> Iterator[_Collect]:
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def render(
    kb: KnowledgeBase, stage: Stage, out_dir: Path, *, strict: bool, shown: str
) -> KbgenPlugin:
    """MkDocs renders ``stage`` into ``out_dir``; raise SiteError naming every problem."""
    # kbgen prints its own one-line end-of-life note (EOL_NOTICE) instead of Material's banner.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with _collect_mkdocs_log() as log:
        try:
            config = load_config(
                str(kb.root / MKDOCS_YML),
                docs_dir=str(stage.root),
                site_dir=str(out_dir),
                strict=strict,
            )
            plugin = _kbgen_plugin(config)
            plugin.stage = stage  # staged by kbgen build: the plugin renders, it does not stage
            config.nav = site_nav(kb.config.site.internal)
            build(config)
        except KbgenError:
            raise
        except Exception as exc:  # noqa: BLE001 - MkDocs and Markdown raise anything
            # Abort, PluginError and ConfigurationError carry their own message; anything
            # else (a ValueError from a URL MkDocs cannot parse) is named by its type.
            known = isinstance(exc, Abort | ConfigurationError | PluginError)
            text = str(exc) if known else f"{type(exc).__name__}: {exc}"
            problems = [*log.messages, text]
            # "Aborted with a BuildError!" adds nothing to the error it follows.
            problems = [p for p in dict.fromkeys(problems) if p and "BuildError" not in p]
            listed = "\n".join(f"  {m}" for m in problems[:MAX_LISTED])
            more = (
                f"\n  ... and {len(problems) - MAX_LISTED} more"
                if len(problems) > MAX_LISTED
                else ""
            )
            raise SiteError(f"the site build failed and {shown} is unchanged:\n{listed}{more}") from None
    return plugin


def _kbgen_plugin(config: MkDocsConfig) -> KbgenPlugin:
    """The KB's kbgen plugin, or one kbgen adds when mkdocs.yml lists none (it is optional)."""
    found = config.plugins.get("kbgen")
    if isinstance(found, KbgenPlugin):
        return found
    plugin = KbgenPlugin()
    plugin.load_config({})
    config.plugins["kbgen"] = plugin
    return plugin
