"""Engine fixtures: ``run_steps`` runs hand-built steps (helpers in tests/engine/helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ovhflow.engine import check_mode
from ovhflow.engine.runner import RunResult, run_recipe
from ovhflow.engine.stop import StopRequest
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe.model import InputSpec, Step
from tests.engine.helpers import Collector, FakeClient, recipe


@pytest.fixture
def run_steps() -> Callable[..., tuple[RunResult, Collector]]:
    """Run hand-built steps with a fake client: ``run_steps(steps, client, check=..., inputs=...)``;
    ``extra_plugins`` are registered beside the built-ins."""

    def run(
        steps: list[Step],
        client: FakeClient | None = None,
        *,
        check: bool = False,
        inputs: dict[str, Any] | None = None,
        specs: dict[str, InputSpec] | None = None,
        concurrency: int = 1,
        stop: StopRequest | None = None,
        plugins_dir: Path | None = None,
        extra_plugins: tuple[Any, ...] = (),
        batch_reads: bool = True,
    ) -> tuple[RunResult, Collector]:
        plugins = load_plugins(plugins_dir, entry_points=False)
        collector = Collector()
        collector.plugins = plugins
        plugins.manager.register(collector.hooks, name="collector")
        for number, plugin in enumerate(extra_plugins):
            plugins.manager.register(plugin, name=f"extra-{number}")
        if check:
            plugins.manager.register(check_mode.CheckMode(), name=check_mode.PLUGIN_NAME)
        result = run_recipe(
            recipe(steps, specs),
            inputs or {},
            plugins=plugins,
            client=client or FakeClient(),
            check=check,
            stop=stop,
            default_concurrency=concurrency,
            batch_reads=batch_reads,
            reporter=collector,
        )
        return result, collector

    return run
