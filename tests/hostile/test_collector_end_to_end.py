"""Cases 48-52 end to end: the collector over a site built by ``kbgen build``, then ``kbgen stats``.

tests/stats drives the collector over a hand-written kbgen-pages.json; here the
page list comes from a real capture, approval and build, beacons go through the
WSGI app as a browser would send them, and the results are read back with the
``kbgen stats report`` command and from the database file's bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from kbgen.kb import KnowledgeBase
from kbgen.stats.collector import Collector, CollectorSettings

from .kbrun import FIXTURES, kbgen, new_kb, stable_env

PAGE = "/kb-0001-shared-mailbox-sync-stalls-after-password-rotation/"
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
ADDRESS = "203.0.113.9"
ADDRESS_V6 = "2001:db8:85a3::8a2e:370:7334"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("collector") / "kb"
    with stable_env():
        new_kb(root)
        assert (
            kbgen(
                "capture", FIXTURES / "privacy" / "jira_private.json", "--branch", "--kb", root
            ).exit_code
            == 0
        )
        assert (
            kbgen(
                "review", "approve", "--all", "--reviewer", "Ana Reviewer", "--kb", root
            ).exit_code
            == 0
        )
        assert kbgen("build", "--kb", root).exit_code == 0
    yield root


class Browser:
    def __init__(self, app: Collector) -> None:
        self.app = app

    def post(
        self,
        body: Any,
        *,
        ua: str = BROWSER,
        ip: str = ADDRESS,
        headers: dict[str, str] | None = None,
    ) -> tuple[str, bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ.update(
            REQUEST_METHOD="POST",
            PATH_INFO="/api/events",
            CONTENT_LENGTH=str(len(data)),
            CONTENT_TYPE="application/json",
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT=ua,
            **{"wsgi.input": io.BytesIO(data)},
        )
        environ.update(headers or {})
        status: list[str] = []

        def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(line)

        answer = b"".join(self.app(environ, start_response))
        return status[0], answer


@pytest.fixture
def kb(built: Path, tmp_path: Path) -> Path:
    """The built KB with a fresh, empty usage database for each test."""
    for path in (built / ".kbgen").glob("stats.sqlite*"):
        path.unlink()
    return built


@pytest.fixture
def browser(kb: Path) -> Iterator[Browser]:
    app = Collector(CollectorSettings.from_kb(KnowledgeBase.open(kb)))
    yield Browser(app)
    app.close()


def db_bytes(kb: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((kb / ".kbgen").glob("stats.sqlite*")))


def report(kb: Path) -> str:
    result = kbgen("stats", "report", "--kb", kb)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_view_of_a_built_page_is_counted(kb: Path, browser: Browser) -> None:
    assert browser.post({"type": "view", "page": PAGE}) == ("204 No Content", b"")
    assert f"  KB-0001         1 views  no votes               {PAGE}\n" in report(kb)


@pytest.mark.parametrize(
    ("body", "options", "status"),
    [
        ({"type": "view", "page": "/kb-0404-not-built/"}, {}, "400 Bad Request"),
        ({"type": "feedback", "page": PAGE, "helpful": "maybe"}, {}, "400 Bad Request"),
        ({"type": "view", "page": PAGE, "ip": ADDRESS}, {}, "400 Bad Request"),
        (b'{"type": "view", "page": ', {}, "400 Bad Request"),
        ({"type": "search", "query": "q" * 10_240, "results": 1}, {}, "400 Bad Request"),
        ({"type": "view", "page": PAGE},
         {"ua": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
         "204 No Content"),
        ({"type": "view", "page": PAGE}, {"ua": ""}, "204 No Content"),
        ({"type": "view", "page": PAGE}, {"headers": {"HTTP_SEC_PURPOSE": "prefetch"}},
         "204 No Content"),
    ],
    ids=["page not built", "vote maybe", "unknown key", "invalid JSON", "10 KB query", "Googlebot",
         "empty user agent", "prefetch"],
)  # fmt: skip
def test_hostile_beacons_leave_the_report_unchanged(
    kb: Path, browser: Browser, body: Any, options: dict[str, Any], status: str
) -> None:
    """Cases 48 and 52 against the page list of a real build."""
    assert browser.post({"type": "view", "page": PAGE})[0] == "204 No Content"
    before = (report(kb), db_bytes(kb))
    assert browser.post(body, **options)[0] == status
    assert (report(kb), db_bytes(kb)) == before


def test_personal_data_in_queries_and_visitor_details_never_reach_the_database(
    kb: Path, browser: Browser
) -> None:
    """Cases 50 and 51: redacted queries; no address or user agent in the file's bytes."""
    for ip in (ADDRESS, ADDRESS_V6):
        assert browser.post({"type": "view", "page": PAGE}, ip=ip)[0] == "204 No Content"
    assert browser.post(
        {"type": "search", "query": "mail quentin.marlowe@corp-example.com 13812345678",
         "results": 0}
    )[0] == "204 No Content"  # fmt: skip
    stored = db_bytes(kb)
    assert len(stored) > 0
    for secret in [ADDRESS, ADDRESS_V6, "8a2e:370:7334", "Chrome/124", "quentin", "13812345678"]:
        assert secret.encode() not in stored, secret
    assert "      1     0  mail [email] [phone]\n" in report(kb)


def test_injection_looking_queries_are_data_and_the_csv_is_formula_safe(
    kb: Path, browser: Browser
) -> None:
    """Case 49 through the collector and ``kbgen stats report --csv``."""
    for query in ["'; DROP TABLE searches; --", '=HYPERLINK("http://evil.example","x")']:
        assert browser.post({"type": "search", "query": query, "results": 0})[0] == (
            "204 No Content"
        )
    result = kbgen("stats", "report", "--csv", "--kb", kb)
    rows = list(csv.reader(io.StringIO(result.output)))
    assert sorted(r[1] for r in rows if r[0] == "search") == [
        "'; drop table searches; --",
        '\'=hyperlink("http://evil.example","x")',
    ]
