"""The gallery recipes that replace python-ovh's two example scripts give the same rows as the scripts.

Both scripts (``serviceList.py`` and ``serviceThatWillExpired.py``, shared beside the checkout) run
unchanged with python-ovh 1.2.0 against one schema-driven sandbox, over every service type of their own
list that the sandbox serves; the recipes run against the same sandbox with the same types. A type is
served when its listing and each of its services' ``serviceInfos`` answer (the scripts stop at the first
one that does not), so the comparison widens by itself as the sandbox serves more APIs.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from ovhflow.cli import main
from ovhflow.sandbox import Sandbox
from tests.helpers import LOCK_DIR, RECIPES_DIR, SCHEMAS_DIR, SHARED

EXAMPLES = SHARED / "reference" / "python-ovh-examples"
SCRIPTS = {
    "serviceList.py": ("service-list.yaml", []),
    "serviceThatWillExpired.py": ("services-expiring.yaml", ["-p", "days=60"]),
}

# Runs an example script unchanged except for its list of service types (the scripts invite trimming
# it), with the sandbox's URL registered as a python-ovh endpoint (python-ovh knows names only).
RUNNER = """
import ast, os, sys
import ovh.client
ovh.client.ENDPOINTS[os.environ["OVH_ENDPOINT"]] = os.environ["OVH_ENDPOINT"]
source = open(sys.argv[1], encoding="utf-8").read()
tree = ast.parse(source)
for node in tree.body:
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "service_types":
        node.value = ast.parse(sys.argv[2], mode="eval").body
exec(compile(tree, sys.argv[1], "exec"), {"__name__": "__main__"})
"""


def script_service_types(script: Path) -> list[str]:
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "service_types":
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{script.name} has no service_types list")


def table_rows(text: str) -> list[list[str]]:
    """The rows of a plain text table (a header, a line of dashes, then rows), cut at the dashes."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line) <= {"-", " "})
    spans, start = [], None
    for index, char in enumerate(lines[rule] + " "):
        if char == "-" and start is None:
            start = index
        elif char != "-" and start is not None:
            spans.append((start, index))
            start = None
    spans[-1] = (spans[-1][0], None)
    return [[line[a:b].strip() for a, b in spans] for line in lines[rule + 1 :] if line.strip()]


@pytest.fixture(scope="module")
def served():
    """A schema-driven sandbox, and the service types of the scripts' list it serves."""
    import ovh as python_ovh
    import ovh.client

    with Sandbox(servers=3, bills=2, schema_dir=SCHEMAS_DIR) as sandbox:
        environment = sandbox.env()
        ovh.client.ENDPOINTS[sandbox.url] = sandbox.url
        client = python_ovh.Client(
            endpoint=sandbox.url,
            application_key=environment["OVH_APPLICATION_KEY"],
            application_secret=environment["OVH_APPLICATION_SECRET"],
            consumer_key=environment["OVH_CONSUMER_KEY"],
        )
        types = []
        for service_type in script_service_types(EXAMPLES / "serviceList.py"):
            try:
                services = client.get(f"/{service_type}")
                for service in services:
                    client.get(f"/{service_type}/{service}/serviceInfos")
            except python_ovh.exceptions.APIError:
                continue
            types.append(service_type)
        yield sandbox, types


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_recipe_gives_the_rows_of_the_python_ovh_example(served, script: str) -> None:
    sandbox, types = served
    # every type of the scripts' list is compared, but for those OVH's API has no serviceInfos for:
    # hosting/windows has no document, email/exchange's services sit one level deeper
    # (/email/exchange/{organizationName}/service/{exchangeService}) and /partner lists objects
    not_served = {"hosting/windows", "email/exchange", "partner"}
    assert set(types) == set(script_service_types(EXAMPLES / "serviceList.py")) - not_served, types
    assert len(types) == 36
    assert script_service_types(EXAMPLES / script) == script_service_types(EXAMPLES / "serviceList.py")
    env = {**os.environ, **sandbox.env(), "TZ": "UTC"}
    ran = subprocess.run(
        [sys.executable, "-c", RUNNER, str(EXAMPLES / script), repr(types)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    expected = table_rows(ran.stdout)

    recipe, params = SCRIPTS[script]
    done = CliRunner().invoke(
        main,
        ["run", str(RECIPES_DIR / recipe), "-p", f"service_types={','.join(types)}", *params],
        env={**sandbox.env(), "TZ": "UTC", "OVHFLOW_LOCK_DIR": LOCK_DIR},
    )
    assert done.exit_code == 0, done.output
    assert done.stderr.splitlines()[-1].endswith(" 0 failed"), done.stderr
    assert table_rows(done.stdout) == expected
    assert expected, "the comparison must cover some services"
    if script == "serviceList.py":
        assert {row[0] for row in expected} == set(types)


def readme_example(title: str) -> str:
    """The Python code of one example of python-ovh's README, found by its section title."""
    text = (EXAMPLES / "python-ovh-README.rst").read_text(encoding="utf-8")
    section = text.split(f"\n{title}\n", 1)[1]
    block = section.split(".. code:: python\n", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line.strip() and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def test_bill_list_prints_the_lines_of_the_readme_example(served, tmp_path: Path) -> None:
    sandbox, _ = served
    script = tmp_path / "grab_bill_list.py"
    script.write_text(readme_example("Grab bill list"), encoding="utf-8")
    env = {**os.environ, **sandbox.env()}
    ran = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script), "None"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    done = CliRunner().invoke(
        main,
        ["run", str(RECIPES_DIR / "bill-list.yaml")],
        env={**sandbox.env(), "OVHFLOW_LOCK_DIR": LOCK_DIR},
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == ran.stdout.splitlines()
    assert len(ran.stdout.splitlines()) == len(sandbox.state["bills"]) > 0
