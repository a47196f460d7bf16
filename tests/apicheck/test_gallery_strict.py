"""Every gallery recipe runs against the strict sandbox: no request it sends is refused by the schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR, SCHEMAS_DIR

GALLERY = sorted(RECIPES_DIR.glob("*.yaml"))


@pytest.fixture(scope="module")
def strict_sandbox():
    with Sandbox(servers=3, bills=2, schema_dir=SCHEMAS_DIR, strict=True) as sb:
        yield sb


def inputs_for(recipe: Path, sb: Sandbox) -> list[str]:
    """Values for the required inputs of the gallery, taken from the sandbox's account."""
    zone = next(iter(sb.state["zones"]))
    mail_domain = next(iter(sb.state["emailDomains"]))
    known = {
        "zone": zone,
        "subdomain": "apicheck",
        "target": "203.0.113.10",
        "server": next(iter(sb.state["servers"])),
        "from": f"apicheck@{mail_domain}",
        "to": "someone@example.org",
    }
    declared = yaml.safe_load(recipe.read_text()).get("inputs") or {}
    required = [name for name, spec in declared.items() if spec.get("required") and "default" not in spec]
    missing = [name for name in required if name not in known]
    assert not missing, f"{recipe.name}: give the test a value for the required inputs {missing}"
    quick = ["interval"] if "interval" in declared else []  # no waiting between polls
    values = {**{name: known[name] for name in required}, **{name: "0" for name in quick}}
    return [arg for name, value in values.items() for arg in ("-p", f"{name}={value}")]


@pytest.mark.parametrize("recipe", GALLERY, ids=[p.name for p in GALLERY])
def test_gallery_recipe_fits_the_schemas(recipe: Path, strict_sandbox: Sandbox, tmp_path: Path) -> None:
    del strict_sandbox.journal[:]
    env = {**strict_sandbox.env(), "XDG_CACHE_HOME": str(tmp_path)}
    args = inputs_for(recipe, strict_sandbox)
    done = invoke_ovhflow("run", str(recipe), "--no-lock", *args, env=env, cwd=tmp_path)
    refused = [(e["method"], e["path"], e["status"]) for e in strict_sandbox.journal if e["status"] == 400]
    assert refused == []
    assert done.returncode == 0, done.stderr
    assert any(e["status"] == 200 for e in strict_sandbox.journal)
