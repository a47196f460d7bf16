"""Recipe inputs: their declared specs, and the values a run gets from -p, --params, env and defaults.

Values are converted to the declared type before anything runs, so a wrong value is an exit-2 error up
front instead of an API error halfway through. The value of a ``secret`` input never appears in a message.
An optional input (``required: false``) with no default and no value is left out of ``inputs``, so that
``inputs.x is defined`` and ``inputs.x | default(...)`` work as in Ansible.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovhflow.errors import Location, RecipeError, UsageError, raise_all
from ovhflow.recipe.messages import describe, kind, preview, unquoted
from ovhflow.recipe.model import MISSING, InputSpec
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList, load_yaml_file, parse_yaml
from ovhflow.text.suggestions import did_you_mean

if TYPE_CHECKING:
    from ovhflow.recipe.model import Recipe

TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "list": "a list",
    "object": "a mapping",
}
# ASCII digits only: Python's int() and float() also read "١٢٣" (Arabic-Indic digits) and "1_0.5".
_INTEGER = re.compile(r"[+-]?[0-9]{1,4000}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,4000}(?:\.[0-9]{0,4000})?|\.[0-9]{1,4000})(?:[eE][+-]?[0-9]{1,4})?")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def without_positions(value: Any) -> Any:
    """A copy without file positions: plain dicts and lists, as the engine and JSON want them."""
    if isinstance(value, dict):
        return {key: without_positions(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_positions(item) for item in value]
    return copy.copy(value)


def matches_type(value: Any, type_name: str) -> bool:
    """Whether a (YAML or JSON) value already has an input type."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def convert(text: str, type_name: str, source: str) -> Any:
    """Convert text from the command line or the environment; ValueError says what was expected."""
    if type_name == "string":
        return text
    stripped = text.strip()
    if type_name == "integer":
        if not _INTEGER.fullmatch(stripped):
            raise ValueError("expected an integer such as 42")
        return int(stripped)
    if type_name == "number":
        if _INTEGER.fullmatch(stripped):
            return int(stripped)
        if _DECIMAL.fullmatch(stripped):
            number = float(stripped)
        elif stripped.lstrip("+-").lower() in ("nan", "inf", "infinity"):
            number = math.nan
        else:
            raise ValueError("expected a number such as 1.5 (ASCII digits 0-9, no '_')")
        if not math.isfinite(number):
            raise ValueError("expected a finite number (JSON has no NaN or infinity)")
        return number
    if type_name == "boolean":
        if stripped.lower() in _TRUE:
            return True
        if stripped.lower() in _FALSE:
            return False
        raise ValueError("expected true or false")
    if type_name == "list":
        if stripped.startswith("["):
            value = _parse_inline(stripped, source)
            if not isinstance(value, list):
                raise ValueError("expected a list such as [a, b] or a,b")
            return _finite(without_positions(value))
        return [part.strip() for part in stripped.split(",")] if stripped else []
    value = _parse_inline(stripped, source)
    if not isinstance(value, dict):
        raise ValueError("expected a mapping such as {key: value}")
    return _finite(without_positions(value))


