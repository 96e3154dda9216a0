"""The published site: the MkDocs plugin and ``build_site``. The only package importing mkdocs."""
