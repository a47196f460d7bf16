"""Plan, review, apply: ``run --check --plan-out``, ``plan show``, ``run --plan``, over a real sandbox."""

from __future__ import annotations

import datetime
import json
import os
import stat
from pathlib import Path

import pytest

from ovhflow import ovh
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import Invoked, invoke
from tests.helpers import RECIPES_DIR

BURST = RECIPES_DIR / "burst-sbg1.yaml"
DC = "sbg1"


@pytest.fixture
def sandbox():
    with Sandbox(servers=12, bills=1, seed=7) as sb:
        yield sb


def run(sb: Sandbox, tmp_path: Path, *args: str) -> Invoked:
    env = {**sb.env(), "XDG_CACHE_HOME": str(tmp_path / "cache"), "OVHFLOW_LOCK_DIR": str(tmp_path / "l")}
    return invoke("run", *args, env=env)


def client(sb: Sandbox) -> ovh.Client:
    return ovh.Client(**sb.credentials)


def sbg1_servers(sb: Sandbox) -> dict[str, str]:
    """Each sbg1 server's burst status."""
    api = client(sb)
    names = [
        n for n in api.get("/dedicated/server") if api.get(f"/dedicated/server/{n}")["datacenter"] == "sbg1"
    ]
    return {name: api.get(f"/dedicated/server/{name}/burst")["status"] for name in names}


def writes(sb: Sandbox) -> list[tuple[str, str]]:
    return [(e["method"], e["path"]) for e in sb.writes()]


def make_plan(sb: Sandbox, tmp_path: Path, recipe: Path = BURST, *args: str) -> tuple[Path, Invoked]:
    plan = tmp_path / "plan.json"
    made = run(sb, tmp_path, "--check", "--plan-out", str(plan), str(recipe), *args)
    assert made.exit_code == 0, made.stderr
    assert sb.writes() == []  # a check run sends no write
    return plan, made


def test_a_plan_applied_sends_exactly_the_planned_writes(sandbox: Sandbox, tmp_path: Path) -> None:
    plan_file, made = make_plan(sandbox, tmp_path)
    assert stat.S_IMODE(os.stat(plan_file).st_mode) == 0o600
    plan = json.loads(plan_file.read_text())
    inactive = sorted(n for n, status in sbg1_servers(sandbox).items() if status != "active")
    assert inactive, "the seed must leave some sbg1 server without burst"
    planned = [(w["method"], w["path"]) for w in plan["writes"]]
    assert sorted(planned) == sorted(("PUT", f"/dedicated/server/{n}/burst") for n in inactive)
    assert all(w["body"] == {"status": "active"} and w["step"] == "enable" for w in plan["writes"])
    assert all(w["diff"] == [{"field": "status", "from": "inactive", "to": "active"}] for w in plan["writes"])
    assert plan["recipe"]["path"] == str(BURST) and plan["endpoint"] == sandbox.url
    assert plan["inputs"] == {"datacenter": "sbg1"} and plan["account"]

    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(BURST))
    assert applied.exit_code == 0, applied.stderr
    assert sorted(writes(sandbox)) == sorted(planned)  # same writes, nothing else (loop is concurrent)
    assert set(sbg1_servers(sandbox).values()) == {"active"}


def test_a_steps_writes_apply_in_any_order(sandbox: Sandbox, tmp_path: Path) -> None:
    """Within one step any order of its planned writes is accepted (a loop's items finish in any
    order): the plan's writes reversed still apply, one at a time, each exactly once."""
    plan_file, _ = make_plan(sandbox, tmp_path, BURST, "--concurrency", "1")  # planned in listing order
    plan = json.loads(plan_file.read_text())
    assert len(plan["writes"]) > 1
    plan_file.write_text(json.dumps({**plan, "writes": plan["writes"][::-1]}))
    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--concurrency", "1", "--plan", str(plan_file), str(BURST))
    assert applied.exit_code == 0, applied.stderr
    assert writes(sandbox) == [(w["method"], w["path"]) for w in plan["writes"]]  # listing order again


