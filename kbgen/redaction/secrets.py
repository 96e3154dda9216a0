"""Detectors for secrets: passwords in prose, auth headers, provider tokens, private keys.

A keyword detector keeps the keyword and redacts only the value
(``password: [secret]``). Values that are already masked or are placeholders
(``ph_technical``, ``****``, ``<password>``, ``${DB_PASS}``) are not secrets.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from kbgen.redaction.kinds import PLACEHOLDER_RE, TOKEN_RE

Span = tuple[int, int, str]

PEM_BLOCK = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----"
    r".*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?=\n[ \t]*\n)|\Z)",
    re.DOTALL,
)
# Provider prefixes, after gitleaks' rules (translated to Python re).
PROVIDER_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:"
    r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])"
    r"|gh[pousr]_[A-Za-z0-9]{36,255}"
    r"|github_pat_[A-Za-z0-9_]{22,255}"
    r"|gl(?:pat|ptt|dt|rt|oas|cbt|soat|ffct|imt)-[A-Za-z0-9_\-]{20,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_\-]{20,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|npm_[A-Za-z0-9]{36}"
    r"|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"
    r"|SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"
    r"|eyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*"
    r")"
)
SLACK_WEBHOOK = re.compile(r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_\-]{20,}")
URL_CREDENTIALS = re.compile(
    r"(?i)(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{1,15}://([^/\s:@\[\]]+:[^/\s@\[\]]+)@"
)
AUTH_HEADER = re.compile(
    r"(?i)(?<![A-Za-z0-9\-])(?:proxy-)?authorization[ \t]*[:=][ \t]*"
    r"(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey|sso-key)[ \t]+)?([^\s\"']+)"
)
BEARER = re.compile(r"(?<![A-Za-z0-9])(?:Bearer|bearer|BEARER)[ \t]+([A-Za-z0-9\-._~+/]{16,}=*)")
BASIC = re.compile(r"(?<![A-Za-z])Basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])")

_PASSWORD_WORDS = r"password|passwd|passphrase|pass|pwd|db_pass"
_KEY_WORDS = (
    r"secret|client[_\-]?secret|api[_\-]?key|apikey|access[_\-]?key(?:[_\-]?id)?"
    r"|secret[_\-]?(?:access[_\-]?)?key|private[_\-]?key|auth[_\-]?token|access[_\-]?token"
    r"|refresh[_\-]?token|token|session[_\-]?id|account[_\-]?key|shared[_\-]?access[_\-]?key"
)
# Case-sensitive on purpose: under IGNORECASE the non-ASCII range would also exclude
# "k" and "s" (they case-fold to the Kelvin sign and the long s).
_VALUE = (
    r"""(?-i:"([^"\n]{1,200})"|'([^'\n]{1,200})'|`([^`\n]{1,200})`|([^\s,;&<>"'\u0080-\uffff]+))"""
)
# ``password: x``, ``pwd=x``, ``password is x``, ``--password x``.
KEYWORD_VALUE = re.compile(
    r"(?i)(?<![A-Za-z0-9])(?:(" + _PASSWORD_WORDS + r")|(" + _KEY_WORDS + r"))s?(?![A-Za-z0-9])"
    r"(?:[ \t]*(?::|=|=>|->|为|是)[ \t]*|[ \t]+(is|was|are)[ \t]+)" + _VALUE
)
# ``密码：Abc12345``, ``口令为 Passw0rd``, ``新密码是abc123``.
ZH_KEYWORD_VALUE = re.compile(
    r"(?:密码|密碼|口令|秘钥|密钥|私钥|令牌)[ \t]*(?:为|為|是|:|=)[ \t]*" + _VALUE
)
# ``root/Passw0rd!23`` near 账号 / 用户 / login (before or after it).
USER_SLASH_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9._\-/])[A-Za-z0-9._\-]{2,32}/([^\s/,;，。、]{6,64})(?![^\s,;，。、])"
)
_LOGIN_CONTEXT = re.compile(
    r"(?i)账号|帐号|账户|帐户|用户|登录|登陆|(?<![A-Za-z])(?:login|user(?:name)?|account|credentials?)(?![A-Za-z])"
)
CLI_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9\-])--?(?:password|passwd|pass|token|api-key)[ =]([^\s\-][^\s]*)"
)

_NOT_A_VALUE = {
    "null", "none", "empty", "blank", "required", "optional", "true", "false", "yes", "no", "not",
    "reset", "expired", "changed", "incorrect", "invalid", "wrong", "correct", "same", "unknown",
    "hidden", "masked", "redacted", "set", "unset", "the", "a", "an", "is", "was", "policy",
    "field", "prompt", "missing", "locked", "n/a", "na", "tbd", "see", "attached", "below", "above",
}  # fmt: skip
_PLACEHOLDER_VALUE = re.compile(
    r"^(?:[*xX•#.\-_?]+|<[^<>]*>|\{\{?[^{}]*\}\}?|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]*%?|%s)$"
)
_CALL = re.compile(r"^[A-Za-z_][\w.]*\(.*\)?;?$")
_PROSE_AFTER = re.compile(r" [a-z]+(?: |$)")
_AUTH_SCHEMES = {"bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey", "sso-key"}


# Cheap substring checks that gate each detector: most ticket text contains none.
_PROVIDER_NEEDLES = (
    "akia", "asia", "abia", "acca", "a3t", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "glptt-", "gldt-", "glrt-", "gloas-", "glcbt-", "glsoat-", "glffct-", "glimt-",
    "xox", "sk-", "sk_", "rk_", "pk_", "aiza", "npm_", "pypi-", "sg.", "eyj",
)  # fmt: skip
_KEYWORD_NEEDLES = ("pass", "pwd", "secret", "key", "token", "session")
_ZH_NEEDLES = ("密码", "密碼", "口令", "秘钥", "密钥", "私钥", "令牌")
_LOGIN_NEEDLES = (
    "账号", "帐号", "账户", "帐户", "用户", "登录", "登陆", "login", "user", "account", "credential",
)  # fmt: skip
_CLI_NEEDLES = ("-pass", "-token", "-api-key")


