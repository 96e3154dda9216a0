"""Field notes §7 item 27: the redactor needs no model, no download and no network."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from kbgen.redaction import Redactor, scan_text


def test_redacts_with_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("redaction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    redactor = Redactor(internal_hosts=["corp.example.com"], people=["Jane Roe"])
    assert redactor.redact("Jane Roe, jane@corp.example.com").text == "\\[name\\], \\[email\\]"
    assert scan_text("jane@corp.example.com") != []


def test_imports_only_the_standard_library() -> None:
    # Only what kbgen.redaction itself pulls in counts, not the rest of kbgen.
    code = (
        "import sys, kbgen; before = set(sys.modules);"
        "import kbgen.redaction as r; r.Redactor().redact('a@b.co 10.0.0.1'); r.scan_text('x');"
        "new = {m.split('.')[0] for m in set(sys.modules) - before if not m.startswith('kbgen')};"
        "print(sorted(new - set(sys.stdlib_module_names)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
