"""Child-process entry point: ``python -m bench.child module:function '<json kwargs>'``.

Prints the function's result plus ``peak_rss_mb`` as JSON on its last line.
Exit code 3 means the kbgen code the stage needs has not landed yet.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable

from bench.measure import StageNotLanded, peak_rss_mb


def _resolve(target: str) -> Callable[..., dict[str, float]]:
    module, _, name = target.partition(":")
    fn: Callable[..., dict[str, float]] = getattr(importlib.import_module(module), name)
    return fn


def main(argv: list[str]) -> int:
    target, raw = argv
    try:
        result = _resolve(target)(**json.loads(raw))
    except StageNotLanded as exc:
        print(str(exc))
        return 3
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
