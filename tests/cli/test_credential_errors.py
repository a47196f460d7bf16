"""The client's credential and configuration errors, said one way (``ovhflow.errors.configuration_error``)
on each of the three paths: a ``call``/``auth`` request, building any command's client, a run's step.
Each exits 3 with one line naming what to fix and OVH's query id when the API answered, never a secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ovhflow.errors import ConfigError, configuration_error, is_configuration_error
from ovhflow.ovh import exceptions
from tests.cli_invoke import invoke

BAD_KEY = "K" * 32  # a consumer key the sandbox does not know
QUERY_ID = r"\(OVH query id EU\.ext-sandbox\.[\w.]+\)"
RECIPE = "name: r\nsteps:\n  - get: /me\n"


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def test_a_call_rejected_for_its_credentials(full_env: dict[str, str], tmp_path: Path) -> None:
    done = invoke("call", "GET", "/me", env={**full_env, "OVH_CONSUMER_KEY": BAD_KEY}, cwd=tmp_path)
    assert done.exit_code == 3
    assert re.fullmatch(
        rf"error: InvalidCredential: This credential does not exist {QUERY_ID}", done.stderr.strip()
    )
    assert BAD_KEY not in done.stderr + done.stdout


def test_a_run_stopped_by_rejected_credentials(full_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(RECIPE)
    done = invoke("run", "r.yaml", env={**full_env, "OVH_CONSUMER_KEY": BAD_KEY}, cwd=tmp_path)
    assert done.exit_code == 3
    rejected = "credentials or configuration rejected: This credential does not exist"
    expected = rf"error: r\.yaml:3:5: {rejected} {QUERY_ID}"
    assert re.fullmatch(expected, _last_line(done.stderr)), done.stderr
    assert BAD_KEY not in done.stderr + done.stdout


@pytest.mark.parametrize("command", [("call", "GET", "/me"), ("run", "r.yaml")])
def test_a_client_that_cannot_be_built(
    command: tuple[str, ...], isolated_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "r.yaml").write_text(RECIPE)
    secret = "S" * 30
    env = {**isolated_env, "OVH_APPLICATION_SECRET": secret}
    done = invoke(*command, "--endpoint", "ovh-moon", env=env, cwd=tmp_path)
    assert done.exit_code == 3
    assert _last_line(done.stderr).startswith(
        "error: configuration: Unknown endpoint ovh-moon. Valid endpoints: "
    )
    assert "query id" not in done.stderr and secret not in done.stderr + done.stdout


def test_the_conversion_says_what_and_keeps_the_query_id() -> None:
    refused = exceptions.InvalidKey("Invalid application key")
    refused.query_id = "EU.ext-1.2"
    assert is_configuration_error(refused) and not is_configuration_error(
        exceptions.ResourceNotFoundError("x")
    )
    error = configuration_error(refused)
    assert isinstance(error, ConfigError) and error.exit_status == 3
    assert str(error) == "InvalidKey: Invalid application key (OVH query id EU.ext-1.2)"
    assert str(configuration_error(OSError("unreadable"), "configuration")) == "configuration: unreadable"


@pytest.mark.parametrize("loop", ["", "    loop: [a, b]\n"])
def test_rejected_credentials_stop_a_run_even_under_ignore_errors(
    loop: str, full_env: dict[str, str], tmp_path: Path
) -> None:
    """No later step can succeed with rejected credentials: ignore_errors does not apply, and the step's
    line and the summary say 'failed', as the exit code does (they said '1 ignored, 0 failed', exit 3)."""
    recipe = f"name: r\nsteps:\n  - get: /me\n    ignore_errors: true\n{loop}  - log: never said\n"
    (tmp_path / "r.yaml").write_text(recipe)
    done = invoke("run", "r.yaml", env={**full_env, "OVH_CONSUMER_KEY": BAD_KEY}, cwd=tmp_path)
    assert done.exit_code == 3, done.stderr
    assert "never said" not in done.stderr and "ignored  " not in done.stderr
    assert re.search(r"failed +get \(\d+ ms\): credentials or configuration rejected", done.stderr), (
        done.stderr
    )
    assert "0 skipped, 0 ignored, 1 failed" in done.stderr, done.stderr


BAD_URLS = {
    "https://u:pw-in-url@exa..mple.com/1.0": "'exa..mple.com' is not a valid host name",
    "https://exa mple.com/1.0": "'exa mple.com' is not a valid host name",
    "https://eu.api.ovh.com:port/1.0": "Port could not be cast to integer value",
    "http:///1.0": "it has no host name",
}


@pytest.mark.parametrize("url", sorted(BAD_URLS))
@pytest.mark.parametrize("command", [("call", "GET", "/me"), ("run", "r.yaml")])
def test_an_endpoint_url_with_an_invalid_host_is_a_configuration_error(
    command: tuple[str, ...], url: str, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """Not the encoder's or the resolver's error at the first request: one line, exit 3, nothing sent;
    the URL is not quoted whole (its user:password@ would be)."""
    (tmp_path / "r.yaml").write_text(RECIPE)
    done = invoke(*command, env={**isolated_env, "OVH_ENDPOINT": url}, cwd=tmp_path)
    assert done.exit_code == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: configuration: Invalid endpoint URL: "), lines
    assert BAD_URLS[url] in lines[0] and "pw-in-url" not in done.stderr + done.stdout


@pytest.mark.parametrize("url", ["ftp://u:pw-in-url@files.example/1.0", "u:pw-in-url@eu.api.ovh.com"])
def test_an_endpoint_of_another_scheme_is_not_quoted(
    url: str, isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """ "Unknown endpoint" quoted the value whole, with the password a URL may hold."""
    done = invoke("call", "GET", "/me", env={**isolated_env, "OVH_ENDPOINT": url}, cwd=tmp_path)
    assert done.exit_code == 3
    assert _last_line(done.stderr).startswith("error: configuration: Unknown endpoint: a ")
    assert "pw-in-url" not in done.stderr + done.stdout
