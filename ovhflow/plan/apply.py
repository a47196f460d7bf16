"""The checks that make a saved plan safe to apply, all made before the first write.

A plan is refused (exit 2) when it is too old, when the recipe file or a file it includes changed since
(content hash), when it was made with other secret inputs (their salted hashes differ), or against
another endpoint or account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ovhflow import __version__
from ovhflow.errors import UsageError
from ovhflow.plan.document import (
    DEFAULT_MAX_AGE,
    include_path,
    parse_duration,
    plan_age,
    read_plan,
    secret_digest,
)
from ovhflow.plugin_api import ApiClient, HttpRequest
from ovhflow.recipe.model import Recipe


def load_for_apply(plan_path: str, recipe: Recipe, max_age: str | None) -> dict[str, Any]:
    """The plan at ``plan_path``, if it may be applied to ``recipe`` (as loaded for this run) now."""
    plan = read_plan(plan_path)
    limit = parse_duration(max_age) if max_age else DEFAULT_MAX_AGE
    age = plan_age(plan)
    if age > limit:
        raise UsageError(
            f"plan {plan_path} was made {_hours(age)} ago, longer than --max-age ({_hours(limit)}): "
            "make a new one with --check --plan-out (or pass a longer --max-age)"
        )
    if age < -300:
        raise UsageError(f"plan {plan_path} is dated {plan['created_at']}, in the future: check this clock")
    if recipe.sha256 != plan["recipe"]["sha256"]:
        raise UsageError(_changed(str(recipe.path), plan_path))
    check_includes(plan, plan_path, recipe)
    return plan


def warn_about_other_version(plan: Mapping[str, Any], plan_path: str, warn: Callable[[str], None]) -> None:
    """Warn, not refuse, when another ovhflow made the plan: the plan's format version says whether this
    one reads it, and each write is still compared with the reviewed ones (one that differs is not sent,
    exit 5), so another version cannot send what was not reviewed; the warning says why it may stop."""
    made_by = plan.get("ovhflow_version")
    if made_by == __version__:
        return
    who = f"ovhflow {made_by}" if made_by else "an ovhflow that did not record its version"
    warn(
        f"plan {plan_path} was made by {who}, this is ovhflow {__version__}: a write this version makes "
        "differently from the plan is not sent (exit 5); if that happens, make and review a new plan with it"
    )


def _changed(path: str, plan_path: str) -> str:
    return (
        f"{path} changed since plan {plan_path} was made from it: review a new plan (--check --plan-out) "
        "before applying"
    )


def check_includes(plan: Mapping[str, Any], plan_path: str, recipe: Recipe) -> None:
    """Refuse a plan when a file the recipe includes changed since (the recipe itself did not, so it
    includes the same files). A plan older than version 3 does not record them: it is refused for a
    recipe that includes files, still applied to one that does not."""
    current = recipe.included_recipes()
    planned = plan["recipe"].get("includes")
    if planned is None:
        if current:
            names = ", ".join(str(inner.path) for inner in current)
            raise UsageError(
                f"plan {plan_path} (format version {plan['version']}) does not record the files the recipe "
                f"includes ({names}): make a new plan with this ovhflow (--check --plan-out)"
            )
        return
    digests = {item["path"]: item["sha256"] for item in planned}
    for inner in current:
        if digests.pop(include_path(inner, recipe), None) != inner.sha256:
            raise UsageError(_changed(str(inner.path), plan_path))
    if digests:  # the same include: lines, other files (links moved: two of its paths are one file now)
        raise UsageError(
            f"plan {plan_path} was made with included files this run does not read ({', '.join(digests)}): "
            "review a new plan (--check --plan-out) before applying"
        )


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def planned_values(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan's input values, secret ones left out (a plan holds only their hashes)."""
    return {
        name: value
        for name, value in plan["inputs"].items()
        if not (isinstance(value, Mapping) and value.get("secret") is True and "sha256" in value)
    }


def check_secret_inputs(plan: Mapping[str, Any], inputs: Mapping[str, Any], plan_path: str) -> None:
    """Refuse to apply when a secret input's value is not the one the plan was made with."""
    for name, value in plan["inputs"].items():
        if isinstance(value, Mapping) and value.get("secret") is True and "sha256" in value:
            given = secret_digest(inputs.get(name), str(value.get("salt", "")))
            if given != value["sha256"]:
                raise UsageError(f"input {name!r}: not the value plan {plan_path} was made with (secret)")


def account_of(hook: Any, client: ApiClient, check: bool) -> str | None:
    """The account's nichandle (``GET /me``, through the HTTP hook), or None when it cannot be read."""
    try:
        response = hook.ovhflow_http_request(request=HttpRequest("GET", "/me"), client=client, check=check)
    except Exception:  # noqa: BLE001 - a key limited to some paths may not read /me: no account then
        return None
    data = getattr(response, "data", None)
    return str(data["nichandle"]) if isinstance(data, Mapping) and data.get("nichandle") else None


def check_endpoint(plan: Mapping[str, Any], plan_path: str, endpoint: str) -> None:
    """Refuse a plan made against another endpoint."""
    if plan["endpoint"] != endpoint:
        raise UsageError(f"plan {plan_path} was made against {plan['endpoint']}, this run targets {endpoint}")


def check_account(plan: Mapping[str, Any], plan_path: str, account: str | None) -> None:
    """Refuse a plan made for another account (when the plan knows its account)."""
    if plan.get("account") and plan["account"] != account:
        raise UsageError(
            f"plan {plan_path} was made for account {plan['account']}, these credentials are "
            f"{account or 'an account whose /me cannot be read'}"
        )
