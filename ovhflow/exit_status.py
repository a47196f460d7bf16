"""The exit codes of the ``ovhflow`` command, documented in the README."""

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a process exit code means, so cron wrappers and scripts can tell failures apart."""

    SUCCESS = 0
    STEP_FAILED = 1  # an API error, assert, fail or exhausted until
    INVALID_INPUT = 2  # invalid recipe, inputs or usage, found before any request
    CONFIG_ERROR = 3  # configuration or credentials missing or rejected
    LOCKED = 4  # another run of the same recipe holds the lock
    PLAN_CHANGED = 5  # applying a plan: a write it does not have was needed (the API changed); not sent
    INTERRUPTED_INT = 130  # Ctrl-C
    INTERRUPTED_TERM = 143  # SIGTERM
