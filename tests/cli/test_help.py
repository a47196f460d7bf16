"""`--help` of the commands an operator starts with shows examples to copy."""

from __future__ import annotations

import pytest

from tests.cli_invoke import invoke


@pytest.mark.parametrize(
    ("command", "example"),
    [
        ("run", "ovhflow run --sandbox recipes/burst-sbg1.yaml"),
        ("run", "ovhflow run recipe.yaml -p names=a,b -p days=30"),
        ("validate", "ovhflow validate --api recipes/*.yaml"),
        ("cron", 'ovhflow cron recipes/burst-sbg1.yaml --schedule "0 3 * * *"'),
        ("cron", "--kubernetes --secret ovh-credentials"),
        ("schema", "ovhflow schema > recipe.schema.json"),
        ("call", "ovhflow call --sandbox GET /dedicated/server"),
    ],
)
def test_help_shows_examples(command: str, example: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "Examples:" in result.stdout or "Example" in result.stdout
    assert any(example in line for line in lines)  # whole, on its own line
