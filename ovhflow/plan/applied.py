"""A saved plan is applied at most once (as Terraform refuses a stale saved plan).

Applying a plan records it in ovhflow's state folder, next to the recipe locks (``$OVHFLOW_LOCK_DIR``,
else ``~/.local/state/ovhflow/locks``: the folder a run by hand and the cron run both see), under
``applied-plans/``: one file per plan, named by the SHA-256 of the plan's content (its JSON with sorted
keys, so a copy or a re-indented file is the same plan), created with ``O_EXCL`` so that of two applies
only one can record it. The record is made once the apply passed its checks (age, recipe, inputs,
endpoint, account) and before its first write, under the recipe's lock; a plan refused there is not
consumed. An apply that then fails midway (a write refused, an API error, Ctrl-C) still consumed it:
some writes may have been sent, and a new plan plans only what is left.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ovhflow.errors import ConfigError, UsageError

FOLDER = "applied-plans"


def plan_digest(plan: Mapping[str, Any]) -> str:
    """The plan's identity: the SHA-256 of its content, whatever its file's name or layout."""
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _record_path(state_dir: Path, plan: Mapping[str, Any]) -> Path:
    return state_dir / FOLDER / f"{plan_digest(plan)}.json"


def _already_applied(record: Path, plan_path: str) -> UsageError:
    try:
        note = json.loads(record.read_text(encoding="utf-8"))
        when = f"at {note['applied_at']} (pid {note['pid']})"
    except (OSError, ValueError, KeyError, TypeError):
        when = "(when is not recorded)"  # the applier was killed between creating and writing the record
    return UsageError(
        f"plan {plan_path} was already applied {when}; a plan is applied once, even when that run "
        f"stopped midway: make a new plan (--check --plan-out), review it and apply that ({record})"
    )


def refuse_if_applied(state_dir: Path, plan: Mapping[str, Any], plan_path: str) -> None:
    """Refuse (exit 2) a plan applied before: early, before any request; :func:`consume` decides."""
    record = _record_path(state_dir, plan)
    if record.exists():
        raise _already_applied(record, plan_path)


def consume(state_dir: Path, plan: Mapping[str, Any], plan_path: str, recipe_path: str) -> None:
    """Record the plan as applied, atomically; a :class:`UsageError` (exit 2) when it already was."""
    record = _record_path(state_dir, plan)
    try:
        record.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        raise _already_applied(record, plan_path) from None
    except OSError as error:
        problem = "exists and is not a folder" if error.errno == errno.ENOTDIR else error.strerror
        raise ConfigError(
            f"cannot record plan {plan_path} as applied in {record.parent}: {problem}"
        ) from None
    applied_at = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    note = {"applied_at": applied_at, "pid": os.getpid(), "plan": plan_path, "recipe": recipe_path}
    try:
        os.write(fd, (json.dumps(note) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
