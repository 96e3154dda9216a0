"""The KB's configuration: ``site_config/kbgen.yml`` validated into typed sections.

Every key has a default, so an empty file is a valid configuration. All errors
are collected and reported at once (like MkDocs' ``load_config``), each naming
the file and the dotted key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml

from kbgen.article_types import DEFAULT_TYPE, TYPE_NAMES
from kbgen.exceptions import ConfigError

CONFIG_NAME = "kbgen.yml"


@dataclass
class KbSection:
    """Identity of the knowledge base."""

    # Prefix of article ids: KB gives KB-0042.
    id_prefix: str = "KB"
    # Language of drafts when a ticket's language cannot be detected (en or zh).
    default_language: str = "en"
    # The branch the published site is built from; drafts branch off it.
    base_branch: str = "main"


@dataclass
class CaptureSection:
    """What capture drafts, links or skips."""

    # Vendor resolution words that count as a positive resolution (case-insensitive).
    positive_resolutions: list[str] = field(
        default_factory=lambda: [
            "fixed",
            "done",
            "resolved",
            "solved",
            "solved (permanently)",
            "solved (work around)",
            "closed/resolved by caller",
            "resolved by caller",
            "complete",
            "completed",
            "workaround",
            "answered",
            "已解决",
            "已处理",
            "已完成",
            "已修复",
        ]
    )
    # Draft only tickets with a positive resolution; false drafts every closed ticket.
    require_positive_resolution: bool = True
    # A ticket with no public resolution: wip writes a draft with a visible marker, skip skips it.
    no_resolution: str = "wip"
    # Article type for tickets that do not say (troubleshooting, howto or known_error).
    default_type: str = DEFAULT_TYPE
    # Similarity (0-1) above which a ticket is linked to an existing article instead of
    # drafted. Raise it (e.g. 0.85) for exports written from one template, like outage reports.
    link_threshold: float = 0.55
    # Similarity (0-1) above which tickets in one batch are merged into a single draft.
    merge_threshold: float = 0.8
    # Branch per draft (true) or drafts in the work tree (false); unset: branches when the KB
    # has a remote.
    branch: bool | None = None


@dataclass
class RedactionSection:
    """Extra redaction rules on top of the built-in detectors."""

    # Host names that must never be published, with their subdomains (e.g. corp.example.com).
    internal_hosts: list[str] = field(default_factory=list)
    # Literal words or phrases to redact everywhere (project code names, customer names).
    terms: list[str] = field(default_factory=list)
    # Literal strings that are never redacted and that the re-scan must not flag.
    allow: list[str] = field(default_factory=list)


@dataclass
class ReviewSection:
    """Forge used for pull requests: none, github or gitlab."""

    # none (push and print the next steps), github or gitlab.
    forge: str = "none"
    # The project on the forge: owner/name on GitHub, group/project on GitLab.
    repository: str = ""
    # API root; default https://api.github.com or https://gitlab.com/api/v4.
    api_url: str = ""
    # Environment variable holding the token; default GITHUB_TOKEN or GITLAB_TOKEN.
    token_env: str = ""
    # The git remote that review branches are pushed to.
    remote: str = "origin"


@dataclass
class SiteSection:
    """Published site options."""

    # Where the site sends usage beacons: "" sends none; /api/events under `kbgen serve`.
    collector_url: str = ""
    # Show views and helpful share on public article pages.
    show_stats: bool = False
    # Internal site: adds the stats dashboard, KPI and backlog pages.
    internal: bool = False
    # How many articles the Popular page lists.
    popular_limit: int = 20
    # How many articles the Recently updated page lists.
    recent_limit: int = 20
    # Hosts articles may show images from (the site makes no other external requests).
    image_hosts: list[str] = field(default_factory=list)


@dataclass
class StatsSection:
    """Usage collection."""

    # Days of usage events kept; older ones are pruned.
    retention_days: int = 400
    # Origins allowed to post beacons from another host (CORS); same-origin always works.
    cors_origins: list[str] = field(default_factory=list)
    # Events per visitor per minute before the collector answers 429; 0 turns the limit off.
    rate_limit_per_minute: int = 60
    # "" = .kbgen/stats.sqlite; postgresql://... for a server (env KBGEN_STATS_URL wins).
    url: str = ""
    # Proxy addresses whose X-Forwarded-For header is believed.
    trusted_proxies: list[str] = field(default_factory=list)


@dataclass
class LoopSection:
    """Thresholds for `kbgen gaps` and `kbgen propose`."""

    # An article not updated for this many days counts as stale when it is read a lot.
    stale_after_days: int = 365
    # Helpful share below which an article counts as unhelpful.
    unhelpful_share: float = 0.5
    # Votes an article needs before its helpful share counts.
    min_votes: int = 5
    # Days without use after which an article is proposed for retirement.
    retire_after_days: int = 540
    # Linked tickets after which confidence not_validated is proposed as validated.
    validate_after_links: int = 3


@dataclass
class SearchSection:
    """Server search (`kbgen search`, /api/search) and the findability check."""

    # Engine of the server search: whoosh (the default, pure Python) or sqlite (SQLite FTS5,
    # faster from about 2,000 articles; docs/search.md has the figures).
    backend: str = "whoosh"
    # `kbgen search eval` fails when fewer queries than this share (0-1) find their own
    # article in the top 3.
    eval_floor_top3: float = 0.8
    # The same for the top result alone; 0 turns the check off.
    eval_floor_top1: float = 0.0


@dataclass
class Config:
    kb: KbSection = field(default_factory=KbSection)
    capture: CaptureSection = field(default_factory=CaptureSection)
    redaction: RedactionSection = field(default_factory=RedactionSection)
    review: ReviewSection = field(default_factory=ReviewSection)
    site: SiteSection = field(default_factory=SiteSection)
    stats: StatsSection = field(default_factory=StatsSection)
    loop: LoopSection = field(default_factory=LoopSection)
    search: SearchSection = field(default_factory=SearchSection)


_CHOICES = {
    ("capture", "no_resolution"): ("wip", "skip"),
    ("capture", "default_type"): TYPE_NAMES,
    ("kb", "default_language"): ("en", "zh"),
    ("review", "forge"): ("none", "github", "gitlab"),
    ("search", "backend"): ("whoosh", "sqlite"),
}


def _check_value(expected: Any, value: Any) -> bool:
    origin = get_origin(expected)
    if origin is list:
        (item,) = get_args(expected)
        return isinstance(value, list) and all(_check_value(item, v) for v in value)
    if origin is not None:  # Optional / Union
        return any(_check_value(a, value) for a in get_args(expected))
    if expected is type(None):
        return value is None
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _type_name(expected: Any) -> str:
    origin = get_origin(expected)
    if origin is list:
        return f"a list of {_type_name(get_args(expected)[0])}"
    if origin is not None:
        return " or ".join(_type_name(a) for a in get_args(expected))
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        expected, "null" if expected is type(None) else expected.__name__
    )


def config_from_dict(data: dict[str, Any], source: str = CONFIG_NAME) -> Config:
    errors: list[str] = []
    sections: dict[str, Any] = {}
    known = {f.name: f for f in fields(Config)}
    section_types = get_type_hints(Config)
    for name in data:
        if name not in known:
            errors.append(f"{source}: unknown section '{name}' (known: {', '.join(known)})")
    for name in known:
        section_cls = section_types[name]()
        raw = data.get(name) or {}
        if not isinstance(raw, dict):
            errors.append(f"{source}: '{name}' must be a mapping")
            continue
        hints = get_type_hints(type(section_cls))
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in hints:
                errors.append(f"{source}: unknown key '{name}.{key}'")
                continue
            if not _check_value(hints[key], value):
                errors.append(
                    f"{source}: '{name}.{key}' must be {_type_name(hints[key])}, got {value!r}"
                )
                continue
            choices = _CHOICES.get((name, key))
            if choices and value not in choices:
                errors.append(
                    f"{source}: '{name}.{key}' must be one of {', '.join(choices)}, got {value!r}"
                )
                continue
            values[key] = value
        sections[name] = dataclasses.replace(section_cls, **values)
    if errors:
        raise ConfigError("\n".join(errors))
    return Config(**sections)


def load_config(kb_root: Path) -> Config:
    """Load ``<kb>/site_config/kbgen.yml``; a missing file means all defaults."""
    path = kb_root / "site_config" / CONFIG_NAME
    if not path.exists():
        return Config()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of sections")
    return config_from_dict(data, str(path))
