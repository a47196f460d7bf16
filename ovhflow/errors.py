"""Errors that ovhflow reports to a person, each mapped to an exit status.

Every error that reaches the command line is an :class:`OvhflowError`: the CLI prints ``str(error)``
(one line a person can act on, never a traceback unless ``--debug``) and exits with ``error.exit_status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ovhflow.exit_status import ExitStatus


@dataclass(frozen=True)
class Location:
    """Where something is in a file: 1-based line and column, as editors show them."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class OvhflowError(Exception):
    """Base class: a message for a person and the exit status that goes with it."""

    exit_status: ExitStatus = ExitStatus.STEP_FAILED

    def __init__(self, message: str, location: Location | None = None, query_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.query_id = query_id  # OVH's id of the API call that failed, for support

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (OVH query id {self.query_id})" if self.query_id else text


class RecipeError(OvhflowError):
    """The recipe file, its templates or its inputs are invalid; found before any request is sent."""

    exit_status = ExitStatus.INVALID_INPUT


class RecipeErrors(RecipeError):
    """Several recipe problems found at once; printed one per line, most relevant first."""

    def __init__(self, errors: Sequence[OvhflowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors), None)
        self.errors = list(errors)


class UsageError(OvhflowError):
    """Wrong command-line usage (unknown ``-p`` name, malformed value, ...)."""

    exit_status = ExitStatus.INVALID_INPUT


class ConfigError(OvhflowError):
    """Configuration or credentials missing or rejected."""

    exit_status = ExitStatus.CONFIG_ERROR


class StepFailed(OvhflowError):
    """A step failed at run time: an API error, ``assert``, ``fail`` or an exhausted ``until``."""

    exit_status = ExitStatus.STEP_FAILED


def raise_all(errors: Sequence[OvhflowError]) -> None:
    """Raise the one error found as it is, several as :class:`RecipeErrors` (one per line); none: return."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RecipeErrors(errors)


class LockHeld(OvhflowError):
    """Another run of the same recipe holds its lock."""

    exit_status = ExitStatus.LOCKED


class PlanMismatch(OvhflowError):
    """Applying a plan, the run needed a write the plan does not have: it was not sent, the run stops.

    Said once in full, by the run's error (``str()``: the write with its body and the nearest planned
    one); the step's line says ``message`` (the write and :data:`REASON`), the request's line the reason.
    """

    exit_status = ExitStatus.PLAN_CHANGED
    REASON = "not in the reviewed plan, so not sent"

    def __init__(self, method: str, path: str, described: str, nearest: str) -> None:
        super().__init__(f"{method} {path}: {self.REASON}")
        self.full = f"{described}: {self.REASON}; {nearest}"

    def __str__(self) -> str:
        return f"{self.location}: {self.full}" if self.location else self.full


class PluginError(OvhflowError):
    """A plugin failed to import or declares a hook that does not exist."""

    exit_status = ExitStatus.INVALID_INPUT


def one_line_message(error: BaseException) -> str:
    """What an exception from a library says, on one line: its ``explained`` message (an API error's
    message and hint) or ``message`` (python-ovh's errors put the query id on a second line, which callers
    report separately), else ``str(error)``, else its type."""
    text = str(getattr(error, "explained", None) or getattr(error, "message", None) or error)
    text = text or type(error).__name__
    return " ".join(text.split())


def http_status(error: BaseException) -> int | None:
    """The HTTP status of the response an exception carries (requests and python-ovh style), if any."""
    return getattr(getattr(error, "response", None), "status_code", None)


def is_configuration_error(error: BaseException) -> bool:
    """Whether the client raised ``error`` because its credentials or configuration are wrong (a key
    unknown or revoked, a missing endpoint, an unknown region): no later call can succeed."""
    # lazy: every command imports this module at start-up; the client's exceptions bring requests
    from ovhflow.ovh.exceptions import CREDENTIAL_ERRORS

    return isinstance(error, CREDENTIAL_ERRORS)


def configuration_error(
    error: BaseException, what: str = "", location: Location | None = None
) -> ConfigError:
    """``error`` as the :class:`ConfigError` (exit 3) a person reads: ``WHAT: MESSAGE`` on one line (``WHAT``
    is the error's type unless given), with OVH's query id. The one conversion of the client's credential
    and configuration errors: ``call`` and ``auth``, building any command's client, a run's steps.

    The message is the API's or the client's own text (:func:`one_line_message`), which never holds a
    credential: :mod:`ovhflow.ovh.exceptions` builds them from what the API answered or what is missing.
    """
    message = f"{what or type(error).__name__}: {one_line_message(error)}"
    return ConfigError(message, location, getattr(error, "query_id", None))
