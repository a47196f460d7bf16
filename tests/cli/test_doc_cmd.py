"""`ovhflow doc ACTION`: an action's options, generated from its schema (as `ansible-doc csv`)."""

from __future__ import annotations

from pathlib import Path

from tests.cli_invoke import invoke

PLUGIN = """
from ovhflow import hookimpl
from ovhflow.plugin_api import ActionSpec

SCHEMA = {
    "type": "object",
    "required": ["host"],
    "properties": {
        "host": {"type": "string", "description": "The host to ping."},
        "count": {"type": "integer", "default": 3, "description": "How many pings."},
    },
}


@hookimpl
def ovhflow_actions():
    return [ActionSpec("ping", lambda call: None, SCHEMA, {"timeout": {"type": "number"}},
                       description="Ping a host.")]
"""


def _flat(text: str) -> str:
    return " ".join(text.split())  # the help formatter wraps long lines


def test_doc_lists_each_option_with_type_default_and_description() -> None:
    result = invoke("doc", "csv")
    assert result.exit_code == 0, result.stderr
    text = _flat(result.stdout)
    assert text.startswith("csv (csv): Export a list to a CSV file")
    assert "path a string; required. File to write (UTF-8), in the output folder (run --output-dir)." in text
    assert 'delimiter a string; default ",".' in text
    assert "append true or false or a string; default false. Add rows to an existing file" in text
    assert "sort a string or a list. Column header(s) to sort the rows by" in text


def test_doc_of_an_http_action_shows_its_value_and_the_keys_beside_it() -> None:
    text = _flat(invoke("doc", "get").stdout)
    assert "Value (get: ...): a string; required. API path" in text
    assert "query a mapping or a {{ template }}. Query string parameters" in text
    assert "Any step also takes: id, name, when, loop" in text


def test_doc_of_a_plugin_action_comes_from_its_schema(tmp_path: Path) -> None:
    (tmp_path / "pinger.py").write_text(PLUGIN)
    result = invoke("doc", "--plugins-dir", str(tmp_path), "ping")
    assert result.exit_code == 0, result.stderr
    text = _flat(result.stdout)
    assert text.startswith("ping (pinger): Ping a host.")
    assert "host a string; required. The host to ping." in text
    assert "count an integer; default 3. How many pings." in text
    assert "timeout a number." in text
    listing = _flat(invoke("doc", "--plugins-dir", str(tmp_path)).stdout)
    assert "ping Ping a host. [pinger]" in listing and "csv Export a list to a CSV file" in listing


def test_doc_of_an_unknown_action_suggests_one() -> None:
    result = invoke("doc", "cvs")
    assert result.exit_code == 2
    assert result.stderr == "error: no action 'cvs' (did you mean 'csv'?)\n"
