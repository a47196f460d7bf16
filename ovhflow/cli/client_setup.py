"""Building the API client for ``auth`` and ``call``, and turning its errors into exit statuses.

Shared by the commands that talk to the API outside a recipe, so that a missing key or an API error reads
and exits the same way everywhere: configuration and credential problems exit 3, API errors 1, and each
message is one line with OVH's query id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ovhflow.cli.ovh_conf import warn_about_readable_configs
from ovhflow.errors import ConfigError, OvhflowError, StepFailed
from ovhflow.reporting.redaction import Redactor


def one_line(error: BaseException) -> str:
    """An API error's message on one line, without the query id (callers add it in a fixed form)."""
    text = str(getattr(error, "message", None) or error) or type(error).__name__
    return " ".join(text.split())


def translate_api_error(error: BaseException) -> OvhflowError:
    """The :class:`OvhflowError` that says ``error`` to a person, with the right exit status."""
    from ovhflow.ovh.exceptions import CREDENTIAL_ERRORS

    query_id = getattr(error, "query_id", None)
    if isinstance(error, CREDENTIAL_ERRORS):
        suffix = f" (OVH query id {query_id})" if query_id else ""
        return ConfigError(f"{type(error).__name__}: {one_line(error)}{suffix}")
    return StepFailed(f"{type(error).__name__}: {one_line(error)}", query_id=query_id)


@contextlib.contextmanager
def api_errors() -> Iterator[None]:
    """Re-raise the client's exceptions as :class:`OvhflowError` (exit 3 for credentials, 1 otherwise)."""
    from ovhflow.ovh.exceptions import APIError

    try:
        yield
    except APIError as error:
        raise translate_api_error(error) from error


def make_client(
    endpoint: str | None, config_file: str | None, redactor: Redactor | None = None, **options: Any
) -> Any:
    """A :class:`ovhflow.ovh.Client` from the usual lookup (options, environment, ``ovh.conf`` files).

    Warns first about any ``ovh.conf`` in the lookup that other users can read. The client's secrets
    join ``redactor``, so that even a ``--debug`` traceback masks them.
    """
    from ovhflow.ovh import Client

    warn_about_readable_configs(config_file)
    if config_file is not None:
        try:
            with open(config_file, encoding="utf-8"):
                pass
        except OSError as error:
            raise ConfigError(f"cannot read --config {config_file}: {error.strerror or error}") from None
    with api_errors():
        client = Client(endpoint=endpoint, config_file=config_file, **options)
    if redactor is not None:
        redactor.watch(client.secret_values)  # also the OAuth2 token, fetched on the first call
    return client
