"""What a validated recipe is: the objects the engine runs, built only from a valid recipe."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovhflow.errors import Location


class _Missing:
    """The default of an input that has none (``None`` is a valid default)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

INPUT_TYPES = ("string", "integer", "number", "boolean", "list", "object")

# Step keys that are not actions: they change how (or whether, or how often) the action runs.
MODIFIERS = (
    "id",
    "name",
    "when",
    "loop",
    "as",
    "concurrency",
    "until",
    "retries",
    "delay",
    "backoff",
    "ignore_errors",
    "log",
    "keep",
)

# Actions the recipe language itself provides; every other action comes from a plugin.
GROUP_ACTION = "steps"
INCLUDE_ACTION = "include"
CORE_ACTIONS = (GROUP_ACTION, INCLUDE_ACTION)

# Names every template sees without declaring them (the engine provides them at run time).
CONTEXT_NAMES = frozenset({"inputs", "steps", "run", "now"})
# Extra names in a looped step (besides its loop variable), and in `until` / the `log:` modifier.
LOOP_NAMES = frozenset({"loop"})
RESULT_NAMES = frozenset({"result"})
RESERVED_NAMES = CONTEXT_NAMES | LOOP_NAMES | RESULT_NAMES  # no `as:` or variable may hide these
SET_RESERVED_NAMES = RESERVED_NAMES | {"item"}  # `set: {item: ...}` would hide the default loop variable

DEFAULT_RETRIES = 3  # with `until` and no `retries`, as in Ansible
DEFAULT_DELAY = 5.0


@dataclass
class InputSpec:
    """One declared input: its type, default and where else its value may come from."""

    name: str
    type: str = "string"
    default: Any = MISSING
    required: bool = True
    description: str = ""
    env: str | None = None
    secret: bool = False
    choices: list[Any] | None = None
    location: Location | None = None
    env_location: Location | None = None  # where `env:` names its variable

    def __repr__(self) -> str:  # a secret input's default stays out of logs and tracebacks
        default = "***" if self.secret and self.default is not MISSING else repr(self.default)
        return (
            f"InputSpec(name={self.name!r}, type={self.type!r}, default={default}, required={self.required}, "
            f"secret={self.secret}, env={self.env!r})"
        )


@dataclass
class Step:
    """One step: exactly one action plus its modifiers, templates kept raw for the engine to render."""

    action: str
    args: Any
    location: Location
    id: str | None = None
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    when: Any = None  # a bare expression string, or a literal boolean
    loop: Any = None  # a list, or a template string that gives one
    as_: str = "item"
    concurrency: int | str | None = None  # str: a template the engine renders
    until: Any = None
    retries: int | str = 0
    delay: float | str = 0.0
    backoff: float | str = 1.0
    ignore_errors: bool = False
    log: str | None = None  # the message printed after the action (the `log` action has it in args)
    keep: Any = True  # what steps.<id> records of the result: all (True), nothing (False), or a template
    steps: list[Step] = field(default_factory=list)
    include: Path | None = None
    with_: dict[str, Any] | None = None
    included: Recipe | None = None  # the included recipe (its inputs give defaults for `with`)
    key_locations: dict[str, Location] = field(default_factory=dict)
    value_locations: dict[str, Location] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How logs name the step: its name, its id, or its action."""
        return self.name or self.id or self.action


@dataclass
class Recipe:
    """A loaded, validated recipe."""

    name: str
    path: Path
    steps: list[Step]
    description: str = ""
    inputs: dict[str, InputSpec] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    raw: Any = field(default=None, repr=False)  # the parsed file (it may hold a secret input's default)
    sha256: str = ""  # of the file's bytes as the loader read them (a saved plan binds the recipe by it)

    def included_recipes(self) -> list[Recipe]:
        """Every recipe this one includes, directly or through another, each once, in order."""
        found: dict[int, Recipe] = {}
        pending = list(reversed(self.steps))
        while pending:
            step = pending.pop()
            if step.included is not None:
                if id(step.included) in found:
                    continue  # its steps were walked (a file included twice is loaded once)
                found[id(step.included)] = step.included
            pending.extend(reversed(step.steps))
        return list(found.values())
