"""Field notes §7 item 23: secrets in prose; the keyword stays, the value goes."""

from __future__ import annotations

import pytest

from kbgen.redaction import Redactor, scan_text

PEM = (
    "Key:\n\n\\-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Vd2\\+Qk\nAbCdEf0123==\n"
    "\\-----END RSA PRIVATE KEY-----\n\nThen restart."
)

SECRET_CASES = [
    ("password: hunter2", "password: \\[secret\\]"),
    ("Password = 'hunter2' then", "Password = '\\[secret\\]' then"),
    ("db\\_pass=Zx8#kq2LmP; next", "db\\_pass=\\[secret\\]; next"),
    ("the password is Tr0ub4dor now", "the password is \\[secret\\] now"),
    ("pwd=s3cr3t&user=bob", "pwd=\\[secret\\]&user=bob"),
    ("password为Abc123!", "password为\\[secret\\]"),
    ("password: secret", "password: \\[secret\\]"),
    ("password: hunter2 and more", "password: \\[secret\\] and more"),
    ("数据库密码：Abc12345xyz", "数据库密码：\\[secret\\]"),
    ("密码：Abc123", "密码：\\[secret\\]"),
    ("初始口令为Passw0rd!，请修改", "初始口令为\\[secret\\]，请修改"),
    ("用 root/Passw0rd!23 登录", "用 root/\\[secret\\] 登录"),
    ("login admin/Adm1n\\_2019 failed", "login admin/\\[secret\\] failed"),
    (
        "Authorization: Bearer 0123456789abcdef0123456789abcdef",
        "Authorization: Bearer \\[secret\\]",
    ),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic \\[secret\\]"),
    ("curl -H 'Bearer abcdefABCDEF0123456789'", "curl -H 'Bearer \\[secret\\]'"),
    ("key AKIAIOSFODNN7EXAMPLE here", "key \\[secret\\] here"),
    ("token ghp\\_0123456789abcdefghijABCDEFGHIJ012345", "token \\[secret\\]"),
    ("glpat-0123456789abcdefABCD and xoxb-1234567890-abcdefghij", "\\[secret\\] and \\[secret\\]"),
    ("OPENAI sk-proj-0123456789abcdefABCDEFxyz", "OPENAI \\[secret\\]"),
    ("api\\_key=sk\\_live\\_0123456789abcdefABCD", "api\\_key=\\[secret\\]"),
    ("secret=9f8e7d6c5b4a3210", "secret=\\[secret\\]"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N\\_XgL0n3I9",
        "jwt \\[secret\\]",
    ),
    ("connect to https://admin:s3cret@db.example.com/x", "connect to https://\\[credentials\\]/x"),
    ("mysql --password=Sup3r5ecret -h db", "mysql --password=\\[secret\\] -h db"),
    (PEM, "Key:\n\n\\[secret\\]\n\nThen restart."),
]


@pytest.mark.parametrize(("markdown", "expected"), SECRET_CASES)
def test_secrets_in_prose(markdown: str, expected: str) -> None:
    redacted = Redactor().redact(markdown)
    assert redacted.text == expected
    assert scan_text(redacted.text) == []


NOT_SECRETS = [
    "the password is expired",
    "the password was reset by admin",
    "Token token = input.next();",
    "token: the lexer emits one token per word",
    "password : ph\\_technical",
    "password: \\*\\*\\*\\*",
    "password: &lt;your-password&gt;",
    "set DB\\_PASSWORD=${DB\\_PASSWORD} in the unit",
    "String password = getPassword();",
    "数据库用户密码过期，导致应用无法连接数据库",
    "系统提示“账号或密码不正确”",
    "Basic authentication is enabled",
    "Test pass: 5 of 6",
    "Password: how to reset it",
    'title: "Reset password: step by step"',
    "PWD: /home/user",
    "Authorization: Bearer",
    "see src/main/java/org/apache/lucene/Foo.java for the user",
]


@pytest.mark.parametrize("markdown", NOT_SECRETS)
def test_prose_about_passwords_is_kept(markdown: str) -> None:
    assert Redactor().redact(markdown).text == markdown
