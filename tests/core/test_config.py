from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.config import Config, config_from_dict, load_config
from kbgen.exceptions import ConfigError


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_values_are_read_into_typed_sections(tmp_path: Path) -> None:
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "kbgen.yml").write_text(
        "kb:\n  id_prefix: IT\ncapture:\n  link_threshold: 1\nredaction:\n  internal_hosts: [corp.example.com]\n"
    )
    config = load_config(tmp_path)
    assert config.kb.id_prefix == "IT"
    assert config.capture.link_threshold == 1
    assert config.redaction.internal_hosts == ["corp.example.com"]
    assert config.review.forge == "none"


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(
            {
                "kb": {"id_prefix": 3, "colour": "red"},
                "capture": {"no_resolution": "maybe", "merge_threshold": True},
                "review": {"forge": "bitbucket"},
                "extra": {},
            },
            "kbgen.yml",
        )
    assert err.value.message.splitlines() == [
        "kbgen.yml: unknown section 'extra' (known: kb, capture, redaction, review, site, stats, loop, search)",
        "kbgen.yml: 'kb.id_prefix' must be text, got 3",
        "kbgen.yml: unknown key 'kb.colour'",
        "kbgen.yml: 'capture.no_resolution' must be one of wip, skip, got 'maybe'",
        "kbgen.yml: 'capture.merge_threshold' must be a number, got True",
        "kbgen.yml: 'review.forge' must be one of none, github, gitlab, got 'bitbucket'",
    ]


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "site_config").mkdir()
    path = tmp_path / "site_config" / "kbgen.yml"
    path.write_text("kb: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert err.value.message.startswith(f"{path}: not valid YAML:")
