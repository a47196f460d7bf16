"""The input values of a run, from -p, --params, env and defaults, each converted to its declared type.

Values are converted before anything runs, so a wrong value is an exit-2 error up front instead of an
API error halfway through. The value of a ``secret`` input never appears in a message. An optional input
(``required: false``) with no default and no value is left out of ``inputs``, so that ``inputs.x is
defined`` and ``inputs.x | default(...)`` work as in Ansible.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ovhflow.errors import Location, RecipeError, UsageError, raise_all
from ovhflow.recipe.inputs import TYPE_WORDS, convert, matches_type, non_finite_number, without_positions
from ovhflow.recipe.messages import describe, kind, preview
from ovhflow.recipe.model import MISSING, InputSpec
from ovhflow.recipe.yaml_loader import LocatedDict, load_yaml_file
from ovhflow.text.suggestions import did_you_mean

if TYPE_CHECKING:
    from ovhflow.recipe.model import Recipe


def _check_param_names(params: Mapping[str, str], specs: Mapping[str, InputSpec]) -> None:
    """A ``-p`` naming no input is a usage error, with the nearest name and the inputs there are."""
    for name in params:
        if name not in specs:
            raise UsageError(f"-p {name}: {_no_such_input(name, specs)}")


def _no_such_input(name: str, specs: Mapping[str, InputSpec]) -> str:
    """The recipe has no input ``name``: the nearest name it has, and all of them."""
    declared = ", ".join(specs) or "none"
    return f"the recipe has no input {name!r}{did_you_mean(name, specs)} (its inputs: {declared})"


def _read_params_file(
    path: str | Path, specs: Mapping[str, InputSpec]
) -> tuple[dict[str, Any], LocatedDict | None]:
    """The params file's values (and where each is written); a file that is not a mapping, or that
    names no input, is a recipe error at the place."""
    document = load_yaml_file(path, what="params")
    if not isinstance(document, dict):
        raise RecipeError(
            f"a params file is a mapping of input names to values, got {kind(document)}",
            getattr(document, "location", None) or Location(str(path), 1, 1),
        )
    located = document if isinstance(document, LocatedDict) else None
    for name in document:
        if name not in specs:
            where = located.key_locations.get(name) if located is not None else None
            raise RecipeError(f"params file: {_no_such_input(name, specs)}", where)
    return document, located


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
    _check_param_names(params, specs)
    file_values, located = _read_params_file(params_file, specs) if params_file is not None else ({}, None)
    values: dict[str, Any] = {}
    errors: list[RecipeError | UsageError] = []
    planned = planned or {}
    for name, spec in specs.items():
        if name in planned and name not in params and name not in file_values:
            values[name] = planned[name]
            continue
        try:
            value, found = _value_of(spec, params, file_values, located, environ, str(params_file))
            if found:
                _check_value(spec, value, planned, name in params, located)
                values[name] = value
            elif spec.required and name not in deferred:
                errors.append(_missing(spec))
        except (RecipeError, UsageError) as error:
            errors.append(error)
    raise_all(errors)
    return values


def _missing(spec: InputSpec) -> RecipeError:
    """A required input no source gives: how to give it (``-p``, or its ``env:`` variable)."""
    hint = f" or set ${spec.env}" if spec.env else ""
    about = f" ({spec.description})" if spec.description else ""
    return RecipeError(f"missing required input {spec.name!r}{about}: pass -p {spec.name}=VALUE{hint}")


def _check_value(
    spec: InputSpec, value: Any, planned: Mapping[str, Any], given_by_p: bool, located: LocatedDict | None
) -> None:
    """Refuse a value outside the input's choices, or not the one the applied plan was made with."""
    if spec.choices is not None and value not in spec.choices:
        shown = "the value" if spec.secret else preview(value)
        allowed = ", ".join(str(c) for c in spec.choices)
        raise RecipeError(f"input {spec.name!r}: {shown} is not one of {allowed}")
    if spec.name in planned and value != planned[spec.name]:
        raise _not_the_planned_value(spec.name, given_by_p, located)


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
