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

from kbgen.exceptions import ConfigError

CONFIG_NAME = "kbgen.yml"


@dataclass
class KbSection:
    """Identity of the knowledge base."""

    id_prefix: str = "KB"  # article ids look like KB-0042
    default_language: str = "en"
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
    # Only tickets whose resolution is positive are drafted; set false to draft every resolved ticket.
    require_positive_resolution: bool = True
    # A ticket with no public resolution: "wip" writes a draft with a visible marker, "skip" skips it.
    no_resolution: str = "wip"
    default_type: str = "troubleshooting"
    # Similarity (0-1) above which a ticket is linked to an existing article instead of drafted.
    link_threshold: float = 0.55
    # Similarity (0-1) above which tickets in one batch are merged into a single draft.
    merge_threshold: float = 0.8
    # Branch per draft when the KB has a remote (None = decide from the remote).
    branch: bool | None = None


@dataclass
class RedactionSection:
    """Extra redaction rules on top of the built-in detectors."""

    internal_hosts: list[str] = field(
        default_factory=list
    )  # e.g. ["corp.example.com", "yzd.sgcc.com"]
    terms: list[str] = field(default_factory=list)  # literal words to redact everywhere
    allow: list[str] = field(default_factory=list)  # literal strings the re-scan must not flag


@dataclass
class ReviewSection:
    """Forge used for pull requests: none, github or gitlab."""

    forge: str = "none"
    repository: str = ""  # "owner/name" on GitHub, "group/project" on GitLab
    api_url: str = ""  # default https://api.github.com or https://gitlab.com/api/v4
    token_env: str = ""  # default GITHUB_TOKEN or GITLAB_TOKEN
    remote: str = "origin"


@dataclass
class SiteSection:
    """Published site options."""

    collector_url: str = ""  # "" = no beacons; "/api/events" when served by `kbgen serve`
    show_stats: bool = False  # show views and helpful share on public article pages
    internal: bool = False  # internal site: adds the stats dashboard, KPI and backlog pages
    popular_limit: int = 20
    recent_limit: int = 20


@dataclass
class StatsSection:
    """Usage collection."""

    retention_days: int = 400
    cors_origins: list[str] = field(default_factory=list)
    rate_limit_per_minute: int = 60
    url: str = ""  # "" = .kbgen/stats.sqlite; "postgresql://..." (env KBGEN_STATS_URL wins)
    trusted_proxies: list[str] = field(default_factory=list)  # proxy IPs whose X-Forwarded-For is believed


@dataclass
class LoopSection:
    """Thresholds for `kbgen gaps`."""

    stale_after_days: int = 365
    unhelpful_share: float = 0.5
    min_votes: int = 5
    retire_after_days: int = 540
    validate_after_links: int = 3


@dataclass
class Config:
    kb: KbSection = field(default_factory=KbSection)
    capture: CaptureSection = field(default_factory=CaptureSection)
    redaction: RedactionSection = field(default_factory=RedactionSection)
    review: ReviewSection = field(default_factory=ReviewSection)
    site: SiteSection = field(default_factory=SiteSection)
    stats: StatsSection = field(default_factory=StatsSection)
    loop: LoopSection = field(default_factory=LoopSection)


_CHOICES = {
    ("capture", "no_resolution"): ("wip", "skip"),
    ("capture", "default_type"): ("troubleshooting", "howto", "known_error"),
    ("kb", "default_language"): ("en", "zh"),
    ("review", "forge"): ("none", "github", "gitlab"),
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
