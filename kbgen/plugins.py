"""The plugin manager. Built-in parts are plugins too, registered through the same hooks."""

from __future__ import annotations

import importlib
import sys

import pluggy

from kbgen import hookspecs

# Core modules that implement hooks, in registration order.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "kbgen.sources.registry",
    "kbgen.review.commands",
    "kbgen.stats.commands",
    "kbgen.loop.commands",
)

pm = pluggy.PluginManager("kbgen")
pm.add_hookspecs(hookspecs)

for _name in DEFAULT_PLUGINS:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a stage that has not landed yet registers nothing
        if exc.name is None or not _name.startswith(exc.name):
            raise
        continue
    pm.register(_module, _name)

# Third-party plugins use the "kbgen" entry-point group; never load them under tests.
if not getattr(sys, "_called_from_test", False):
    pm.load_setuptools_entrypoints("kbgen")
