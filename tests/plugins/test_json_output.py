"""The ``json:`` action on its own: files (JSON and JSON Lines), stdout, check mode, atomicity."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from ovhflow_plugins.json_output import ovhflow_actions, write_json

from ovhflow.files.atomic import TEMP_SUFFIX

DATA = [{"billId": "FR001", "total": 12.5, "label": "Serveur dédié"}, {"billId": "FR002", "total": 3}]


def test_writes_an_indented_document_to_a_file(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.json"
    call = fake_call({"path": target.name, "data": DATA})
    assert write_json(call) == {"path": target.name, "items": 1}
    text = target.read_text(encoding="utf-8")
    assert text == json.dumps(DATA, ensure_ascii=False, indent=2) + "\n"
    assert "dédié" in text  # UTF-8, not \u escapes
    assert call.outputs == []
    assert call.logs == [f"json: wrote a document to {target.name}"]


def test_json_lines_one_compact_document_per_item(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "bills.jsonl"
    result = write_json(fake_call({"path": target.name, "data": DATA, "lines": True}))
    assert result == {"path": target.name, "items": 2}
    assert target.read_text(encoding="utf-8") == (
        '{"billId": "FR001", "total": 12.5, "label": "Serveur dédié"}\n{"billId": "FR002", "total": 3}\n'
    )


def test_stdout_when_no_path(fake_call) -> None:
    call = fake_call({"data": {"a": [1, 2]}, "indent": 0})
    write_json(call)
    assert call.outputs == ['{"a": [1, 2]}']
    lines = fake_call({"data": DATA[1:] * 2, "lines": True})
    assert write_json(lines) == {"path": None, "items": 2}
    assert lines.outputs == ['{"billId": "FR002", "total": 3}\n{"billId": "FR002", "total": 3}']


def test_empty_json_lines_prints_nothing(fake_call) -> None:
    call = fake_call({"data": [], "lines": True})
    assert write_json(call)["items"] == 0
    assert call.outputs == []


def test_values_json_cannot_encode_become_text(fake_call) -> None:
    call = fake_call({"data": {"when": datetime(2024, 3, 1, tzinfo=timezone.utc)}, "indent": 0})
    write_json(call)
    assert call.outputs == ['{"when": "2024-03-01 00:00:00+00:00"}']


def test_check_mode_writes_nothing(tmp_path: Path, fake_call) -> None:
    call = fake_call({"path": "x.jsonl", "data": DATA, "lines": True}, check=True)
    assert write_json(call) == {"path": "x.jsonl", "items": 2, "planned": True}
    assert call.logs == ["json: would write 2 lines to x.jsonl"]
    assert list(tmp_path.iterdir()) == []


def test_error_keeps_the_previous_file(tmp_path: Path, fake_call) -> None:
    target = tmp_path / "x.jsonl"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a list"):
        write_json(fake_call({"path": target.name, "data": {"not": "a list"}, "lines": True}))
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)] == []


def test_action_spec() -> None:
    (spec,) = ovhflow_actions()
    assert spec.name == "json"
    assert spec.schema["required"] == ["data"]
    assert spec.lazy == frozenset()
