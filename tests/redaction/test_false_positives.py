"""Text that looks number- or secret-shaped but is not personal data stays byte for byte."""

from __future__ import annotations

import pytest

from kbgen.redaction import Redactor, scan_text
from kbgen.text import plain_to_markdown

KEEP = [
    "Python 3.11.7 and Lucene 1.4.3 on JDK 1.8.0\\_292",
    "Oracle数据库当前版本10.2.0.4.0，存在数据",
    "数据库版本10.2.0.1版本较低",
    "Weblogic中间件版本由10.3.6.0升级到11.0.2.4版本；",
    "SIP Server目前版本为8.1.101.88 ，存在连接不释放问题",
    "upgrade to v1.2.3.4 or version 2.7.4.1",
    "2016-06-06T06:24:38.000+0000, 06/06/2016 12:30:00, 2017年11月9日9点35分",
    "List&lt;String&gt; list = new ArrayList&lt;String&gt;();",
    "See LUCENE-1234, INC0000045, PRB0040001 and issue 1004298",
    "SELECT \\* FROM users WHERE id = 12345678 AND name = 'x';",
    "C:\\\\Program Files\\\\App\\\\bin\\\\app.exe and /var/log/app/2016/06/app.log",
    "ph\\_user reported it to ph\\_name",
    "std::vector&lt;int&gt; and Foo::bar() and a::b",
    "故障时长（小时） 16666666790843",
    "Windows 10 build 19045.3693, KB5034441, error 0x80070005",
    "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "Doug's patch",
]

STACK_TRACE = """java.lang.NullPointerException
    at org.apache.lucene.index.SegmentReader.<init>(SegmentReader.java:123)
    at org.apache.lucene.index.IndexReader$1.doBody(IndexReader.java:1425)
    at org.apache.lucene.store.Lock$With.run(Lock.java:109)"""


@pytest.mark.parametrize("markdown", KEEP)
def test_not_personal_data(markdown: str) -> None:
    assert Redactor().redact(markdown).text == markdown
    assert scan_text(markdown) == []


def test_java_stack_trace_with_line_numbers() -> None:
    markdown = plain_to_markdown(STACK_TRACE)
    assert markdown.startswith("```text\n")
    assert Redactor().redact(markdown).text == markdown
    assert scan_text(STACK_TRACE) == []


def test_firmware_and_driver_versions_are_not_addresses() -> None:
    text = "firmware 2.4.1.12, driver 1.2.3.4, 固件版本 3.1.0.7 and host 2.4.1.12"
    assert Redactor().redact(text).text == (
        "firmware 2.4.1.12, driver 1.2.3.4, 固件版本 3.1.0.7 and host \\[ip\\]"
    )


PATHOLOGICAL = [
    ("ab:" * 20_000, {}),
    ("1." * 20_000, {}),
    ("a@" * 20_000, {}),
    ("` a " * 10_000, {}),
    (":" * 50_000, {}),
    # Every other "password:" is the value of the one before it.
    ("password: " * 5_000, {"secret": 2_500}),
]


@pytest.mark.parametrize(("text", "counts"), PATHOLOGICAL, ids=lambda t: repr(t)[:8])
def test_long_repetitive_input_is_handled_in_linear_passes(
    text: str, counts: dict[str, int]
) -> None:
    """These once took seconds (quadratic candidate checks); they must stay unremarkable."""
    redacted = Redactor(markdown=False).redact(text)
    assert redacted.counts == counts
    assert len(scan_text(text)) == sum(counts.values())
