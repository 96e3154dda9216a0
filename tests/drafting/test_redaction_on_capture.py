"""Hand-written PII and secrets go through capture with the real redactor: nothing survives anywhere."""

from __future__ import annotations

from pathlib import Path

from kbgen.drafting.capture import CaptureOptions, capture_tickets
from kbgen.drafting.stages import _redactor_factory
from kbgen.kb import KnowledgeBase
from kbgen.models import Environment
from kbgen.text import plain_to_markdown

from .conftest import article_files
from .fakes import FakeStore, fake_stages, ticket

SENSITIVE = [
    "13812345678",
    "+86 138-1234-5678",
    "１３８１２３４５６７８",
    "010-62345678",
    "11010519491231002X",
    "ctxadmin@yzd.sgcc.com",
    "alice@example.com",
    "192.168.10.25",
    "2001:db8::8a2e:370:7334",
    "4111 1111 1111 1111",
    "GB82WEST12345698765432",
    "hunter2",
    "Abc123!x",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX3NpZ25hdHVyZQ",
    "s3cr3tpass",
    "Zhang Wei",
]
TEXT = (
    "用户电话13812345678请回电，或 +86 138-1234-5678，全角１３８１２３４５６７８，座机010-62345678。\n"
    "身份证11010519491231002X。帐号ctxadmin@yzd.sgcc.com无法登录，抄送 alice@example.com。\n"
    "Server 192.168.10.25 and 2001:db8::8a2e:370:7334 refused. Card 4111 1111 1111 1111, "
    "IBAN GB82WEST12345698765432.\n"
    "password: hunter2 and 密码：Abc123!x, key AKIAIOSFODNN7EXAMPLE, "
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlX3NpZ25hdHVyZQ\n"
    "See https://admin:s3cr3tpass@intranet.example/x. Reported by Zhang Wei."
)


def test_nothing_sensitive_reaches_articles_notes_or_store(kb: KnowledgeBase) -> None:
    store = FakeStore()
    hostile = ticket(
        "PII-1",
        title="Login fails for Zhang Wei (13812345678)",
        problem=plain_to_markdown(TEXT),
        resolution=plain_to_markdown("Reset done; told alice@example.com. " + TEXT),
        comments=[("resolver", plain_to_markdown(TEXT))],
        people=["Zhang Wei"],
        environment=Environment(product="VPN 192.168.10.25"),
        tags=["alice@example.com"],
    )
    stages = fake_stages({"pii.json": [hostile]}, store=store)
    stages.make_redactor = _redactor_factory()
    report = capture_tickets(kb, [Path("pii.json")], CaptureOptions(branch=False), stages=stages)

    assert len(report.created) == 1
    written = "\n".join(data.decode("utf-8") for data in article_files(kb).values())
    written += "\n" + repr(store.records)
    leaked = [
        s for s in SENSITIVE if s in written or s.replace(" ", "") in written.replace(" ", "")
    ]
    assert leaked == []
    # The tokens stay readable: escaped in Markdown, plain in the front-matter.
    assert "\\[phone\\]" in written and "\\[email\\]" in written
    assert "title: Login fails for [name] ([phone])" in written
    assert "redactions:" in written and "email:" in written
