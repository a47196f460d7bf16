"""The saved-plan side of ``ovhflow run``: ``--check --plan-out`` makes a plan, ``--plan`` applies one.

Apart from the run itself (cli/run_program.py), which calls these at their moment: the plan options
checked before anything is sent, the endpoint and account a plan is for, the plan written after a
check run that succeeded, and the operator told of planned writes an applied plan left unused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ovhflow.cli.locking import lock_dir
from ovhflow.errors import UsageError
from ovhflow.plan.applied import refuse_if_applied
from ovhflow.plan.apply import account_of, check_account, check_endpoint, load_for_apply
from ovhflow.plan.document import new_plan, plan_inputs, planned_writes, write_plan
from ovhflow.plugin_api import RunInfo
from ovhflow.recipe.model import Recipe

if TYPE_CHECKING:  # run_program imports this module
    from ovhflow.cli.run_program import PreparedRun, RunOptions


def check_plan_options(options: RunOptions, recipe: Recipe) -> dict[str, Any] | None:
    """Refuse plan options that do not go together; the plan to apply, if any, checked (age, recipe)."""
    if options.plan_out and not options.check:
        raise UsageError("--plan-out saves what a check run plans: add --check")
    if options.plan_file and options.check:
        raise UsageError(
            "--plan applies a reviewed plan: drop --check (a plan is made with --check --plan-out)"
        )
    if options.max_age and not options.plan_file:
        raise UsageError("--max-age is how old a plan applied with --plan may be: use it with --plan")
    if options.plan_out:
        folder = os.path.dirname(os.path.abspath(options.plan_out))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"--plan-out {options.plan_out}: folder {folder} is missing or not writable")
    if not options.plan_file:
        return None
    plan = load_for_apply(options.plan_file, recipe, options.max_age)
    # early; consumed under the lock (run_program.execute_run)
    refuse_if_applied(lock_dir(), plan, options.plan_file)
    return plan


def warn_about_unused_planned_writes(run: PreparedRun, changes: Sequence[Mapping[str, Any]]) -> None:
    """Planned writes an applied plan did not use are no error, but the operator hears of them: those
    someone did meanwhile (not needed) and those after a stop (not reached)."""
    for status, why in (("not needed", "already done"), ("not reached", "the run stopped before them")):
        left = [c for c in changes if c.get("status") == status]
        if left:
            paths = ", ".join(f"{c['method']} {c['path']}" for c in left)
            run.logger.warning(f"{len(left)} planned write(s) {status} ({why}): {paths}")


def plan_target(run: PreparedRun, client: Any) -> tuple[str, str | None]:
    """The endpoint and account a plan is made for or applied to; applying, a plan made for another one
    is refused here, before any write (the account is read with one GET /me)."""
    options = run.options
    endpoint = "sandbox" if options.sandbox else str(client.endpoint)
    if run.plan is not None:
        check_endpoint(run.plan, str(options.plan_file), endpoint)
    account = account_of(run.plugins.hook, client, options.check)
    if run.plan is not None:
        check_account(run.plan, str(options.plan_file), account)
    return endpoint, account


def save_plan(run: PreparedRun, info: RunInfo, target: tuple[str, str | None]) -> None:
    """Write the plan of a check run that succeeded; a failed check run leaves no plan to apply."""
    if info.exit_status:
        run.logger.warning(f"plan not written to {run.options.plan_out}: the check run did not succeed")
        return
    secret = {name for name, spec in run.recipe.inputs.items() if spec.secret}
    plan = new_plan(run.recipe, *target, plan_inputs(run.inputs, secret))
    plan["writes"] = planned_writes(info.changes)
    write_plan(str(run.options.plan_out), plan)
    run.logger.message(f"plan: {len(plan['writes'])} write(s) saved to {run.options.plan_out}", None)