def _any_in(lowered: str, needles: tuple[str, ...]) -> bool:
    return any(needle in lowered for needle in needles)


def find_secrets(text: str, lowered: str | None = None) -> Iterator[Span]:
    """Spans of secrets in a detection copy; keyword detectors cover only the value."""
    lowered = text.lower() if lowered is None else lowered
    if "-----BEGIN" in text:
        for m in PEM_BLOCK.finditer(text):
            yield m.start(), m.end(), "secret"
    if _any_in(lowered, _PROVIDER_NEEDLES):
        for m in PROVIDER_TOKEN.finditer(text):
            if _has_letter_and_digit(m.group()):
                yield m.start(), m.end(), "secret"
    if "://" in text:
        for m in URL_CREDENTIALS.finditer(text):
            if not _is_placeholder(m.group(1).split(":", 1)[1]):
                yield m.start(1), m.end(1), "credentials"
        for m in SLACK_WEBHOOK.finditer(text):
            yield m.start(), m.end(), "secret"
    if "authorization" in lowered:
        for m in AUTH_HEADER.finditer(text):
            if not _is_placeholder(m.group(1)) and m.group(1).lower() not in _AUTH_SCHEMES:
                yield m.start(1), m.end(1), "secret"
    if "bearer" in lowered:
        for m in BEARER.finditer(text):
            yield m.start(1), m.end(1), "secret"
    if "Basic" in text:
        for m in BASIC.finditer(text):
            if _is_basic_credential(m.group(1)):
                yield m.start(1), m.end(1), "secret"
    if _any_in(lowered, _KEYWORD_NEEDLES):
        yield from _keyword_values(text)
    if _any_in(text, _ZH_NEEDLES):
        yield from _zh_keyword_values(text)
    if "/" in text and _any_in(lowered, _LOGIN_NEEDLES):
        for m in USER_SLASH_PASSWORD.finditer(text):
            value = m.group(1).rstrip(".:)]}?")
            near = text[max(0, m.start() - 24) : m.end() + 12]
            if not _LOGIN_CONTEXT.search(near) or "://" in near:
                continue
            if _looks_like_password(value) and not _is_placeholder(value):
                yield m.start(1), m.start(1) + len(value), "secret"
    if _any_in(lowered, _CLI_NEEDLES):
        for m in CLI_PASSWORD.finditer(text):
            value = m.group(1).rstrip(".,:;)]}?")
            if value and not _is_placeholder(value):
                yield m.start(1), m.start(1) + len(value), "secret"


def _keyword_values(text: str) -> Iterator[Span]:
    for m in KEYWORD_VALUE.finditer(text):
        is_password = m.group(1) is not None
        with_verb = m.group(3) is not None
        start, end = _value_span(m, first_group=4)
        value = text[start:end]
        if not value or _is_placeholder(value) or _CALL.match(value):
            continue
        if value.lower() in _NOT_A_VALUE:
            continue
        keyword = (m.group(1) or "").lower()
        # Bare "pass" is also the opposite of "fail" ("Test pass: 5 of 6"); "PWD: /home/x" is a directory.
        if keyword == "pass" and not _looks_like_password(value):
            continue
        if keyword == "pwd" and value.startswith(("/", "~")):
            continue
        # "Password: how to reset it" is a heading, not a password: a lowercase word followed
        # by more lowercase words reads as prose.
        if value.isalpha() and value.islower() and _PROSE_AFTER.match(text, end):
            continue
        # "password is expired" is prose; "token = input.next()" is code. Demand a secret's shape.
        if (with_verb or not is_password) and not _looks_like_secret(value, strict=not is_password):
            continue
        yield start, end, "secret"


def _zh_keyword_values(text: str) -> Iterator[Span]:
    for m in ZH_KEYWORD_VALUE.finditer(text):
        start, end = _value_span(m, first_group=1)
        value = text[start:end]
        if value and not _is_placeholder(value) and value.lower() not in _NOT_A_VALUE:
            yield start, end, "secret"


def _value_span(m: re.Match[str], *, first_group: int) -> tuple[int, int]:
    for group in range(first_group, first_group + 4):
        if m.group(group) is not None:
            start, end = m.start(group), m.end(group)
            if group == first_group + 3:  # unquoted: drop sentence punctuation
                value = m.group(group)
                end = start + len(value.rstrip(".,:;)]}?"))
            return start, end
    return m.end(), m.end()


def _is_placeholder(value: str) -> bool:
    value = value.strip()
    if TOKEN_RE.fullmatch(value) or TOKEN_RE.match(value):
        return True
    if PLACEHOLDER_RE.match(value):
        return True
    return bool(_PLACEHOLDER_VALUE.match(value))


def _has_letter_and_digit(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _looks_like_password(value: str) -> bool:
    """A digit or symbol next to letters, or mixed case: not an ordinary word or path part."""
    has_alpha = any(c.isalpha() for c in value)
    has_other = any(not c.isalpha() for c in value)
    mixed = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return has_alpha and (has_other or mixed) and not value.isdigit()


def _looks_like_secret(value: str, *, strict: bool) -> bool:
    if not strict:
        return len(value) >= 4 and _looks_like_password(value)
    if len(value) < 8 or not re.fullmatch(r"[A-Za-z0-9+/=_.~\-]+", value):
        return False
    return _has_letter_and_digit(value) or len(value) >= 20


def _is_basic_credential(value: str) -> bool:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded
