"""`ovhflow cron` checks the job's inputs as `run` would, and prints a Kubernetes CronJob on request."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli.test_cron_cmd import RECIPE
from tests.cli_invoke import invoke


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    path = tmp_path / "night_job.yaml"
    path.write_text(RECIPE)
    return path


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (["-p", "nope=1"], "error: -p nope: the recipe has no input 'nope'"),
        (["-p", "days=many"], "error: -p days: 'many' is not an integer"),
    ],
)
def test_cron_refuses_inputs_run_would_refuse(recipe: Path, isolated_env, params, expected) -> None:
    result = invoke("cron", str(recipe), "--schedule", "0 3 * * *", *params, env=isolated_env)
    assert result.exit_code == 2
    assert result.stderr.startswith(expected)
    assert result.stdout == ""  # no crontab line that would fail every night


def test_cron_refuses_a_missing_required_input(tmp_path: Path, isolated_env) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: r\ninputs:\n  zone: {type: string}\nsteps:\n  - log: '{{ inputs.zone }}'\n")
    result = invoke("cron", str(recipe), "--schedule", "@daily", env=isolated_env)
    assert result.exit_code == 2
    assert "missing required input 'zone': pass -p zone=VALUE" in result.stderr
    assert result.stdout == ""
    given = invoke("cron", str(recipe), "--schedule", "@daily", "-p", "zone=example.com", env=isolated_env)
    assert given.exit_code == 0, given.stderr


def test_cron_names_the_variables_the_job_needs(recipe: Path, isolated_env) -> None:
    result = invoke("cron", str(recipe), "--schedule", "0 3 * * *", env=isolated_env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# The job reads input 'password' from $NIGHTLY_PASSWORD: set it in")


def _documents(text: str) -> list[dict]:
    return [document for document in yaml.safe_load_all(text) if document is not None]


def test_kubernetes_cronjob_structure(recipe: Path, tmp_path: Path, isolated_env) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "child.yaml").write_text("name: child\nsteps:\n  - log: child\n")
    recipe.write_text(RECIPE + "  - include: lib/child.yaml\n")
    env = {
        **isolated_env,
        "OVH_APPLICATION_SECRET": "real-looking-app-secret",
        "NIGHTLY_PASSWORD": "hunter22!",
    }
    args = ("--schedule", "0 3 * * 1-5", "-p", "dc=rbx3", "--kubernetes", "--secret", "ovh-prod")
    result = invoke("cron", str(recipe), *args, env=env, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "real-looking-app-secret" not in result.stdout and "hunter22" not in result.stdout
    config_map, cron_job = _documents(result.stdout)

    assert config_map["apiVersion"] == "v1" and config_map["kind"] == "ConfigMap"
    assert cron_job["apiVersion"] == "batch/v1" and cron_job["kind"] == "CronJob"
    name = cron_job["metadata"]["name"]
    assert name == config_map["metadata"]["name"] == "ovhflow-night-job"  # an RFC 1123 name
    assert config_map["data"] == {
        "night_job.yaml": recipe.read_text(),
        "lib__child.yaml": (tmp_path / "lib" / "child.yaml").read_text(),
    }
    spec = cron_job["spec"]
    assert spec["schedule"] == "0 3 * * 1-5" and spec["concurrencyPolicy"] == "Forbid"
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0  # a failed run is not repeated on its own
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    # ovhflow itself is the process: its exit code is the pod's
    assert container["command"] == ["ovhflow"]
    assert container["args"] == [
        "run", "/etc/ovhflow/night_job.yaml", "--log-format", "json", "--no-lock", "-p", "dc=rbx3"
    ]  # fmt: skip
    (volume,) = pod["volumes"]
    assert volume["configMap"]["name"] == name
    assert volume["configMap"]["items"] == [
        {"key": "night_job.yaml", "path": "night_job.yaml"},
        {"key": "lib__child.yaml", "path": "lib/child.yaml"},
    ]
    (mount,) = container["volumeMounts"]
    assert mount == {"name": volume["name"], "mountPath": "/etc/ovhflow", "readOnly": True}

    env_entries = {entry["name"]: entry for entry in container["env"]}
    credentials = {"OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY"}
    assert set(env_entries) == credentials | {"NIGHTLY_PASSWORD"}
    for entry in env_entries.values():  # nothing inline: every value comes from the Secret
        assert "value" not in entry
        reference = entry["valueFrom"]["secretKeyRef"]
        assert reference["name"] == "ovh-prod" and reference["key"]
    assert env_entries["OVH_APPLICATION_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == "application_secret"
    assert "kubectl create secret generic ovh-prod --from-literal=endpoint=..." in result.stdout


def test_kubernetes_refuses_what_a_cluster_cannot_use(recipe: Path, tmp_path: Path, isolated_env) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("dc: rbx3\n")
    args = ("--schedule", "@daily", "--kubernetes", "--params", str(params), "--wait-lock", "5")
    result = invoke("cron", str(recipe), *args, env=isolated_env)
    assert result.exit_code == 2
    assert "--kubernetes does not take --params, --wait-lock" in result.stderr
    outside = tmp_path / "sub"
    outside.mkdir()
    (outside / "r.yaml").write_text("name: r\nsteps:\n  - include: ../other.yaml\n")
    (tmp_path / "other.yaml").write_text("name: o\nsteps:\n  - log: o\n")
    result = invoke("cron", str(outside / "r.yaml"), "--schedule", "@daily", "--kubernetes", env=isolated_env)
    assert result.exit_code == 2
    assert "is outside the recipe's folder" in result.stderr
