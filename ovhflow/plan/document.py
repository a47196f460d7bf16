"""The saved plan: a versioned JSON document (its JSON Schema: :mod:`ovhflow.plan.schema`), how it is
written and read.

A plan holds what a reviewer must see and what applying it must match: the recipe (path, name and the
SHA-256 of its content, and of each file it includes), the endpoint and account it was made against,
when and by which ovhflow version, the inputs (a secret input only as a salted hash: a plan is pasted
into tickets), and every planned write in order. It is written atomically with mode 0600, as the other
files ovhflow writes that an operator relies on.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ovhflow import __version__
from ovhflow.errors import RecipeError, UsageError
from ovhflow.files.atomic import write_atomic
from ovhflow.plan.schema import FORMAT, PLAN_SCHEMA, READS, VERSION
from ovhflow.recipe.model import Recipe
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList, parse_yaml

DEFAULT_MAX_AGE = 24 * 3600  # seconds: planned at night, reviewed and applied the next working day


def relative_to_recipe(text: str, recipe_path: str | os.PathLike[str]) -> str:
    """A path, or a FILE:LINE:COL, relative to the recipe's folder when it is under it: the same whether
    the plan and the apply spell the recipe's path alike (``burst.yaml``) or not (``/etc/ovhflow/...``)."""
    folder = os.path.dirname(str(recipe_path))
    return text[len(folder) + 1 :] if folder and text.startswith(folder + os.sep) else text


def include_path(inner: Recipe, recipe: Recipe) -> str:
    """How a plan names a file ``recipe`` includes: its path relative to the recipe's folder."""
    return relative_to_recipe(os.path.normpath(inner.path), os.path.normpath(recipe.path))


def included_files(recipe: Recipe) -> list[dict[str, str]]:
    """Each file ``recipe`` includes, directly or not, as a plan names it, with the SHA-256 of the content
    the run read."""
    return [
        {"path": include_path(inner, recipe), "sha256": inner.sha256} for inner in recipe.included_recipes()
    ]


def secret_digest(value: Any, salt: str) -> str:
    return hashlib.sha256((salt + json.dumps(value, sort_keys=True, default=str)).encode()).hexdigest()


def plan_inputs(inputs: Mapping[str, Any], secret_names: set[str]) -> dict[str, Any]:
    """The inputs as a plan records them: secret ones as a salted hash, never their value."""
    recorded: dict[str, Any] = {}
    for name, value in inputs.items():
        if name in secret_names:
            salt = secrets.token_hex(16)
            recorded[name] = {"secret": True, "salt": salt, "sha256": secret_digest(value, salt)}
        else:
            recorded[name] = value
    return recorded


def new_plan(recipe: Recipe, endpoint: str, account: str | None, inputs: dict[str, Any]) -> dict[str, Any]:
    """A plan with no writes yet; :func:`planned_writes` fills ``writes`` from the run's changes."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "ovhflow_version": __version__,
        "recipe": {
            "path": str(recipe.path),
            "name": recipe.name,
            "sha256": recipe.sha256,
            "includes": included_files(recipe),
        },
        "endpoint": endpoint,
        "account": account,
        "inputs": inputs,
        "writes": [],
    }


def planned_writes(changes: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The run's planned HTTP writes (its ``changes`` with status ``planned``), in the plan's shape."""
    keys = ("action", "location", "item", "method", "path", "query", "body", "diff")
    return [
        {
            "step": change.get("step_id"),
            **{key: change.get(key) for key in keys},
            **({"placeholders": change["placeholders"]} if change.get("placeholders") else {}),
            **({"attempts": change["attempts"]} if change.get("attempts", 1) > 1 else {}),
        }
        for change in changes
        if change.get("status") == "planned" and change.get("method")
    ]


def write_plan(path: str | Path, plan: Mapping[str, Any]) -> None:
    """Write ``plan`` atomically, readable by its owner only (mode 0600)."""
    text = json.dumps(plan, indent=2, ensure_ascii=False, default=str) + "\n"
    write_atomic(Path(path), text.encode("utf-8"), mode=0o600)


def read_plan(path: str | Path) -> dict[str, Any]:
    """A plan file, checked against :data:`PLAN_SCHEMA`; a :class:`UsageError` (exit 2) says what is wrong."""
    # lazy: start-up (jsonschema only when a plan is checked)
    import jsonschema

    try:
        text = Path(path).read_text(encoding="utf-8")
        plan = json.loads(text)
    except OSError as error:
        raise UsageError(f"cannot read plan {path}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}:{error.colno}: not a plan (not JSON: {error.msg})") from None
    except ValueError as error:  # not UTF-8
        raise UsageError(f"{path}: not a plan (not JSON: {error})") from None
    if isinstance(plan, dict) and plan.get("format") == FORMAT and plan.get("version") not in READS:
        raise UsageError(
            f"{path}: plan format version {plan.get('version')!r}; this ovhflow reads versions "
            f"{', '.join(map(str, READS))}: make the plan again with this ovhflow (--check --plan-out)"
        )
    problem = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(PLAN_SCHEMA).iter_errors(plan))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "the top level"
        located = _location(text, str(path), list(problem.absolute_path))
        raise UsageError(f"{located}: not a valid ovhflow plan: at {where}: {problem.message}")
    return plan


def _location(text: str, path: str, keys: list[Any]) -> str:
    """FILE:LINE:COL of the value ``keys`` lead to in a plan's JSON text (of its nearest parent there)."""
    try:
        node = parse_yaml(text, path)  # JSON is YAML: the recipe loader's parser tells where each value is
    except RecipeError:
        return f"{path}:1:1"
    location = getattr(node, "location", None)
    for key in keys:
        if isinstance(node, LocatedDict) and key in node:
            location, node = node.value_locations.get(key, location), node[key]
        elif isinstance(node, LocatedList) and isinstance(key, int) and key < len(node):
            location, node = node.item_locations[key], node[key]
        else:
            break
    return str(location or f"{path}:1:1")


def plan_age(plan: Mapping[str, Any], now: datetime.datetime | None = None) -> float:
    """Seconds since the plan was made."""
    created = datetime.datetime.fromisoformat(str(plan["created_at"]))
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return ((now or datetime.datetime.now(datetime.timezone.utc)) - created).total_seconds()


def parse_duration(text: str) -> float:
    """``90m``, ``24h``, ``2d``, ``3600`` (seconds) -> seconds; a :class:`UsageError` otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value = text.strip().lower()
    factor = units.get(value[-1:], 0)
    number = value[:-1] if factor else value
    try:
        seconds = float(number) * (factor or 1)
    except ValueError:
        raise UsageError(f"--max-age {text!r}: give a duration such as 90m, 24h or 2d") from None
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise UsageError(f"--max-age {text!r}: give a positive duration such as 90m, 24h or 2d")
    return seconds
