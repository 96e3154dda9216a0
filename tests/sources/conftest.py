"""Fixtures for the sources tests: where the hand-written exports live, and a read-everything helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbgen.models import Ticket
from kbgen.sources import ReadReport, read_tickets

ReadAll = Callable[..., tuple[list[Ticket], ReadReport]]


def _read_all(path: Path, **options: Any) -> tuple[list[Ticket], ReadReport]:
    stream = read_tickets(path, **options)
    tickets = list(stream)
    return tickets, stream.report


@pytest.fixture
def read_all() -> ReadAll:
    return _read_all


@pytest.fixture
def fixtures() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "tickets"


@pytest.fixture
def sgcc_mapping() -> Path:
    root = Path(__file__).resolve().parents[2]
    return root / "kbgen" / "scaffold" / "site_config" / "sources" / "sgcc.yml"
