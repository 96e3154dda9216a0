"""Field notes §7 item 25 end to end: a real MkDocs build shows the tokens, and its leak scan is clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from kbgen.redaction import Redactor, scan_text
from kbgen.text import plain_to_markdown

TICKET = (
    "User jane.roe@example.com (Jane Roe) could not log in from 10.20.30.40.\n\n"
    "Steps: call 13812345678(mobile), then password: Hunter22 [reset](javascript:x)"
)


@pytest.mark.slow
def test_tokens_survive_a_real_mkdocs_build(tmp_path: Path) -> None:
    body = Redactor(people=["Jane Roe"]).redact(plain_to_markdown(TICKET)).text
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(f"# Login fails\n\n{body}\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: KB\nplugins:\n  - search\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    build(config)

    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert (
        "<p>User [email] ([name]) could not log in from [ip].</p>\n"
        "<p>Steps: call [phone](mobile), then password: [secret] [reset](javascript:x)</p>"
    ) in html
    index_text = (tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8")
    texts = " ".join(doc["text"] for doc in json.loads(index_text)["docs"])
    for token in ("[email]", "[name]", "[ip]", "[phone]", "[secret]"):
        assert token in texts
    assert scan_text(html) == []
    assert scan_text(index_text) == []


def test_scan_finds_a_leak_in_search_index_json() -> None:
    index = json.dumps({"docs": [{"text": "mail bob@example.com from 帐号 10.0.0.5 [ip]"}]})
    assert [(f.kind, f.excerpt) for f in scan_text(index)] == [
        ("email", '…"docs": [{"text": "mail [email] from \\u5e10\\u53f7 [ip]…'),
        ("ip", '…[email] from \\u5e10\\u53f7 [ip] [ip]"}]}'),
    ]
