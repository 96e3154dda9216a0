"""scan_text: the independent re-scan used by `kbgen check` and the site leak scan."""

from __future__ import annotations

from kbgen.redaction import Finding, scan_text

ARTICLE = (
    "# Title\n"
    "\n"
    "Contact jane@example.com or call 13812345678 today, password: hunter2 ok.\n"
    "<p>Server <code>10.1.2.3</code> on wiki.corp.example.com &amp; 帐号ctxadmin@yzd.sgcc.com无法</p>\n"
    "ph_user and \\[email\\] and [ip] are fine"
)


def test_findings_have_positions_and_masked_excerpts() -> None:
    findings = scan_text(ARTICLE, internal_hosts=["corp.example.com"])
    assert [str(f) for f in findings] == [
        "3:9: email: Contact [email] or call [phone] today,…",
        "3:34: phone: Contact [email] or call [phone] today, password: [secret]…",
        "3:63: secret: …[phone] today, password: [secret] ok.",
        "4:17: ip: <p>Server <code>[ip]</code> on [internal-host]…",
        "4:36: internal-host: …er <code>[ip]</code> on [internal-host] &amp; 帐号[email]无法</p>",
        "4:66: email: …[internal-host] &amp; 帐号[email]无法</p>",
    ]
    assert findings[0] == Finding("email", 3, 9, "Contact [email] or call [phone] today,…")


def test_excerpts_never_contain_the_secret() -> None:
    secrets = ["jane@example.com", "13812345678", "hunter2", "10.1.2.3", "ctxadmin", "wiki.corp"]
    for finding in scan_text(ARTICLE, internal_hosts=["corp.example.com"]):
        assert not any(s in finding.excerpt for s in secrets), finding


def test_html_entities_and_json_text_are_seen_through() -> None:
    html = "<td>mail&#58; bob&#64;example.com</td><td>&#49;3812345678</td>"
    assert [(f.kind, f.column) for f in scan_text(html)] == [("email", 15), ("phone", 43)]


def test_clean_text_has_no_findings() -> None:
    assert scan_text("") == []
    assert scan_text("Restart the spooler on Windows 10 (build 19045.3693), then retry.") == []


def test_many_findings_on_one_line() -> None:
    line = " ".join(f"user{i}@example.com" for i in range(1000))
    findings = scan_text(line)
    assert len(findings) == 1000
    assert findings[500] == Finding(
        "email", 1, line.index("user500@") + 1, "…" + " ".join(["[email]"] * 7) + "…"
    )
