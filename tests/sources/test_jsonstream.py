"""The streaming JSON walker gives the same items as json.load, wherever read boundaries fall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbgen.sources import jsonstream
from kbgen.sources.jsonstream import JsonDocument

DOCUMENT = {
    "startAt": 0,
    "total": 3,
    "issues": [
        {
            "key": "A-1",
            "n": 1234567890,
            "f": 3.5e10,
            "t": True,
            "x": False,
            "z": None,
            "s": 'quote " and \\ \u00e9 \U0001f600',
        },
        {"key": "A-2", "nested": {"list": [1, [2, [3]], {"a": "b"}]}, "empty": [], "obj": {}},
        {"key": "A-3", "long": "y" * 500},
    ],
    "after": "tail value",
}


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_items_match_json_load_at_any_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(jsonstream, "READ_CHUNK", chunk)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(DOCUMENT, indent=1, ensure_ascii=False), encoding="utf-8")
    doc = JsonDocument(path, ("issues",))
    items = [item.value for item in doc.items()]
    assert items == DOCUMENT["issues"]
    assert {k: v for k, v in doc.envelope.items() if k != "_arrays"} == {
        "startAt": 0,
        "total": 3,
        "after": "tail value",
    }


@pytest.mark.parametrize("chunk", [1, 5, 64])
def test_top_level_array(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(jsonstream, "READ_CHUNK", chunk)
    path = tmp_path / "arr.json"
    path.write_text(json.dumps(DOCUMENT["issues"]), encoding="utf-8")
    doc = JsonDocument(path, ())
    assert [item.value for item in doc.items()] == DOCUMENT["issues"]
    assert doc.top_level == "array"
