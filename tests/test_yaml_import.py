"""PyYAML imported with ovhflow's cheaper NON_PRINTABLE pattern (ovhflow/files/yaml_import.py) reads
exactly the same characters as printable, and the cheaper pattern is really the one PyYAML ends up with."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml.reader

from ovhflow.files.yaml_import import NON_PRINTABLE, PYYAML_NON_PRINTABLE
from tests.helpers import REPO_ROOT


def test_the_seeded_pattern_matches_every_character_pyyamls_matches() -> None:
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    # re.UNICODE (the default for str patterns) makes another cache key: PyYAML's own class, compiled
    pyyaml = re.compile(PYYAML_NON_PRINTABLE, re.UNICODE)
    seeded = re.compile(NON_PRINTABLE)
    expected = [match.start() for match in pyyaml.finditer(every_character)]
    assert len(expected) > 2000  # controls, C1 controls, surrogates, U+FFFE and U+FFFF
    assert [match.start() for match in seeded.finditer(every_character)] == expected


def test_the_pattern_is_pyyamls_own() -> None:
    # a PyYAML with another pattern would compile its own (correct, slower): this says when to update
    source = Path(yaml.reader.__file__).read_text(encoding="utf-8")
    (call,) = [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign)
        and any(getattr(target, "id", "") == "NON_PRINTABLE" for target in node.targets)
    ]
    assert isinstance(call, ast.Call) and ast.literal_eval(call.args[0]) == PYYAML_NON_PRINTABLE


def test_pyyaml_gets_the_seeded_pattern_when_ovhflow_loads_plugins() -> None:
    # the order ovhflow's commands import in; a module importing yaml before the seed would undo it
    code = (
        "import ovhflow.cli, ovhflow.plugin.manager, yaml.reader\n"
        "print(yaml.reader.Reader.NON_PRINTABLE.pattern)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60, check=True
    )
    assert shown.stdout.strip() == NON_PRINTABLE
