"""A recipe's ``inputs:`` as :class:`~ovhflow.recipe.model.InputSpec` objects, and the contradictions in
them (a required input with a default, a default or a choice of another type, a default that is not one
of the choices): errors of the recipe itself, said at load time with their place, before any value is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ovhflow.errors import Location, RecipeError
from ovhflow.recipe.inputs import TYPE_WORDS, matches_type, without_positions
from ovhflow.recipe.messages import describe, preview, unquoted
from ovhflow.recipe.model import MISSING, InputSpec
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList


def build_input_specs(raw: Any) -> tuple[dict[str, InputSpec], list[RecipeError]]:
    """InputSpecs from the (schema-valid) ``inputs:`` mapping, and any contradiction in them."""
    specs: dict[str, InputSpec] = {}
    errors: list[RecipeError] = []
    if not isinstance(raw, dict):
        return specs, errors
    for name, declared in raw.items():
        declared = declared if isinstance(declared, dict) else {}
        location = raw.value_locations.get(name) if isinstance(raw, LocatedDict) else None
        spec = _input_spec(name, declared, location)
        errors.extend(_contradictions(spec, declared))
        specs[name] = spec
    return specs, errors


def _input_spec(name: str, declared: dict[str, Any], location: Location | None) -> InputSpec:
    """One input as declared; an input without a default is required unless it says otherwise."""
    default = without_positions(declared["default"]) if "default" in declared else MISSING
    return InputSpec(
        name=name,
        type=declared.get("type", "string"),
        default=default,
        required=bool(declared.get("required", default is MISSING)),
        description=declared.get("description", ""),
        env=declared.get("env"),
        secret=bool(declared.get("secret", False)),
        choices=without_positions(declared["choices"]) if "choices" in declared else None,
        location=location,
        env_location=_where(declared, location)("env", location),
    )


def _where(declared: dict[str, Any], location: Location | None) -> Callable[..., Location | None]:
    """Where a key of the input's declaration is written (its value), else the input's own place."""
    return declared.value_locations.get if isinstance(declared, LocatedDict) else (lambda _k, d=None: d)


def _contradictions(spec: InputSpec, declared: dict[str, Any]) -> list[RecipeError]:
    """What in the declaration contradicts itself; a secret input's default is described by its size,
    never quoted."""
    name, type_name, default, location = spec.name, spec.type, spec.default, spec.location
    where = _where(declared, location)
    errors: list[RecipeError] = []
    if declared.get("required") and default is not MISSING:
        message = f"inputs.{name}: required: true and a default contradict each other, drop one"
        errors.append(RecipeError(message, where("required", location)))
    if default is not MISSING and default is not None and not matches_type(default, type_name):
        shown = unquoted(default) if spec.secret else describe(default)
        message = f"inputs.{name}.default: expected {TYPE_WORDS[type_name]}, got {shown}"
        errors.append(RecipeError(message, where("default", location)))
    for index, choice in enumerate(spec.choices or []):
        if not matches_type(choice, type_name):
            written = declared.get("choices")
            place = written.item_locations[index] if isinstance(written, LocatedList) else location
            message = (
                f"inputs.{name}.choices[{index}]: expected {TYPE_WORDS[type_name]}, got {describe(choice)}"
            )
            errors.append(RecipeError(message, place))
    if spec.choices and default not in (MISSING, None) and default not in spec.choices:
        shown = unquoted(default) if spec.secret else preview(default)
        message = f"inputs.{name}.default: {shown} is not one of its choices"
        errors.append(RecipeError(message, where("default", location)))
    return errors
