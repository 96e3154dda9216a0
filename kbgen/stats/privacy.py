"""Privacy by design: keyed daily visitor hashes, bot filtering, and scrubbing user text.

* A visitor is ``HMAC(daily salt, ip, user agent)``. The salt is random, lives
  only in this process's memory and is replaced when the UTC day changes, so
  yesterday's hashes can be neither linked nor reversed (an unkeyed hash of an
  IPv4 address falls to brute force over 2**32).
* Raw IP addresses and user agents are read from the request, hashed, and
  dropped. Nothing here logs them.
* Search queries and feedback comments are user free text and often carry an
  email address or a phone number: they are NFKC-normalised, stripped of
  control characters, length-capped and redacted before storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from kbgen.redaction import Redactor

QUERY_MAX_CHARS = 100
COMMENT_MAX_CHARS = 1000


def today() -> str:
    """The UTC day events are counted under; ``KBGEN_TODAY`` pins it for tests and demos."""
    return os.environ.get("KBGEN_TODAY") or dt.datetime.now(dt.UTC).date().isoformat()


class DailySalt:
    """A random key per UTC day, held in memory only and forgotten at rotation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day = ""
        self._key = b""

    def key_for(self, day: str) -> tuple[bytes, bool]:
        """The key for ``day`` and whether it was just rotated."""
        with self._lock:
            rotated = day != self._day
            if rotated:
                self._day = day
                self._key = secrets.token_bytes(32)  # the old key is dropped here, never written
            return self._key, rotated

    def visitor(self, day: str, ip: str, user_agent: str, site: str = "") -> tuple[str, bool]:
        key, rotated = self.key_for(day)
        message = "\x00".join((site, ip, user_agent)).encode("utf-8", "replace")
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32], rotated


# --- bots ------------------------------------------------------------------------

# Curated from monperrus/crawler-user-agents (MIT) and real access logs: the
# families that show up on intranet help sites, plus the generic words that
# catch the long tail. One alternation, compiled once, matched with search().
BOT_PATTERNS = (
    r"bot\b", r"bot/", r"bot-", r"crawl", r"spider", r"slurp", r"archiver", r"scrap",
    r"googlebot", r"adsbot-google", r"mediapartners-google", r"apis-google", r"google-inspectiontool",
    r"googleother", r"feedfetcher", r"bingbot", r"bingpreview", r"msnbot", r"yandex", r"baiduspider",
    r"duckduckbot", r"sogou", r"360spider", r"bytespider", r"petalbot", r"applebot", r"facebookexternalhit",
    r"facebot", r"twitterbot", r"linkedinbot", r"slackbot", r"discordbot", r"telegrambot",
    r"whatsapp", r"skypeuripreview", r"embedly", r"ahrefs", r"semrush", r"mj12bot", r"dotbot",
    r"gptbot", r"chatgpt-user", r"oai-searchbot", r"claudebot", r"claude-web", r"anthropic-ai",
    r"perplexitybot", r"ccbot", r"amazonbot", r"ia_archiver", r"heritrix", r"nutch", r"httrack",
    r"wget", r"curl/", r"libwww-perl", r"python-requests", r"python-urllib", r"python-httpx",
    r"aiohttp", r"httpx", r"go-http-client", r"java/", r"okhttp", r"apache-httpclient", r"axios/",
    r"node-fetch", r"postmanruntime", r"insomnia", r"headlesschrome", r"phantomjs", r"puppeteer",
    r"playwright", r"selenium", r"lighthouse", r"pingdom", r"uptimerobot", r"statuscake",
    r"site24x7", r"newrelicpinger", r"datadog", r"nagios", r"zabbix", r"check_http", r"monitor",
    r"preview", r"validator", r"linkcheck", r"w3c_", r"feed", r"rss", r"scan", r"masscan",
    r"nmap", r"zgrab", r"nikto", r"sqlmap", r"censys", r"shodan",
)  # fmt: skip
_BOT_RE = re.compile("|".join(BOT_PATTERNS), re.IGNORECASE)


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for crawlers, scripts, monitors and empty user agents (``-`` in logs)."""
    ua = user_agent.strip()
    return not ua or ua == "-" or _BOT_RE.search(ua) is not None


def is_prefetch(headers: dict[str, str]) -> bool:
    """Speculative loads the person never saw: Chrome's Sec-Purpose, Firefox/Safari's Purpose."""
    for name in ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ"):
        value = headers.get(name, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return True
    return False


# --- free text -------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\u200b]")
_SPACES = re.compile(r"\s+")
# Addresses are personal data: scrub them whatever the redactor does.
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])|::ffff:[\d.]+")
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s()-]{5,}\d(?![\w])")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean_user_text(text: str, max_chars: int) -> str:
    """NFKC, control characters removed, whitespace collapsed, capped at ``max_chars``."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:max_chars].strip()


def user_text_redactor(
    internal_hosts: Iterable[str] = (), terms: Iterable[str] = (), allow: Iterable[str] = ()
) -> Callable[[str], str]:
    """A function that redacts emails, phone numbers, IP addresses and the KB's own terms."""
    redactor = Redactor(internal_hosts=internal_hosts, terms=terms, allow=allow, markdown=False)

    def redact(text: str) -> str:
        return scrub_addresses(redactor.redact(text).text)

    return redact


def scrub_addresses(text: str) -> str:
    """Emails, phone numbers and IP addresses, always: a public endpoint's last line of defence."""
    text = _EMAIL.sub("[email]", text)
    text = _IPV4.sub("[ip]", text)
    text = _IPV6.sub("[ip]", text)
    return _PHONE.sub(_phone_or_keep, text)


@cache
def _default_redactor() -> Callable[[str], str]:
    return user_text_redactor()


def redact_user_text(text: str) -> str:
    """Visitor text with the built-in rules only (no KB terms); the redactor is built on first use."""
    return _default_redactor()(text)


def _phone_or_keep(match: re.Match[str]) -> str:
    """7 to 15 digits is a phone number (E.164 caps at 15); an ISO date is not."""
    digits = sum(ch.isdigit() for ch in match.group())
    if 7 <= digits <= 15 and not _ISO_DAY.fullmatch(match.group().strip()):
        return "[phone]"
    return match.group()
