"""``ovhflow cron --kubernetes``: the same job as a Kubernetes CronJob, its recipe in a ConfigMap.

What the lock does on one machine, ``concurrencyPolicy: Forbid`` does on a cluster: a run still going
when the next one is due means the next one is skipped. Credentials never appear in the manifest: each
comes from a Secret through ``env.valueFrom.secretKeyRef``, as do the inputs the recipe reads with
``env:``. The container runs ``ovhflow`` itself, not a shell around it, so the pod's exit code is the
run's (1 a step failed, 2 invalid recipe or inputs, 3 credentials rejected), and ``backoffLimit: 0``
keeps Kubernetes from running a failed job again on its own: a run that failed halfway is for a person
to look at (its writes were reported), not to be repeated blindly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ovhflow.errors import UsageError
from ovhflow.recipe.params import parse_params

RECIPE_FOLDER = "/etc/ovhflow"
CONTAINER = "ovhflow"
# Secret key -> environment variable of the client (python-ovh's names)
CREDENTIAL_KEYS = {
    "application_key": "OVH_APPLICATION_KEY",
    "application_secret": "OVH_APPLICATION_SECRET",
    "consumer_key": "OVH_CONSUMER_KEY",
}
KUBERNETES_WHY = (
    "the job reads its recipe from a ConfigMap, its credentials and env: inputs from the Secret, logs "
    "to the pod's stderr, and concurrencyPolicy: Forbid replaces the lock; give plain inputs with -p"
)
_MAX_NAME = 52  # a CronJob's name: its Jobs add 11 characters to it and must stay within 63


def resource_name(name: str) -> str:
    """``ovhflow-Night_job.v2`` -> ``ovhflow-night-job-v2``: a name Kubernetes accepts (RFC 1123 label)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return cleaned[:_MAX_NAME].rstrip("-") or "ovhflow-recipe"


def recipe_files(recipe: Any) -> dict[str, Path]:
    """The recipe file and every file it includes, by their path relative to the recipe's folder.

    A ConfigMap mounted as a folder gives them back in the same layout, so ``include:`` paths still work.
    """
    folder = Path(recipe.path).resolve().parent
    files: dict[str, Path] = {}

    def add(path: Path) -> None:
        resolved = path.resolve()
        if not resolved.is_relative_to(folder):
            raise UsageError(
                f"--kubernetes: {path} is outside the recipe's folder {folder}: the ConfigMap holds that "
                "folder only; move the included file beside the recipe"
            )
        files[resolved.relative_to(folder).as_posix()] = resolved

    def walk(steps: Any) -> None:
        for step in steps:
            included = getattr(step, "included", None)
            if included is not None:
                add(Path(included.path))
                walk(included.steps)
            walk(step.steps or [])

    add(Path(recipe.path))
    walk(recipe.steps)
    return files


