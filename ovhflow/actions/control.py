"""The control actions: ``set`` (variables), ``log`` (a message), ``print`` (a line of output),
``assert`` and ``fail``.

``set`` and ``assert`` render their own arguments: ``set`` so that a value derived from a write check
mode only planned still becomes a (planned) variable instead of blocking the step, and ``assert``
because its arguments are bare expressions, evaluated rather than rendered.
"""

from __future__ import annotations

from typing import Any

from ovhflow import hookimpl
from ovhflow.errors import StepFailed
from ovhflow.plugin_api import ActionCall, ActionSpec

NAME = r"^[a-z_][a-z0-9_]*$"
SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": NAME},
    "description": "Variables for later steps: name -> value (templates keep native types).",
}
MESSAGE: dict[str, Any] = {"type": "string", "minLength": 1}
EXPRESSION: dict[str, Any] = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "boolean"}]}
ASSERT_SCHEMA: dict[str, Any] = {
    "anyOf": [EXPRESSION, {"type": "array", "minItems": 1, "items": EXPRESSION}],
    "description": "A bare expression, or a list of them, that must all be true.",
}


def run_set(call: ActionCall) -> dict[str, Any]:
    values = call.render(call.args)
    call.set_variables(values)
    return values


def run_log(call: ActionCall) -> str:
    text = str(call.args)
    call.log(text)
    return text


def run_print(call: ActionCall) -> str:
    """A line (or lines) on stdout, as the script's ``print`` would: for cron jobs that pipe or mail it."""
    text = "" if call.args is None else str(call.args)
    call.output(text)
    return text


def run_assert(call: ActionCall) -> bool:
    expressions = call.args if isinstance(call.args, list) else [call.args]
    for expression in expressions:
        if not call.evaluate(expression):
            message = call.options.get("message")
            text = str(call.render(message)) if message is not None else f"assertion failed: {expression}"
            raise StepFailed(text)
    return True


def run_fail(call: ActionCall) -> None:
    raise StepFailed(str(call.args))


@hookimpl
def ovhflow_actions() -> list[ActionSpec]:
    return [
        ActionSpec(
            "set", run_set, SET_SCHEMA, lazy=frozenset({"args"}), description=SET_SCHEMA["description"]
        ),
        ActionSpec(
            "log", run_log, MESSAGE, description="Print a message (stderr) for the person running it."
        ),
        ActionSpec(
            "print",
            run_print,
            {"type": ["string", "number", "boolean"]},
            description="Print a line of text to stdout (a result, without time stamps or quotes).",
        ),
        ActionSpec(
            "assert",
            run_assert,
            ASSERT_SCHEMA,
            {"message": {**MESSAGE, "description": "The error message when an expression is false."}},
            lazy=frozenset({"args", "message"}),
            description="Fail the step unless every expression is true.",
        ),
        ActionSpec("fail", run_fail, MESSAGE, description="Fail the step with this message."),
    ]
