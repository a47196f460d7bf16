"""``run --output-dir``: the run's output folder, with the run's own files no output may replace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovhflow.cli.locking import LOCK_DIR_ENV
from ovhflow.errors import UsageError
from ovhflow.files.output_folder import OutputFolder, OutputRefused

if TYPE_CHECKING:  # run_program imports this module
    from ovhflow.cli.run_program import RunOptions


def output_folder(options: RunOptions) -> OutputFolder:
    """``--output-dir``, with the run's own files no output may replace (README: threat model)."""
    try:
        return OutputFolder.at(
            options.output_dir,
            [
                (options.recipe_path, "the recipe being run"),
                (options.report_file, "this run's report (--report)"),
                (options.plan_out, "the plan this run saves (--plan-out)"),
                (options.plan_file, "the plan this run applies (--plan)"),
                (options.params_file, "this run's params file (--params)"),
                (options.config_file, "the ovh.conf this run reads (--config)"),
                (options.plugins_dir, "the plugin folder (--plugins-dir)"),
                (options.environ.get(LOCK_DIR_ENV), f"the lock folder (${LOCK_DIR_ENV})"),
            ],
        )
    except OutputRefused as refused:
        raise UsageError(f"--output-dir: {refused}") from None
