"""page_url is MkDocs' File.url, for both URL styles."""

from __future__ import annotations

import pytest
from mkdocs.structure.files import File

from kbgen.search import page_url
from kbgen.search.urls import site_path

SRC_URIS = [
    "printer-offline.md",
    "kb-0010.md",
    "network/vpn-drops.md",
    "index.md",
    "README.md",
    "network/index.md",
    "network/README.md",
    "打印机无法打印.md",
    "with space & sign.md",
    "internal/kpis.md",
]


@pytest.mark.parametrize("directory_urls", [True, False])
@pytest.mark.parametrize("src_uri", SRC_URIS)
def test_page_url_is_mkdocs_file_url(src_uri: str, directory_urls: bool) -> None:
    expected = File(src_uri, "/docs", "/site", directory_urls).url
    assert page_url(src_uri, use_directory_urls=directory_urls) == expected


def test_site_paths_are_rooted_like_the_pages_manifest() -> None:
    assert site_path("a/b/") == "/a/b/"
    assert site_path("./") == "/"
    assert site_path("a/b.html") == "/a/b.html"
