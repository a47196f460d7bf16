"""The recipe language: loading, validating and describing recipe files, and resolving their inputs.

``load_recipe`` parses a file with line and column for every key, validates it against
``build_recipe_schema`` (core language plus every plugin action and section), compiles every template and
checks the names they use, and returns a :class:`Recipe`; every problem is a located :class:`RecipeError`.
"""

from ovhflow.recipe.input_values import resolve_inputs
from ovhflow.recipe.loader import load_recipe
from ovhflow.recipe.model import (
    CONTEXT_NAMES,
    INPUT_TYPES,
    MISSING,
    MODIFIERS,
    InputSpec,
    Recipe,
    Step,
)
from ovhflow.recipe.params import parse_params
from ovhflow.recipe.schema import build_recipe_schema
from ovhflow.recipe.yaml_loader import MAX_DEPTH, MAX_FILE_SIZE, MAX_NODES, LocatedDict, LocatedList

__all__ = [
    "CONTEXT_NAMES",
    "INPUT_TYPES",
    "MAX_DEPTH",
    "MAX_FILE_SIZE",
    "MAX_NODES",
    "MISSING",
    "MODIFIERS",
    "InputSpec",
    "LocatedDict",
    "LocatedList",
    "Recipe",
    "Step",
    "build_recipe_schema",
    "load_recipe",
    "parse_params",
    "resolve_inputs",
]
