"""The published site: ``build_site`` and the MkDocs plugin. The only package importing mkdocs."""

from kbgen.site.build import BuildResult, build_site
from kbgen.site.plugin import KbgenPlugin

__all__ = ["BuildResult", "KbgenPlugin", "build_site"]
