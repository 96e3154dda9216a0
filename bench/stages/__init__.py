"""One module per measured stage. Functions here run inside a child process (bench.child)."""

from __future__ import annotations

import importlib
from typing import Any

from bench.measure import StageNotLanded


def require(module: str, *names: str) -> Any:
    """Import ``module`` (and check ``names`` on it) or raise :class:`StageNotLanded`."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise StageNotLanded(f"not landed: {module} ({exc})") from None
    for name in names:
        if not hasattr(mod, name):
            raise StageNotLanded(f"not landed: {module}.{name}")
    return mod
