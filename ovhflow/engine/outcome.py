"""How one execution of a step (or one loop item) ended, and how failures become ovhflow errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ovhflow.errors import (
    ConfigError,
    Location,
    OvhflowError,
    PlanMismatch,
    StepFailed,
    configuration_error,
    is_configuration_error,
    one_line_message,
)
from ovhflow.reporting.redaction import Redactor

STATUS_ORDER = ("failed", "changed", "planned", "ok", "skipped")  # the first present wins


@dataclass(slots=True)  # a long loop holds one per item until it ends
class Outcome:
    """``status`` is ok, changed, planned, skipped or failed.

    ``counted`` is True when the outcome's parts were counted and their errors recorded already: a
    group's outcome is made of its inner steps' outcomes, which did so themselves.
    """

    status: str
    result: Any = None
    error: str | None = None
    query_id: str | None = None
    location: Location | None = None
    counted: bool = False
    cause: BaseException | None = None  # the original exception, for --debug tracebacks

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def as_error(self, default_location: Location | None) -> StepFailed:
        error = StepFailed(self.error or "step failed", self.location or default_location, self.query_id)
        error.__cause__ = self.cause
        return error


def shown_status(step: Any, status: str) -> str:
    """The status the log, the report and the counts show: a failure under ``ignore_errors`` is
    ``ignored`` (recipes still see ``failed`` in ``steps.<id>``)."""
    return "ignored" if status == "failed" and step.ignore_errors else status


def aggregate(statuses: Iterable[str]) -> str:
    """The status of a looped step or a group from its parts; ``skipped`` when nothing ran."""
    present = set(statuses)
    for status in STATUS_ORDER:
        if status in present:
            return status
    return "skipped"


def fatal_error(error: BaseException, location: Location | None) -> OvhflowError | None:
    """The error that must stop the whole run (rejected credentials, bad configuration), else None.

    ``ignore_errors`` does not apply to these: no later step can succeed without valid credentials.
    """
    if isinstance(error, (ConfigError, PlanMismatch)):
        return error
    if is_configuration_error(error):
        return configuration_error(error, "credentials or configuration rejected", location)
    return None


def masked(outcome: Outcome, redactor: Redactor) -> Outcome:
    """``outcome`` with secrets masked in its error: the text is ovhflow's own and may quote a secret
    (a path holding a secret input), and ``steps.<id>.error`` must not let a template unmask it (by
    upper-casing it, say) before the output's redaction sees it."""
    if outcome.error:
        outcome.error = redactor.text(outcome.error)
    return outcome


def failure(error: BaseException, location: Location | None) -> Outcome:
    """A failed :class:`Outcome` for an exception raised by a step: message, location and query id."""
    query_id = getattr(error, "query_id", None)
    if isinstance(error, OvhflowError):
        message = error.message
        location = error.location or location
    else:
        message = one_line_message(error)
    return Outcome("failed", error=message, query_id=query_id, location=location, cause=error)