def test_a_write_the_plan_does_not_have_is_not_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    before = sbg1_servers(sandbox)
    plan_file, _ = make_plan(sandbox, tmp_path)
    already = sorted(n for n, status in before.items() if status == "active")
    assert already, "the seed must leave some sbg1 server with burst on"
    client(sandbox).put(f"/dedicated/server/{already[0]}/burst", status="inactive")  # changed since the plan
    del sandbox.journal[:]
    applied = run(
        sandbox, tmp_path, "--plan", str(plan_file), str(BURST), "--report", str(tmp_path / "r.json")
    )
    assert applied.exit_code == 5, applied.stderr
    refused = f"PUT /dedicated/server/{already[0]}/burst"
    step = json.loads(plan_file.read_text())["writes"][0]["location"]  # the step that made the write
    assert f'error: {step}: {refused} {{"status": "active"}}: not in the reviewed plan, so not sent' in (
        applied.stderr
    )
    sent = writes(sandbox)
    assert ("PUT", f"/dedicated/server/{already[0]}/burst") not in sent
    order = sorted(before)  # the burst group walks the servers in listing order; nothing after the refusal
    assert all(order.index(path.split("/")[3]) < order.index(already[0]) for _, path in sent)
    report = json.loads((tmp_path / "r.json").read_text())
    assert {"path": f"/dedicated/server/{already[0]}/burst", "status": "not sent"}.items() <= next(
        c for c in report["changes"] if c["status"] == "not sent"
    ).items()


def test_planned_writes_no_longer_needed_are_reported(sandbox: Sandbox, tmp_path: Path) -> None:
    plan_file, _ = make_plan(sandbox, tmp_path)
    planned = json.loads(plan_file.read_text())["writes"]
    client(sandbox).put(planned[0]["path"], status="active")  # someone did it meanwhile
    applied = run(
        sandbox, tmp_path, "--plan", str(plan_file), str(BURST), "--report", str(tmp_path / "r.json")
    )
    assert applied.exit_code == 0, applied.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert [c["path"] for c in report["changes"] if c["status"] == "not needed"] == [planned[0]["path"]]
    assert "1 planned write(s) not needed" in applied.stderr


def test_post_then_poll_applies(sandbox: Sandbox, tmp_path: Path) -> None:
    server = client(sandbox).get("/dedicated/server")[0]
    recipe = RECIPES_DIR / "reboot-and-wait.yaml"
    args = ("-p", f"server={server}", "-p", "interval=0.05")
    plan_file, _ = make_plan(sandbox, tmp_path, recipe, *args)
    assert [(w["method"], w["path"]) for w in json.loads(plan_file.read_text())["writes"]] == [
        ("POST", f"/dedicated/server/{server}/reboot")
    ]
    del sandbox.journal[:]
    applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe))
    assert applied.exit_code == 0, applied.stderr
    assert writes(sandbox) == [("POST", f"/dedicated/server/{server}/reboot")]
    assert any(e["method"] == "GET" and "/task/" in e["path"] for e in sandbox.journal)  # polled its task


@pytest.mark.parametrize("change", ["recipe", "endpoint", "expired", "input"])
def test_a_plan_that_does_not_fit_is_refused_before_any_request(
    sandbox: Sandbox, tmp_path: Path, change: str
) -> None:
    recipe = tmp_path / "burst.yaml"
    recipe.write_text(BURST.read_text())
    plan_file, _ = make_plan(sandbox, tmp_path, recipe)
    args = ["--plan", str(plan_file), str(recipe)]
    env_change: dict[str, str] = {}
    if change == "recipe":
        recipe.write_text(recipe.read_text().replace("status: active", "status: inactive"))
        expected = "changed since plan"
    elif change == "endpoint":
        with Sandbox(servers=2, bills=1) as other:
            env_change = other.env()
        expected = f"was made against {sandbox.url}"
    elif change == "expired":
        plan = json.loads(plan_file.read_text())
        old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
        plan["created_at"] = old.isoformat(timespec="seconds")
        plan_file.write_text(json.dumps(plan))
        args[:0] = ["--max-age", "1h"]
        expected = "longer than --max-age"
    else:
        args += ["-p", "datacenter=rbx1"]
        expected = "the plan was made with another value"
    del sandbox.journal[:]
    env = {**sandbox.env(), **env_change, "OVHFLOW_LOCK_DIR": str(tmp_path / "l")}
    refused = invoke("run", *args, env=env)
    assert refused.exit_code == 2, refused.stderr
    assert expected in refused.stderr and "Traceback" not in refused.stderr
    assert sandbox.journal == []  # no request at all