def _key(relative: str) -> str:
    """A ConfigMap key for a relative path (keys allow letters, digits, ``-``, ``_`` and ``.``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", relative.replace("/", "__"))


def _secret_env(variable: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def kubernetes_text(
    recipe: Any,
    name: str,
    schedule: str,
    params: tuple[str, ...],
    pod: tuple[str | None, str, str, str],
    host_options: Mapping[str, object],
) -> str:
    """What ``cron --kubernetes`` prints; ``pod`` is the endpoint, Secret, image and time zone.

    Options about files on this host are refused (usage error): they mean nothing in a pod."""
    given = [option for option, value in host_options.items() if value is not None]
    if given:
        raise UsageError(f"--kubernetes does not take {', '.join(given)}: {KUBERNETES_WHY}")
    endpoint, secret, image, time_zone = pod
    config_map, cron_job = manifests(recipe, name, schedule, params, endpoint, secret, image, time_zone)
    return render_kubernetes(recipe, cron_job, config_map, secret)


def manifests(
    recipe: Any,
    name: str,
    schedule: str,
    params: tuple[str, ...],
    endpoint: str | None,
    secret: str,
    image: str,
    time_zone: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ConfigMap (the recipe's files) and the CronJob that runs the recipe from it."""
    job = resource_name(name)
    files = recipe_files(recipe)
    main_file = next(iter(files))  # the recipe itself comes first
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": job, "labels": {"app.kubernetes.io/name": "ovhflow"}},
        "data": {_key(relative): path.read_text(encoding="utf-8") for relative, path in files.items()},
    }
    arguments = ["run", f"{RECIPE_FOLDER}/{main_file}", "--log-format", "json", "--no-lock"]
    for param in params:
        arguments += ["-p", param]
    container = {
        "name": CONTAINER,
        "image": image,
        "command": ["ovhflow"],
        "args": arguments,
        "env": container_env(recipe, params, endpoint, secret),
        "volumeMounts": [{"name": "recipe", "mountPath": RECIPE_FOLDER, "readOnly": True}],
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    items = [{"key": _key(relative), "path": relative} for relative in files]
    return config_map, cron_job_manifest(job, schedule, time_zone, container, items)


def container_env(
    recipe: Any, params: tuple[str, ...], endpoint: str | None, secret: str
) -> list[dict[str, Any]]:
    """The container's environment: the endpoint (given, else from the Secret), the credentials and
    the inputs read with ``env:`` that no ``-p`` gives, each from the Secret, never in the manifest."""
    env: list[dict[str, Any]] = [
        {"name": "OVH_ENDPOINT", "value": endpoint}
        if endpoint
        else _secret_env("OVH_ENDPOINT", secret, "endpoint")
    ]
    env += [_secret_env(variable, secret, key) for key, variable in CREDENTIAL_KEYS.items()]
    given = parse_params(params)
    for input_name, spec in recipe.inputs.items():
        if spec.env and input_name not in given:
            env.append(_secret_env(spec.env, secret, spec.env))
    return env


def cron_job_manifest(
    job: str, schedule: str, time_zone: str, container: dict[str, Any], items: list[dict[str, str]]
) -> dict[str, Any]:
    """The CronJob: one run at a time (Forbid), none repeated on failure (backoffLimit 0), the recipe's
    files mounted from the ConfigMap ``items`` name."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": job, "labels": {"app.kubernetes.io/name": "ovhflow"}},
        "spec": {
            "schedule": schedule,
            "timeZone": time_zone,
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 0,
                    "template": {
                        "metadata": {"labels": {"app.kubernetes.io/name": "ovhflow"}},
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [container],
                            "volumes": [{"name": "recipe", "configMap": {"name": job, "items": items}}],
                        },
                    },
                }
            },
        },
    }


def render_kubernetes(recipe: Any, cron_job: dict[str, Any], config_map: dict[str, Any], secret: str) -> str:
    """Both manifests as one YAML stream, after comments saying how to create the Secret and apply."""

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None  # recipes stay readable in the ConfigMap
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    env = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
    keys = [entry["valueFrom"]["secretKeyRef"]["key"] for entry in env if "valueFrom" in entry]
    literals = " ".join(f"--from-literal={key}=..." for key in keys)
    name = cron_job["metadata"]["name"]
    header = f"""\
# Runs {recipe.path} on schedule "{cron_job["spec"]["schedule"]}" ({cron_job["spec"]["timeZone"]}), as {name}.
# concurrencyPolicy: Forbid skips a run while the previous one still goes (the lock's job on one machine).
# Credentials come from the Secret {secret!r}, never from this file. Create it first:
#   kubectl create secret generic {secret} {literals}
# The pod's exit code is the run's: 0 done, 1 a step failed, 2 invalid recipe or inputs, 3 credentials or
# configuration rejected, 130/143 stopped. backoffLimit: 0: a failed run is not run again on its own.
# JSON log: kubectl logs job/<job name>. Apply with: kubectl apply -f <this file>
"""
    documents = yaml.dump_all([config_map, cron_job], Dumper=Dumper, sort_keys=False, allow_unicode=True)
    return header + "---\n" + documents
