"""A secret input cannot leave masking by being transformed: it is read only as ``{{ inputs.NAME }}``,
alone between the braces, and never stored where a later template could transform it. Anything else is
refused by ``validate`` and ``run`` with FILE:LINE:COL (exit 2) before any request; what a message step
recorded is masked, so ``steps.<id>.result`` cannot carry the value out either."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.cli_invoke import invoke

SECRET = "hunter2-Very-Secret"
TRANSFORMED = [
    SECRET[::-1],
    SECRET.upper(),
    SECRET.lower(),
    SECRET[1:],
    " ".join(SECRET),
    base64.b64encode(SECRET.encode()).decode(),
    "hunter2%2DVery",
]

HEAD = (
    "name: leak\ninputs:\n  token: {type: string, secret: true}\n  zone: {type: string, default: x}\nsteps:\n"
)

REFUSED = {
    "reverse in print": ('  - print: "{{ inputs.token | reverse }}"\n', 6, 12),
    "upper in log": ('  - log: "t={{ inputs.token | upper }}"\n', 6, 10),
    "slice in a step name": ('  - name: "{{ inputs.token[1:] }}"\n    log: hi\n', 6, 11),
    "join of the characters": ("  - print: \"{{ inputs.token | join(' ') }}\"\n", 6, 12),
    "a loop over the characters": ('  - print: "{% for c in inputs.token %}{{ c }}{% endfor %}"\n', 6, 12),
    "a filter block": ('  - print: "{% filter lower %}{{ inputs.token }}{% endfilter %}"\n', 6, 12),
    "concatenation": ("  - print: \"{{ inputs.token ~ '' }}\"\n", 6, 12),
    "inputs as a whole": ('  - print: "{{ inputs | tojson }}"\n', 6, 12),
    "inputs by a computed key": ("  - print: \"{{ inputs['tok' ~ 'en'] | reverse }}\"\n", 6, 12),
    "a log beside an action": ('  - get: /me\n    log: "{{ inputs.token | urlencode }}"\n', 7, 10),
    "an expression filter": ("  - print: \"{{ [1] | map_expr('inputs.token') | join }}\"\n", 6, 12),
    "an expression filter by name": (
        "  - print: \"{{ [[0]] | map('map_expr', 'inputs.token | upper') | list }}\"\n",
        6,
        12,
    ),
    "an expression filter by name, nested": (
        "  - print: \"{{ [[[0]]] | map('map', 'map_expr', 'inputs.token | list | join') | list }}\"\n",
        6,
        12,
    ),
    "a computed expression": ("  - print: \"{{ [0] | map_expr('inputs.tok' ~ 'en | upper') }}\"\n", 6, 12),
    "an expression by keyword": (
        "  - print: \"{{ [0] | map_expr(expression='inputs.token | upper') }}\"\n",
        6,
        12,
    ),
    "an expression in *args": ("  - print: \"{{ [0] | map_expr(*['inputs.token | upper']) }}\"\n", 6, 12),
    "a filter named by no constant": (
        "  - print: \"{{ [[0]] | map('map' ~ '_expr', 'inputs.token | upper') | list }}\"\n",
        6,
        12,
    ),
    "stored by set": ('  - set: {t: "{{ inputs.token }}"}\n  - print: "{{ t | reverse }}"\n', 6, 14),
    "stored by keep": ('  - get: /me\n    keep: "{{ inputs.token }}"\n', 7, 11),
}


def _write(tmp_path: Path, steps: str) -> Path:
    recipe = tmp_path / "leak.yaml"
    recipe.write_text(HEAD + steps, encoding="utf-8")
    return recipe


def _leaks(text: str) -> list[str]:
    return [form for form in [SECRET, *TRANSFORMED] if form in text]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_secret_input_transformed_or_stored_is_refused_before_any_request(
    sandbox, isolated_env, tmp_path: Path, case: str
) -> None:
    steps, line, column = REFUSED[case]
    recipe = _write(tmp_path, steps)
    report = tmp_path / "report.json"
    env = {**isolated_env, **sandbox.env()}
    sent_before = len(sandbox.journal)
    args = ["--report", str(report), "--log-format", "json", "-p", f"token={SECRET}"]
    done = invoke("run", str(recipe), *args, env=env, cwd=tmp_path)
    assert done.exit_code == 2, done.stdout + done.stderr
    assert f"{recipe}:{line}:{column}" in done.stderr and "secret" in done.stderr, done.stderr
    assert len(sandbox.journal) == sent_before  # refused before any request
    assert _leaks(done.stdout + done.stderr) == []
    assert _leaks(report.read_text()) == [] if report.exists() else True
    checked = invoke("validate", str(recipe), env=env, cwd=tmp_path)
    assert checked.exit_code == 2 and f"{recipe}:{line}:{column}" in checked.stderr, checked.stderr


def test_what_a_message_step_recorded_is_masked_for_later_templates(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    recipe = _write(
        tmp_path,
        '  - id: said\n    print: "token={{ inputs.token }}"\n'
        '  - log: "{{ steps.said.result | reverse }} {{ steps.said.result | upper }}"\n'
        '  - print: "{{ steps.said.result[6:] }}"\n',
    )
    report = tmp_path / "report.json"
    env = {**isolated_env, **sandbox.env()}
    args = ["--report", str(report), "--log-format", "json", "-p", f"token={SECRET}"]
    done = invoke("run", str(recipe), *args, env=env, cwd=tmp_path)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines()[0] == "token=***"
    assert _leaks(done.stdout + done.stderr + report.read_text()) == []
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any(event.get("message") == "***=nekot TOKEN=***" for event in logged), logged


def test_a_secret_input_used_whole_still_reaches_the_api_and_is_masked(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    server = next(iter(sandbox.state["servers"]))
    recipe = _write(
        tmp_path,
        f"  - put: /dedicated/server/{server}/burst\n"
        '    body: {status: active, note: "{{ inputs.token }}"}\n'
        '    log: "sent with {{ inputs.token }}"\n'
        '  - when: "inputs.token"\n    print: "given: {{ inputs.token }}"\n',
    )
    done = invoke("run", str(recipe), "-p", f"token={SECRET}", env={**isolated_env, **sandbox.env()})
    assert done.exit_code == 0, done.stderr
    assert sandbox.writes()[-1]["body"] == {"status": "active", "note": SECRET}
    assert "given: ***" in done.stdout and "sent with ***" in done.stderr
    assert _leaks(done.stdout + done.stderr) == []


def test_an_error_quoting_a_secret_path_is_recorded_masked_for_later_templates(
    sandbox, isolated_env, tmp_path: Path
) -> None:
    """A secret in a path is allowed; the failed call's error quotes the path, and ``steps.<id>.error``
    holds it masked, so upper-casing, replacing or testing it with ``in`` reveals nothing."""
    recipe = _write(
        tmp_path,
        '  - id: a\n    get: "/me/{{ inputs.token }}x"\n    ignore_errors: true\n'
        "  - when: \"'hunter2' in steps.a.error\"\n    print: found\n"
        '  - print: "{{ steps.a.error | upper }}"\n'
        "  - print: \"{{ steps.a.error | replace('h', 'H') }}\"\n",
    )
    report = tmp_path / "report.json"
    env = {**isolated_env, **sandbox.env()}
    done = invoke("run", str(recipe), "--report", str(report), "-p", f"token={SECRET}", env=env)
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "found" not in lines, done.stdout
    assert lines[0].startswith("GET /ME/***X: "), done.stdout
    assert lines[1].startswith("GET /me/***x: "), done.stdout
    assert _leaks(done.stdout + done.stderr + report.read_text()) == []
    assert "unter2" not in (done.stdout + done.stderr + report.read_text()).lower()
