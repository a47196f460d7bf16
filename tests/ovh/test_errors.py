"""Answers become values or the matching exception, carrying the response and OVH's query id, and no
secret ever shows up in an error, a repr or a log line."""

from __future__ import annotations

import logging

import pytest

from ovhflow import ovh
from ovhflow.ovh.exceptions import CREDENTIAL_ERRORS
from tests.ovh.helpers import CREDENTIALS, CaptureServer, Reply

QUERY_ID = "EU.ext-3.6789abcd.1234.query"


def _answer(server: CaptureServer, status: int, body: object = None, raw: bytes | None = None) -> None:
    def respond(request):  # noqa: ANN001, ANN202
        if request.path.endswith("/auth/time"):
            return Reply(body=1_700_000_000)
        return Reply(status=status, body=body, raw=raw, headers={"X-OVH-QUERYID": QUERY_ID})

    server.responder = respond


@pytest.mark.parametrize(
    ("status", "error_code", "expected"),
    [
        (403, "NOT_GRANTED_CALL", ovh.NotGrantedCall),
        (403, "NOT_CREDENTIAL", ovh.NotCredential),
        (403, "INVALID_KEY", ovh.InvalidKey),
        (403, "INVALID_CREDENTIAL", ovh.InvalidCredential),
        (403, "FORBIDDEN", ovh.Forbidden),
        (403, "SOMETHING_ELSE", ovh.APIError),
        (404, None, ovh.ResourceNotFoundError),
        (400, None, ovh.BadParametersError),
        (409, None, ovh.ResourceConflictError),
        (460, None, ovh.ResourceExpiredError),
        (401, None, ovh.APIError),
        (500, None, ovh.APIError),
    ],
)
def test_status_and_error_code_select_the_exception(
    server: CaptureServer, status: int, error_code: str | None, expected: type[ovh.APIError]
) -> None:
    _answer(server, status, {"message": "The API says no", "errorCode": error_code})
    client = ovh.Client(server.url, **CREDENTIALS, retries=False)
    with pytest.raises(ovh.APIError) as caught:
        client.get("/thing")
    assert type(caught.value) is expected
    assert caught.value.response is not None and caught.value.response.status_code == status
    assert caught.value.query_id == QUERY_ID
    assert str(caught.value) == f"The API says no \nOVH-Query-ID: {QUERY_ID}"


def test_every_exception_derives_from_api_error_and_is_exported_twice() -> None:
    names = [
        "APIError", "HTTPError", "InvalidKey", "InvalidCredential", "InvalidConfiguration", "InvalidResponse",
        "InvalidRegion", "ReadOnlyError", "ResourceNotFoundError", "BadParametersError",
        "ResourceConflictError", "NetworkError", "NotGrantedCall", "NotCredential", "Forbidden",
        "ResourceExpiredError", "OAuth2FailureError",
    ]  # fmt: skip
    for name in names:
        assert getattr(ovh, name) is getattr(ovh.exceptions, name)
        assert issubclass(getattr(ovh, name), ovh.APIError)


def test_credential_errors_are_the_configuration_kind() -> None:
    for error in (ovh.InvalidKey, ovh.InvalidCredential, ovh.NotCredential, ovh.InvalidConfiguration):
        assert issubclass(error, CREDENTIAL_ERRORS)
    assert ovh.InvalidRegion in CREDENTIAL_ERRORS
    for error in (ovh.NotGrantedCall, ovh.ResourceNotFoundError, ovh.HTTPError, ovh.BadParametersError):
        assert not issubclass(error, CREDENTIAL_ERRORS)


def test_204_returns_none(server: CaptureServer) -> None:
    _answer(server, 204)
    assert ovh.Client(server.url, **CREDENTIALS).delete("/thing") is None


def test_undecodable_body_is_invalid_response_with_query_id(server: CaptureServer) -> None:
    _answer(server, 200, raw=b"<html>not json</html>")
    with pytest.raises(ovh.InvalidResponse) as caught:
        ovh.Client(server.url, **CREDENTIALS).get("/thing")
    assert caught.value.query_id == QUERY_ID


def test_error_without_message_still_says_something(server: CaptureServer) -> None:
    _answer(server, 418, ["not", "a", "dict"])
    with pytest.raises(ovh.APIError, match="HTTP 418"):
        ovh.Client(server.url, **CREDENTIALS, retries=False).get("/thing")


def test_refused_connection_is_http_error() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ovh.Client(f"http://127.0.0.1:{port}/1.0", **CREDENTIALS, retries=False)
    with pytest.raises(ovh.HTTPError) as caught:
        client.get("/me", _need_auth=False)
    assert caught.value.query_id is None
    assert CREDENTIALS["application_secret"] not in str(caught.value)


def test_signed_call_without_consumer_key_is_invalid_key_before_any_request(server: CaptureServer) -> None:
    client = ovh.Client(server.url, "ak", "as-value-secret")
    with pytest.raises(ovh.InvalidKey, match="consumer key"):
        client.get("/me")
    assert server.requests == []
    assert client.get("/me", _need_auth=False) == {"path": "/1.0/me"}


def test_secrets_never_appear_in_repr_str_errors_or_logs(
    server: CaptureServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _answer(server, 403, {"message": "This call has not been granted", "errorCode": "NOT_GRANTED_CALL"})
    client = ovh.Client(server.url, **CREDENTIALS, retries=False)
    with pytest.raises(ovh.NotGrantedCall) as caught:
        client.post("/me/thing", value=1)
    signature = server.requests[-1].header("X-Ovh-Signature")
    assert signature and signature.startswith("$1$")
    secrets = [CREDENTIALS["application_secret"], CREDENTIALS["consumer_key"], signature]
    texts = [repr(client), str(client), str(caught.value), repr(caught.value), caplog.text]
    assert any(record.name == "ovhflow.ovh" for record in caplog.records)
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_debug_log_line_has_method_path_status_and_query_id(
    server: CaptureServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="ovhflow.ovh")
    ovh.Client(server.url, **CREDENTIALS).get("/me", x=1)
    lines = [r.getMessage() for r in caplog.records if r.name == "ovhflow.ovh"]
    assert any(
        "GET" in line and "/1.0/me?x=1" in line and "200" in line and "EU.ext-1.abc" in line for line in lines
    )
