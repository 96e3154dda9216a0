"""A local HTTP server that plays a helpdesk API: each test scripts the exact requests it expects.

Every request is checked against the next expected one (method, path, the whole
query and the given headers) and answered with the scripted status, headers and
body. An unexpected request gets a 400 and is recorded, so the test fails.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Step:
    path: str
    query: dict[str, list[str]]
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent instead of the JSON body (truncated pages, text 429s)


@dataclass
class FakeVendor:
    expect_headers: dict[str, str]
    script: list[Step] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # "GET /path?query" of every request
    errors: list[str] = field(default_factory=list)
    url: str = ""

    def add(
        self, path: str, query: dict[str, str | list[str]], body: Any = None, **kw: Any
    ) -> None:
        normal = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
        self.script.append(Step(path, normal, body, **kw))


@contextmanager
def fake_vendor(expect_headers: dict[str, str]) -> Iterator[FakeVendor]:
    fake = FakeVendor(expect_headers)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            fake.seen.append(f"GET {self.path}")
            step = fake.script.pop(0) if fake.script else None
            problems = []
            if step is None:
                problems.append(f"unexpected request {self.path}")
            else:
                if parts.path != step.path:
                    problems.append(f"path {parts.path} != {step.path}")
                if query != step.query:
                    problems.append(f"query {query} != {step.query}")
            for name, value in fake.expect_headers.items():
                if self.headers.get(name) != value:
                    problems.append(f"header {name}: {self.headers.get(name)!r} != {value!r}")
            if problems or step is None:
                fake.errors.extend(problems)
                self._send(400, {}, json.dumps({"errors": problems}).encode())
                return
            data = step.raw if step.raw is not None else json.dumps(step.body).encode()
            headers = {"Content-Type": "application/json", **step.headers}
            self._send(step.status, headers, data)

        def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
            data = data.replace(b"{base}", fake.url.encode())
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value.replace("{base}", fake.url))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