def test_secret_inputs_never_appear_in_a_plan(sandbox: Sandbox, tmp_path: Path) -> None:
    server = client(sandbox).get("/dedicated/server")[0]
    recipe = tmp_path / "secret.yaml"
    recipe.write_text(
        "name: secret\ninputs:\n  token: {type: string, secret: true}\n"
        f"steps:\n  - put: /dedicated/server/{server}/burst\n"
        '    body: {status: active, note: "{{ inputs.token }}"}\n'
    )
    plan_file, _ = make_plan(sandbox, tmp_path, recipe, "-p", "token=hunter2-very-secret")
    text = plan_file.read_text()
    assert "hunter2-very-secret" not in text
    assert json.loads(text)["inputs"]["token"]["secret"] is True
    shown = invoke("plan", "show", str(plan_file))
    assert shown.exit_code == 0 and "token=(secret)" in shown.stdout
    wrong = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe), "-p", "token=another")
    assert wrong.exit_code == 2 and "not the value" in wrong.stderr
    right = run(sandbox, tmp_path, "--plan", str(plan_file), str(recipe), "-p", "token=hunter2-very-secret")
    assert right.exit_code == 0, right.stderr
    assert writes(sandbox) == [("PUT", f"/dedicated/server/{server}/burst")]


def test_plan_show_groups_by_step_and_prints_json(sandbox: Sandbox, tmp_path: Path) -> None:
    plan_file, _ = make_plan(sandbox, tmp_path)
    planned = json.loads(plan_file.read_text())["writes"]
    count, where = len(planned), planned[0]["location"]
    assert where.startswith(f"{BURST}:")
    shown = invoke("plan", "show", str(plan_file))
    assert shown.exit_code == 0, shown.stderr
    assert f"{count} write(s): {count} PUT" in shown.stdout
    assert f"step enable ({where}): {count} write(s)" in shown.stdout
    assert "status: inactive -> active" in shown.stdout
    as_json = invoke("plan", "show", "--format", "json", str(plan_file))
    assert json.loads(as_json.stdout) == json.loads(plan_file.read_text())
    schema = invoke("schema", "--plan")
    import jsonschema

    jsonschema.validate(json.loads(plan_file.read_text()), json.loads(schema.stdout))
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "ovhflow-plan", "version": 1}')
    bad = invoke("plan", "show", str(broken))
    assert bad.exit_code == 2 and f"{broken}:1:1: not a valid ovhflow plan" in bad.stderr
    lines = plan_file.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if '"method": "PUT"' in text)
    broken.write_text(plan_file.read_text().replace('"method": "PUT"', '"method": "GET"', 1))
    bad = invoke("plan", "show", str(broken))
    column = lines[line - 1].index('"PUT"') + 1
    assert f"{broken}:{line}:{column}: not a valid ovhflow plan: at writes/0/method: 'GET'" in bad.stderr
    broken.write_text('{"format": "ovhflow-plan",\n  "version": 1,,\n}')
    bad = invoke("plan", "show", str(broken))
    assert bad.exit_code == 2 and f"{broken}:2:16: not a plan (not JSON: Expecting" in bad.stderr
    assert "line 2" not in bad.stderr and "Traceback" not in bad.stderr


def test_plan_format_versions(sandbox: Sandbox, tmp_path: Path) -> None:
    """Version 2 added placeholders, 3 the included files: version 1 and 2 plans are still read and
    applied (to a recipe without includes); a later version is refused."""
    plan_file, _ = make_plan(sandbox, tmp_path)
    plan = json.loads(plan_file.read_text())
    assert plan["version"] == 3 and plan["recipe"]["includes"] == []
    older = {**plan, "recipe": {key: value for key, value in plan["recipe"].items() if key != "includes"}}
    for version in (1, 2):
        plan_file.write_text(json.dumps({**older, "version": version}))
        assert invoke("plan", "show", str(plan_file)).exit_code == 0
        applied = run(sandbox, tmp_path, "--plan", str(plan_file), str(BURST))
        assert applied.exit_code == 0, applied.stderr
    plan_file.write_text(json.dumps({**plan, "version": 4}))
    later = invoke("plan", "show", str(plan_file))
    assert later.exit_code == 2
    assert "plan format version 4; this ovhflow reads versions 1, 2, 3: make the plan again" in later.stderr


def test_plan_options_that_do_not_go_together(sandbox: Sandbox, tmp_path: Path) -> None:
    alone = run(sandbox, tmp_path, "--plan-out", str(tmp_path / "p.json"), str(BURST))
    assert alone.exit_code == 2 and "add --check" in alone.stderr
    nowhere = run(sandbox, tmp_path, "--check", "--plan-out", str(tmp_path / "no" / "p.json"), str(BURST))
    assert nowhere.exit_code == 2 and "is missing or not writable" in nowhere.stderr
    assert sandbox.journal == []
