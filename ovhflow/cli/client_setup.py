"""Building the API client for ``auth`` and ``call``, and turning its errors into exit statuses.

Shared by the commands that talk to the API outside a recipe, so that a missing key or an API error reads
and exits the same way everywhere: configuration and credential problems exit 3, API errors 1, and each
message is one line with OVH's query id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ovhflow.cli.ovh_conf import warn_about_readable_configs
from ovhflow.errors import (
    ConfigError,
    OvhflowError,
    StepFailed,
    configuration_error,
    is_configuration_error,
    one_line_message,
)
from ovhflow.reporting.redaction import Redactor

if TYPE_CHECKING:
    from ovhflow.ovh import Client


def translate_api_error(error: BaseException) -> OvhflowError:
    """The :class:`OvhflowError` that says ``error`` to a person, with the right exit status."""
    if is_configuration_error(error):
        return configuration_error(error)
    return StepFailed(
        f"{type(error).__name__}: {one_line_message(error)}", query_id=getattr(error, "query_id", None)
    )


@contextlib.contextmanager
def api_errors() -> Iterator[None]:
    """Re-raise the client's exceptions as :class:`OvhflowError` (exit 3 for credentials, 1 otherwise)."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.ovh.exceptions import APIError

    try:
        yield
    except APIError as error:
        raise translate_api_error(error) from error


def make_client(
    endpoint: str | None, config_file: str | None, redactor: Redactor | None = None, **options: Any
) -> Client:
    """A :class:`ovhflow.ovh.Client` from the usual lookup (options, environment, ``ovh.conf`` files),
    for the commands that talk to the API outside a recipe (``auth``, ``call``).

    Warns first about any ``ovh.conf`` in the lookup that other users can read.
    """
    warn_about_readable_configs(config_file)
    if config_file is not None:
        try:
            with open(config_file, encoding="utf-8"):
                pass
        except OSError as error:
            raise ConfigError(f"cannot read --config {config_file}: {error.strerror or error}") from None
    return new_client(redactor, endpoint=endpoint, config_file=config_file, **options)


def new_client(redactor: Redactor | None, **settings: Any) -> Client:
    """The one place a command builds its client: a configuration problem (unknown endpoint, missing
    keys, unreadable config) is a :class:`ConfigError` (exit 3) before any request is sent, and the
    client's secrets join ``redactor`` so that even a ``--debug`` traceback masks them."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.ovh import Client
    from ovhflow.ovh.exceptions import APIError

    try:
        client = Client(**settings)
    except (APIError, OSError, ValueError) as error:  # all say the settings are wrong or unreadable
        raise configuration_error(error, "configuration") from error
    if redactor is not None:
        redactor.watch(client.secret_values)  # also the OAuth2 token, fetched on the first call
    return client


@contextlib.contextmanager
def open_client(
    sandbox: bool, sandbox_schemas: str | None, pool_size: int, redactor: Redactor, **settings: Any
) -> Iterator[Client]:
    """The client of ``ovhflow run`` and ``call``: against an in-process sandbox (started here, stopped on
    exit; it serves the whole API from ``sandbox_schemas`` or the schema cache, as ``ovhflow sandbox``
    does), or from the OVH configuration (``settings``: endpoint, config_file, rate_limit...)."""
    with contextlib.ExitStack() as stack:
        if sandbox:
            from ovhflow.sandbox import Sandbox  # only --sandbox loads the sandbox
            from ovhflow.sandbox.schema_store import find_schema_dir

            box = stack.enter_context(Sandbox(schema_dir=find_schema_dir(sandbox_schemas)))
            settings = {**settings, "endpoint": None, "config_file": None, **box.credentials}
        client = new_client(redactor, **settings, pool_size=pool_size)
        stack.callback(client.close)
        yield client
