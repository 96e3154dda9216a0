"""``mkdocs.yml`` as kbgen reads it: strict YAML, a short allow-list of Python tags, safe Markdown.

MkDocs loads ``mkdocs.yml`` with a loader that imports and calls any
``!!python/name:`` or ``!!python/object/apply:`` target, so a changed
``mkdocs.yml`` can run code at build time. kbgen reads it with a SafeLoader
that builds only the tags a Material site needs (:data:`PYTHON_TAGS`); any
other tag is refused with the file and line. The same reading gives
``kbgen check`` the site's own Markdown extensions, minus the ones that let
article text inject HTML attributes (:data:`UNSAFE_EXTENSIONS`), so the gate
renders exactly what the site renders.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import yaml

from kbgen.exceptions import ConfigError

MKDOCS_YML = "mkdocs.yml"
# Extensions that let content add attributes or raw HTML blocks; the site never enables them.
UNSAFE_EXTENSIONS = (
    "attr_list",
    "md_in_html",
    "markdown.extensions.attr_list",
    "markdown.extensions.md_in_html",
)
# The Python objects a Material site's mkdocs.yml may name: slugifiers, fence and emoji helpers.
PYTHON_TAGS = frozenset(
    {
        "pymdownx.slugs.slugify",
        "pymdownx.superfences.fence_code_format",
        "pymdownx.superfences.fence_div_format",
        "pymdownx.arithmatex.arithmatex_fenced_format",
        "material.extensions.emoji.twemoji",
        "material.extensions.emoji.to_svg",
        "materialx.emoji.twemoji",
        "materialx.emoji.to_svg",
    }
)


class _SiteLoader(yaml.SafeLoader):
    """SafeLoader plus ``!ENV`` (as MkDocs reads it) and the allow-listed Python tags."""

    source = MKDOCS_YML


def _target(loader: _SiteLoader, suffix: str, node: yaml.Node) -> Any:
    if suffix not in PYTHON_TAGS:
        mark = node.start_mark
        raise ConfigError(
            f"{loader.source}:{mark.line + 1}: the YAML tag !!python/...:{suffix} is not allowed; "
            f"kbgen builds only {', '.join(sorted(PYTHON_TAGS))}"
        )
    module, _, name = suffix.rpartition(".")
    # An allow-listed library function, as MkDocs would resolve it.
    return getattr(importlib.import_module(module), name)


def _python_name(loader: _SiteLoader, suffix: str, node: yaml.Node) -> Any:
    return _target(loader, suffix, node)


def _python_apply(loader: _SiteLoader, suffix: str, node: yaml.Node) -> Any:
    function = _target(loader, suffix, node)
    if isinstance(node, yaml.MappingNode):
        spec = loader.construct_mapping(node, deep=True)
        return function(*spec.get("args", ()), **spec.get("kwds", {}))
    args = loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode) else []
    return function(*args)


def _env(loader: _SiteLoader, node: yaml.Node) -> Any:
    # MkDocs' !ENV: the first variable set, else the default (the last scalar); never code.
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [loader.construct_scalar(node)]  # type: ignore[arg-type]
    )
    for name in names[:-1] if len(names) > 1 else names:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return names[-1] if len(names) > 1 else None


_SiteLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_SiteLoader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:", _python_apply)
_SiteLoader.add_constructor("!ENV", _env)


def load_site_config(root: Path, text: str | None = None) -> dict[str, Any]:
    """``<root>/mkdocs.yml`` (or ``text``) parsed safely; ConfigError names the file and line."""
    path = root / MKDOCS_YML
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    loader = _SiteLoader(text)
    loader.source = str(path)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of settings")
    return data


def markdown_config(root: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """The site's Markdown extensions and their settings, without :data:`UNSAFE_EXTENSIONS`."""
    names: list[str] = []
    configs: dict[str, dict[str, Any]] = {}
    for entry in load_site_config(root).get("markdown_extensions") or []:
        settings: dict[str, Any]
        if isinstance(entry, str):
            name, settings = entry, {}
        elif isinstance(entry, dict) and len(entry) == 1:
            name, settings = next(iter(entry.items()))
            settings = dict(settings or {})
        else:
            raise ConfigError(
                f"{root / MKDOCS_YML}: markdown_extensions: unreadable entry {entry!r}"
            )
        if name in UNSAFE_EXTENSIONS:
            continue
        names.append(name)
        if settings:
            configs[name] = settings
    return names, configs
