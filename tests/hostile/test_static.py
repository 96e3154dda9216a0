"""Case 35: no YAML loading that can construct Python objects, in any Python file of the repo.

tests/core/test_docs.py greps kbgen/ for a few loader names; this walks the syntax
tree of every Python file (package, scripts, benchmarks, tests), so ``yaml.CLoader``,
``from yaml import Loader`` or a ``yaml.load`` whose loader is unsafe cannot slip by.
A ``yaml.load`` with a named loader is allowed only when that loader, imported, is a
SafeConstructor and not a FullConstructor (``FullLoader`` and ``UnsafeLoader`` are).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SCANNED = ["kbgen", "scripts", "bench", "tests"]
UNSAFE_NAMES = {"Loader", "CLoader", "FullLoader", "CFullLoader", "UnsafeLoader", "CUnsafeLoader"}
UNSAFE_CALLS = {"unsafe_load", "unsafe_load_all", "full_load", "full_load_all"}
LOADING_CALLS = {"load", "load_all"}


def is_safe_loader(loader: object) -> bool:
    from yaml.constructor import FullConstructor, SafeConstructor

    return (
        isinstance(loader, type)
        and issubclass(loader, SafeConstructor)
        and not issubclass(loader, FullConstructor)
    )


def _is_yaml(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "yaml"


def _module_name(path: Path) -> str | None:
    rel = path.relative_to(REPO).with_suffix("")
    return ".".join(rel.parts) if rel.parts[0] == "kbgen" else None


def _resolve(loader: ast.expr, module: str | None) -> object:
    if isinstance(loader, ast.Attribute) and _is_yaml(loader.value):
        return getattr(yaml, loader.attr, None)
    if isinstance(loader, ast.Name) and module is not None:
        return getattr(importlib.import_module(module), loader.id, None)
    return None


def unsafe_yaml_uses(source: str, path: str, module: str | None = None) -> list[str]:
    """Every unsafe YAML use in ``source``, as ``path:line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        where = f"{path}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found += [f"{where}: imports {a.name}" for a in node.names if a.name in UNSAFE_NAMES]
            found += [f"{where}: imports {a.name}" for a in node.names if a.name in UNSAFE_CALLS]
        elif isinstance(node, ast.Attribute) and _is_yaml(node.value):
            if node.attr in UNSAFE_NAMES or node.attr in UNSAFE_CALLS:
                found.append(f"{where}: uses yaml.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _is_yaml(node.func.value)
            and node.func.attr in LOADING_CALLS
        ):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            if loader is None and len(node.args) > 1:
                loader = node.args[1]
            if loader is None or not is_safe_loader(_resolve(loader, module)):
                found.append(f"{where}: yaml.{node.func.attr} with a loader that is not safe")
    return sorted(found, key=lambda f: (int(f.split(":")[1]), f))


def test_no_unsafe_yaml_loading_in_any_python_file() -> None:
    files = [p for d in SCANNED for p in sorted((REPO / d).rglob("*.py")) if (REPO / d).is_dir()]
    assert len(files) > 100  # the whole repository, not an empty glob
    problems = []
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        problems += unsafe_yaml_uses(path.read_text(encoding="utf-8"), rel, _module_name(path))
    assert problems == []


def test_the_checker_catches_every_unsafe_form() -> None:
    planted = (
        "import yaml\n"
        "from yaml import Loader\n"
        "yaml.load(text, Loader=yaml.CLoader)\n"
        "yaml.load(text, yaml.FullLoader)\n"
        "yaml.load(text)\n"
        "yaml.unsafe_load(text)\n"
        "yaml.load(text, Loader=yaml.SafeLoader)\n"
        "yaml.safe_load(text)\n"
    )
    assert unsafe_yaml_uses(planted, "x.py") == [
        "x.py:2: imports Loader",
        "x.py:3: uses yaml.CLoader",
        "x.py:3: yaml.load with a loader that is not safe",
        "x.py:4: uses yaml.FullLoader",
        "x.py:4: yaml.load with a loader that is not safe",
        "x.py:5: yaml.load with a loader that is not safe",
        "x.py:6: uses yaml.unsafe_load",
    ]