def non_finite_number(value: Any, where: str = "") -> str | None:
    """Where in ``value`` (a JSON-like structure) a NaN or an infinity sits, else None.

    JSON has neither: Python's ``json`` would send them as the bare words ``NaN``/``Infinity``."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "the value"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = non_finite_number(item, f"{where}.{key}" if where else str(key))
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = non_finite_number(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def _finite(value: Any) -> Any:
    found = non_finite_number(value)
    if found is not None:
        raise ValueError(f"{found} is NaN or infinite, which JSON cannot carry")
    return value


def _yaml_number_quirk(written: str | None) -> str | None:
    """Why a number written so in a YAML file is almost surely a typo (YAML 1.1 reads ``1_0.5`` as 10.5,
    ``0x1F`` as 31, ``017`` as 15 and ``1:30`` as 90), or None for a plain decimal."""
    if written is None:
        return None
    digits = written.lstrip("+-")
    if "_" in digits:
        return "has a '_'"
    if digits[:2].lower() in ("0x", "0b"):
        return "is hexadecimal" if digits[1] in "xX" else "is binary"
    if ":" in digits:
        return "is sexagesimal (base 60)"
    if len(digits) > 1 and digits[0] == "0" and digits.isdigit():
        return "is octal (a leading 0)"
    return None


def _parse_inline(text: str, source: str) -> Any:
    try:
        return parse_yaml(text, source)
    except RecipeError as error:
        raise ValueError(f"not valid YAML/JSON ({error.message})") from None


def build_input_specs(raw: Any) -> tuple[dict[str, InputSpec], list[RecipeError]]:
    """InputSpecs from the (schema-valid) ``inputs:`` mapping, and any contradiction in them."""
    specs: dict[str, InputSpec] = {}
    errors: list[RecipeError] = []
    if not isinstance(raw, dict):
        return specs, errors
    for name, spec in raw.items():
        spec = spec if isinstance(spec, dict) else {}
        where = spec.value_locations.get if isinstance(spec, LocatedDict) else (lambda _k, d=None: d)
        location = raw.value_locations.get(name) if isinstance(raw, LocatedDict) else None
        type_name = spec.get("type", "string")
        default = without_positions(spec["default"]) if "default" in spec else MISSING
        required = spec.get("required", default is MISSING)
        choices = without_positions(spec["choices"]) if "choices" in spec else None
        secret = bool(spec.get("secret"))  # its default is described by size, never quoted
        if "required" in spec and spec["required"] and default is not MISSING:
            errors.append(
                RecipeError(
                    f"inputs.{name}: required: true and a default contradict each other, drop one",
                    where("required", location),
                )
            )
        if default is not MISSING and default is not None and not matches_type(default, type_name):
            errors.append(
                RecipeError(
                    f"inputs.{name}.default: expected {TYPE_WORDS[type_name]}, "
                    f"got {unquoted(default) if secret else describe(default)}",
                    where("default", location),
                )
            )
        for index, choice in enumerate(choices or []):
            if not matches_type(choice, type_name):
                choice_location = location
                if isinstance(spec.get("choices"), LocatedList):
                    choice_location = spec["choices"].item_locations[index]
                errors.append(
                    RecipeError(
                        f"inputs.{name}.choices[{index}]: expected {TYPE_WORDS[type_name]}, "
                        f"got {describe(choice)}",
                        choice_location,
                    )
                )
        if choices and default not in (MISSING, None) and default not in choices:
            errors.append(
                RecipeError(
                    f"inputs.{name}.default: {unquoted(default) if secret else preview(default)} is not "
                    "one of its choices",
                    where("default", location),
                )
            )
        specs[name] = InputSpec(
            name=name,
            type=type_name,
            default=default,
            required=bool(required),
            description=spec.get("description", ""),
            env=spec.get("env"),
            secret=bool(spec.get("secret", False)),
            choices=choices,
            location=location,
            env_location=where("env", location),
        )
    return specs, errors


def _read_params_file(path: str | Path) -> tuple[dict[str, Any], LocatedDict | None]:
    document = load_yaml_file(path, what="params")
    if not isinstance(document, dict):
        raise RecipeError(
            f"a params file is a mapping of input names to values, got {kind(document)}",
            getattr(document, "location", None) or Location(str(path), 1, 1),
        )
    return document, document if isinstance(document, LocatedDict) else None


def resolve_inputs(
    recipe: Recipe,
    params: Mapping[str, str],
    params_file: str | Path | None,
    environ: Mapping[str, str],
    planned: Mapping[str, Any] | None = None,
    deferred: Collection[str] = (),
) -> dict[str, Any]:
    """The input values of a run: ``-p`` first, then ``--params``, then ``env:``, then ``default``.

    ``planned`` holds the values a saved plan was made with (``run --plan``): they win over ``env:`` and
    ``default``; a ``-p`` that gives another value is a :class:`UsageError`, a ``--params`` file that
    does a :class:`RecipeError` at the value (a plan binds the inputs' values, not the files they came
    from).

    Raises :class:`UsageError` for an unknown ``-p`` name, :class:`RecipeError` (or
    :class:`RecipeErrors` for several) for missing required inputs and values of the wrong type.
    Inputs named in ``deferred`` may be missing: ``ovhflow cron`` checks a job whose environment (and
    so the inputs read with ``env:``) only exists when it runs.
    """
    specs = recipe.inputs
    declared = ", ".join(specs) or "none"
    for name in params:
        if name not in specs:
            raise UsageError(
                f"-p {name}: the recipe has no input {name!r}{did_you_mean(name, specs)} "
                f"(its inputs: {declared})"
            )
    file_values: dict[str, Any] = {}
    located: LocatedDict | None = None
    if params_file is not None:
        file_values, located = _read_params_file(params_file)
        for name in file_values:
            if name not in specs:
                where = located.key_locations.get(name) if located is not None else None
                raise RecipeError(
                    f"params file: the recipe has no input {name!r}{did_you_mean(name, specs)} "
                    f"(its inputs: {declared})",
                    where,
                )
    values: dict[str, Any] = {}
    errors: list[RecipeError | UsageError] = []
    planned = planned or {}
    for name, spec in specs.items():
        if name in planned and name not in params and name not in file_values:
            values[name] = planned[name]
            continue
        try:
            value, found = _value_of(spec, params, file_values, located, environ, str(params_file))
        except (RecipeError, UsageError) as error:
            errors.append(error)
            continue
        if not found:
            if spec.required and name not in deferred:
                hint = f" or set ${spec.env}" if spec.env else ""
                about = f" ({spec.description})" if spec.description else ""
                errors.append(
                    RecipeError(f"missing required input {name!r}{about}: pass -p {name}=VALUE{hint}")
                )
            continue
        if spec.choices is not None and value not in spec.choices:
            shown = "the value" if spec.secret else preview(value)
            allowed = ", ".join(str(c) for c in spec.choices)
            errors.append(RecipeError(f"input {name!r}: {shown} is not one of {allowed}"))
            continue
        if name in planned and value != planned[name]:
            errors.append(_not_the_planned_value(name, name in params, located))
            continue
        values[name] = value
    raise_all(errors)
    return values


def _not_the_planned_value(
    name: str, given_by_p: bool, located: LocatedDict | None
) -> RecipeError | UsageError:
    """A value ``-p`` or the ``--params`` file gives that is not the one the applied plan was made with."""
    if given_by_p:
        return UsageError(f"-p {name}: the plan was made with another value; drop -p {name}")
    return RecipeError(
        f"params file: input {name!r}: the plan was made with another value; make a new plan with this "
        "file (--check --plan-out) or leave the input out of it",
        located.value_locations.get(name) if located is not None else None,
    )


def _value_of(
    spec: InputSpec,
    params: Mapping[str, str],
    file_values: Mapping[str, Any],
    located: LocatedDict | None,
    environ: Mapping[str, str],
    params_file: str,
) -> tuple[Any, bool]:
    name = spec.name
    if name in params:
        return _converted(params[name], spec, f"-p {name}", UsageError, None), True
    if name in file_values:
        value = file_values[name]
        where = located.value_locations.get(name) if located is not None else None
        if isinstance(value, str) and spec.type != "string":
            return _converted(value, spec, f"params file: {name}", RecipeError, where), True
        written = located.number_texts.get(name) if located is not None else None
        quirk = _yaml_number_quirk(written) if spec.type in ("integer", "number") else None
        if quirk is not None and not spec.secret:  # a secret's digits are not echoed
            raise RecipeError(
                f"params file: input {name!r}: {written} {quirk}, which YAML reads as {value}: write the "
                "number in plain decimal digits (or quote it if it is text)",
                where,
            )
        if quirk is not None:
            raise RecipeError(f"params file: input {name!r}: the value {quirk}: write plain digits", where)
        if value is not None and not matches_type(value, spec.type):
            what = "a value of another type" if spec.secret else describe(value)
            raise RecipeError(
                f"params file: input {name!r} expects {TYPE_WORDS[spec.type]}, got {what}", where
            )
        found = non_finite_number(value)
        if found is not None:
            raise RecipeError(f"params file: input {name!r}: {found} is NaN or infinite (not JSON)", where)
        return without_positions(value), True
    if spec.env and spec.env in environ:
        return _converted(environ[spec.env], spec, f"${spec.env} (input {name!r})", RecipeError, None), True
    if spec.default is not MISSING:
        return copy.deepcopy(spec.default), True
    return None, False


def _converted(text: str, spec: InputSpec, source: str, error: type, where: Location | None) -> Any:
    try:
        text.encode("utf-8")  # undecodable bytes in argv or the environment arrive as lone surrogates
    except UnicodeEncodeError:
        raise error(f"{source}: the value is not valid UTF-8 text", where) from None
    try:
        return convert(text, spec.type, source)
    except ValueError as exc:
        if spec.secret:  # the reason could quote part of the value
            raise error(f"{source}: the value is not {TYPE_WORDS[spec.type]}", where) from None
        raise error(f"{source}: {preview(text)} is not {TYPE_WORDS[spec.type]}: {exc}", where) from None
