"""``kbgen serve``: the built site and the collector on one port, under waitress.

waitress is a pure-Python, production-grade WSGI server with a thread pool and
no request log of its own, so no IP address is ever written by it. (wsgiref's
server logs every client address to stderr and is single-threaded.)
"""

from __future__ import annotations

import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server as waitress_server
from waitress.task import WSGITask

from kbgen.exceptions import StatsError
from kbgen.kb import KnowledgeBase
from kbgen.stats.collector import Collector, CollectorSettings, StartResponse

mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/javascript", ".js")
mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("application/json", ".json")


class StaticSite:
    """Files under ``root``, MkDocs style: ``/a/b/`` is ``a/b/index.html``; 404.html for misses."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def resolve(self, url_path: str) -> Path | None:
        parts = [p for p in unquote(url_path).split("/") if p]
        if any(p in (".", "..") or "\x00" in p or "\\" in p for p in parts):
            return None
        target = self.root.joinpath(*parts)
        if target.is_dir():
            target = target / "index.html"
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_file() or not real.is_relative_to(self.root):
            return None  # also refuses symlinks that lead outside the site
        return real

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            start_response(
                "405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")]
            )
            return []
        path = environ.get("PATH_INFO", "/") or "/"
        target = self.resolve(path)
        if target is not None and target.name == "index.html" and not path.endswith(("/", ".html")):
            start_response(
                "301 Moved Permanently", [("Location", path + "/"), ("Content-Length", "0")]
            )
            return []
        status = "200 OK"
        if target is None:
            status, target = "404 Not Found", self.resolve("/404.html")
            if target is None:
                body = b"Not found"
                start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "9")])
                return [] if method == "HEAD" else [body]
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        headers = [
            ("Content-Type", ctype),
            ("Content-Length", str(target.stat().st_size)),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-cache"),
        ]
        start_response(status, headers)
        if method == "HEAD":
            return []
        fh = open(target, "rb")  # noqa: SIM115 - closed by the server through the file wrapper
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(fh, 65536) if wrapper else _chunks(fh)


def _chunks(fh: Any) -> Iterable[bytes]:
    with fh:
        while chunk := fh.read(65536):
            yield chunk


def site_and_collector(collector: Collector, site_dir: Path) -> Callable[..., Iterable[bytes]]:
    """One WSGI app: ``/api/`` goes to the collector, everything else to the static site."""
    static = StaticSite(site_dir)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/api/"):
            return collector(environ, start_response)
        return static(environ, start_response)

    return app


@dataclass
class RunningServer:
    """A waitress server running in a background thread (tests, demo, bench)."""

    server: Any
    thread: threading.Thread
    host: str
    port: int
    stopping: threading.Event

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def stop(self) -> None:
        """Ask the loop to finish; it closes its own sockets (closing them from here races select)."""
        self.stopping.set()
        self.server.pull_trigger()
        self.thread.join(timeout=10)


class NoBodyKeepAliveTask(WSGITask):
    """waitress's task, with keep-alive kept after 204 and 304 responses.

    waitress 3.0 decides keep-alive by the presence of a Content-Length, which a 204
    must not carry (RFC 9110), so it closes the connection after every beacon and each
    event pays for a new TCP connection. This task keeps the connection open exactly
    when nothing but that rule asked for the close.
    """

    close_on_finish: bool  # set by waitress's Task

    def build_response_header(self) -> bytes:
        keep = (
            self.version == "1.1"
            and not self.has_body
            and not self.close_on_finish
            and self.request.headers.get("CONNECTION", "").lower() != "close"
            and all(name.lower() != "connection" for name, _ in self.response_headers)
        )
        header: bytes = super().build_response_header()
        if keep and self.close_on_finish:
            self.close_on_finish = False
            header = header.replace(b"\r\nConnection: close", b"", 1)
        return header


class KeepAliveChannel(HTTPChannel):
    task_class = NoBodyKeepAliveTask


def create_server(app: Callable[..., Iterable[bytes]], host: str, port: int) -> Any:
    try:
        server = waitress_server(
            app,
            host=host,
            port=port,
            threads=int(os.environ.get("KBGEN_SERVE_THREADS", "8")),
            connection_limit=1000,
            ident="kbgen",
            # X-Forwarded-For is judged by the collector against stats.trusted_proxies;
            # waitress's own proxy middleware would log the peer address on bad headers.
            clear_untrusted_proxy_headers=False,
        )
    except OSError as exc:
        raise StatsError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port"
        ) from None
    server.channel_class = KeepAliveChannel
    return server


def start_server(
    app: Callable[..., Iterable[bytes]], host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve ``app`` in a daemon thread; ``port=0`` picks a free port."""
    server = create_server(app, host, port)
    stopping = threading.Event()

    def loop() -> None:
        try:
            while not stopping.is_set():
                wasyncore.loop(
                    timeout=0.2, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
                )
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)

    thread = threading.Thread(target=loop, name="kbgen-serve", daemon=True)
    thread.start()
    return RunningServer(server, thread, host, int(server.effective_port), stopping)


def serve_site(
    kb: KnowledgeBase,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    site_dir: Path | None = None,
    echo: Callable[[str], None] | None = None,
) -> None:
    """Serve the built site and the collector until Ctrl-C."""
    site = Path(site_dir) if site_dir else kb.site_dir
    if not (site / "index.html").is_file():
        raise StatsError(
            f"{kb.relpath(site)}: no built site here (index.html is missing); run: kbgen build"
        )
    collector = Collector(CollectorSettings.from_kb(kb, site_dir=site))
    server = create_server(site_and_collector(collector, site), host, port)
    # "Task queue depth is N" under load is noise on a demo console, not a problem.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if echo is not None:
        shown = f"[{host}]" if ":" in host else host
        echo(f"Serving {kb.relpath(site)} on http://{shown}:{server.effective_port}/")
        echo(f"Collector: POST http://{shown}:{server.effective_port}/api/events (Ctrl-C to stop)")
    try:
        server.run()  # returns on Ctrl-C (waitress catches KeyboardInterrupt itself)
    finally:
        server.close()
        collector.close()
    if echo is not None:
        echo("Stopped.")
