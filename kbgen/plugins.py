"""The plugin manager. Built-in parts are plugins too, registered through the same hooks.

:func:`plugin_manager` registers kbgen's own hook modules (and installed
third-party plugins) the first time something asks for a hook, not at import,
so importing any kbgen module stays cheap and free of import cycles.
"""

from __future__ import annotations

import importlib
import sys

import pluggy

from kbgen import hookspecs

# kbgen's own modules that implement hooks, in registration order.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "kbgen.sources.registry",
    "kbgen.review.commands",
    "kbgen.stats.commands",
    "kbgen.stats.dashboard",
    "kbgen.loop.commands",
    "kbgen.loop.kpi_page",
)

pm = pluggy.PluginManager("kbgen")
pm.add_hookspecs(hookspecs)
_loaded = False


def plugin_manager() -> pluggy.PluginManager:
    """``pm`` with the default plugins registered (once); installed plugins too, outside tests."""
    global _loaded
    if not _loaded:
        _loaded = True
        for name in DEFAULT_PLUGINS:
            # A plugin loader: modules are named in DEFAULT_PLUGINS, like entry points.
            pm.register(importlib.import_module(name), name)
        # Third-party plugins use the "kbgen" entry-point group; never load them under tests.
        if not getattr(sys, "_called_from_test", False):
            pm.load_setuptools_entrypoints("kbgen")
    return pm
