"""``ovhflow call``: one API call from the shell, to explore the API before writing a recipe.

Arguments are httpie-style (:mod:`ovhflow.recipe.params`, the parser of ``-p`` too): ``name=value`` sends
a string, ``name:=json`` a JSON value (number, boolean, list, object). They become the query string of a
GET or DELETE and the JSON body of a POST or PUT, exactly as python-ovh's keyword arguments do, through
the same client (signing, retries, errors) as recipes.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any

import click

from ovhflow.cli.client_setup import api_errors, make_client, open_client
from ovhflow.cli.common import client_deadline, debug_option, reported_errors, timeout_option
from ovhflow.cli.unattended import redact_tracebacks
from ovhflow.errors import UsageError
from ovhflow.reporting.redaction import Redactor

METHODS = ("GET", "POST", "PUT", "DELETE")


def path_with_arguments(path: str, arguments: dict[str, Any]) -> str:
    """``path`` with ``arguments`` as its query string, encoded as the client encodes GET arguments."""
    if not arguments:
        return path
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.ovh.signing import canonical_kwargs, query_string, with_query

    return with_query(path, query_string(canonical_kwargs(arguments)))


def send(client: Any, verb: str, path: str, arguments: dict[str, Any], auth: bool) -> tuple[Any, str, bool]:
    """One call as python-ovh's shortcuts shape it (arguments as the query of a GET or DELETE, the body
    of a POST or PUT); returns the decoded answer, its status line (e.g. ``204 No Content``) and whether
    the answer is text: a write answered 2xx with a body that is not JSON was applied, as ``run`` says."""
    # lazy: start-up, as path_with_arguments
    from ovhflow.ovh.exceptions import InvalidResponse, applied_text
    from ovhflow.ovh.signing import canonical_kwargs

    query_path, body = (
        (path_with_arguments(path, arguments), None)
        if verb in ("GET", "DELETE")
        else (path, canonical_kwargs(arguments) or None)
    )
    try:
        answer, response = client.call_with_response(verb, query_path, body, auth)
    except InvalidResponse as error:
        response = applied_text(verb, error)
        if response is None:
            raise
        return response.text, f"{response.status_code} {response.reason}".strip(), True
    return answer, f"{response.status_code} {response.reason}".strip(), False


def format_result(result: Any, pretty: bool) -> str:
    """Indented for a person at a terminal, one compact line for a pipe."""
    if pretty:
        return json.dumps(result, indent=2, ensure_ascii=False)
    return json.dumps(result, separators=(",", ":"), ensure_ascii=False)


def checked_verb(method: str, path: str) -> str:
    """The upper-cased method, refused (usage error) when it or the path is not one a call can send."""
    verb = method.upper()
    if verb not in METHODS:
        raise UsageError(f"method {method!r}: expected one of {', '.join(METHODS)}")
    if not path.startswith("/"):
        raise UsageError(f"path {path!r} must start with /")
    if "#" in path:  # a URL's fragment is never sent: the path signed would not be the one the API reads
        raise UsageError(f"path {path!r} has a '#': a URL fragment is never sent; write a literal # as %23")
    return verb


def check_option_combinations(
    verb: str,
    path: str,
    sandbox: bool,
    names_an_account: str | None,
    no_auth: bool,
    all_pages: bool,
    page_size: int | None,
) -> None:
    """Options that make no sense together are refused before any client is built (usage error)."""
    if page_size is not None and not all_pages:
        raise UsageError("--page-size goes with --all")
    if all_pages and (verb != "GET" or not path.startswith("/v2/") or no_auth):
        raise UsageError("--all follows the cursor pages of a signed GET on a /v2/... listing")
    if sandbox and names_an_account:
        raise UsageError("--sandbox calls a local sandbox: drop --endpoint and --config")


def print_answer(request: str, result: Any, status: str | None, text: bool) -> None:
    """The answer on stdout; an answer without a body is said on stderr (``no content``), never as
    ``null``, so a pipe reading stdout gets nothing rather than a JSON value the API did not send."""
    if status is not None and (result is None or text and not result):
        click.echo(f"{request}: {status}, no content", err=True)
        return
    click.echo(result if text else format_result(result, pretty=sys.stdout.isatty()))


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("method")
@click.argument("path")
@click.argument("params", nargs=-1)
@click.option("--sandbox", is_flag=True, help="Call a fresh local sandbox API (no account needed).")
@click.option("--endpoint", help="Endpoint name (ovh-eu, ovh-ca, ...) or URL.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Also read this ovh.conf.")
@click.option("--no-auth", is_flag=True, help="Send the call unsigned (e.g. GET /auth/time).")
@click.option("--all", "all_pages", is_flag=True, help="GET every page of a /v2 listing (cursor pagination).")
@click.option("--page-size", type=click.IntRange(min=1), help="Items per page with --all.")
@timeout_option
@debug_option
def call(
    method: str,
    path: str,
    params: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    config_file: str | None,
    no_auth: bool,
    all_pages: bool,
    page_size: int | None,
    timeout: float | None,
    debug: bool,
) -> None:
    """Send one API call and print its JSON answer.

    \b
    Examples:
      ovhflow call GET /me
      ovhflow call --sandbox GET /dedicated/server
      ovhflow call GET /me/bill date.from=2024-01-01
      ovhflow call PUT /dedicated/server/ns1.example.net/burst status=active
      ovhflow call POST /email/domain/example.com/redirection \\
          from=a@example.com to=b@example.net localCopy:=false
    """
    # lazy: the recipe package, loaded when this command runs, not at start-up
    from ovhflow.recipe.environment_access import mask_machine_credentials

    redactor = Redactor()
    # Before the client exists, an error may quote an argument or a setting that is a credential.
    mask_machine_credentials(redactor, config_file)
    if debug:
        redact_tracebacks(redactor)
    with reported_errors(debug, redactor):
        verb = checked_verb(method, path)
        # lazy: not needed at start-up
        from ovhflow.recipe.params import CALL_ARGUMENTS, parse_params

        arguments = parse_params(params, CALL_ARGUMENTS)
        check_option_combinations(verb, path, sandbox, endpoint or config_file, no_auth, all_pages, page_size)
        with contextlib.ExitStack() as stack:
            if sandbox:  # the sandbox run --sandbox calls
                client = stack.enter_context(open_client(True, None, 1, redactor, **client_deadline(timeout)))
            else:
                client = make_client(endpoint, config_file, redactor, **client_deadline(timeout))
                stack.callback(client.close)
            with api_errors():
                if all_pages:
                    result = list(client.iter_v2(path_with_arguments(path, arguments), page_size))
                    status, text = None, False
                else:
                    result, status, text = send(client, verb, path, arguments, not no_auth)
        print_answer(f"{verb} {path}", result, status, text)
