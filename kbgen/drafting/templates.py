"""Article templates: Jinja2 files named ``<type>.<language>.md.j2``.

A KB overrides any template by putting a file of the same name in its own
``content/templates/``; the packaged scaffold is the fallback.

Autoescape is off on purpose: every value handed to a template is already safe
Markdown (ticket text went through ``kbgen.text.plain_to_markdown`` and the
cleaning in ``content.py``), and HTML-escaping it again would print ``&amp;lt;``
on the page. Templates only lay out sections. StrictUndefined turns a typo in a
KB's own template into an error naming the template instead of an empty section.

Templates are KB files a branch can change, and capture renders them on the
engineer's machine, so they run in Jinja's immutable sandbox: a template that
reaches for Python internals (``cycler.__init__.__globals__``) or tries to
mutate a value fails with one line naming the template, and runs nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from kbgen.exceptions import DraftError
from kbgen.kb import SCAFFOLD_DIR

PACKAGED_TEMPLATES = SCAFFOLD_DIR / "content" / "templates"


def template_name(article_type: str, language: str) -> str:
    return f"{article_type}.{language}.md.j2"


@lru_cache(maxsize=8)
def get_environment(kb_templates_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if kb_templates_dir is not None and kb_templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(kb_templates_dir))
    loaders.append(jinja2.FileSystemLoader(PACKAGED_TEMPLATES))
    return ImmutableSandboxedEnvironment(  # noqa: S701 - values are escaped Markdown (module doc)
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_body(
    env: jinja2.Environment, article_type: str, language: str, context: dict[str, Any]
) -> str:
    name = template_name(article_type, language)
    try:
        text = env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise DraftError(
            f"no article template '{name}': add content/templates/{name} to the KB "
            f"or use one of the packaged types"
        ) from None
    except SecurityError as exc:
        line = _template_line(exc)
        raise DraftError(
            f"template {name}{f':{line}' if line else ''} reaches for Python internals ({exc}); "
            "templates may only lay out the values kbgen passes in. Fix the template"
        ) from None
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None) or _template_line(exc)
        raise DraftError(
            f"template {where}{f':{line}' if line else ''}: {exc.message or exc}; fix the template"
        ) from None
    return _squeeze_blank_lines(text.replace("\r\n", "\n")).strip("\n") + "\n"


def _template_line(exc: Exception) -> int | None:
    """The template line of a render-time error (Jinja keeps it only in the traceback)."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _squeeze_blank_lines(text: str) -> str:
    """At most one blank line between sections; fenced blocks keep theirs (logs mean them)."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        if fence is None:
            opening = re.match(r"^(`{3,}|~{3,})", line)
            if opening:
                fence = opening.group(1)
            elif not line.strip() and out and not out[-1].strip():
                continue
        elif line.strip() == fence:
            fence = None
        out.append(line if line.strip() or fence else "")
    return "\n".join(out)
