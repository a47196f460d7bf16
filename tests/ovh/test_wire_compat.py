"""Byte-exactness: the same calls through python-ovh 1.2.0 and through ``ovhflow.ovh`` put the same
bytes on the wire (method, path and query, ordered headers, body), captured by a real loopback server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import ovh as python_ovh
import pytest

from ovhflow import ovh
from tests.ovh import helpers as ovh_helpers
from tests.ovh.helpers import CREDENTIALS, CaptureServer

FIXED_NOW = 1_699_999_990  # local clock 10 s behind the server's SERVER_TIME

Calls = Callable[[Any], None]


def _scenario_calls(client: Any) -> None:
    client.get("/me")
    client.get("/me/bill", **{"date.from": "2014-01-01", "date.to": "2015-01-01"})
    client.get("/me/api/credential", status="validated")
    client.get("/search?x=1", flag=True, other=False, missing=None, text="hello world", amp="a&b")
    client.get("/auth/details", _need_auth=False)
    client.delete("/domain/zone/example.com/record/1", _from="a b", _class="c")
    client.post("/email/domain/example.com/redirection", _from="sales@example.com", to="c@x.org", localCopy=0)
    client.post("/dedicated/server/ns1/reboot")
    client.put("/dedicated/server/ns1/burst", status="active")
    client.put("/me", name="Zoë Ünicode €", nested={"list": [1, 2, None], "t": True})
    client.get("/v1/me")
    client.get("/v2/iam/resource?resourceType=dedicatedServer")
    client.call("GET", "/me/bill/1", None, True)
    client.call("POST", "/me/list", [1, "two"], True)
    client.call("PUT", "/me/empty", {}, True)
    client.raw_call("GET", "/raw", None, True, headers={"X-Custom": "yes"})
    client.request_consumerkey([{"method": "GET", "path": "/me"}], "https://redirect", ["127.0.0.1/32"])
    client.get("/after/new/consumer/key")


def _capture(
    server: CaptureServer, make_client: Callable[[], Any], calls: Calls = _scenario_calls
) -> list[tuple[str, str, list, bytes]]:
    server.requests.clear()
    with mock.patch("time.time", return_value=FIXED_NOW):
        client = make_client()
        calls(client)
    return [(r.method, r.target, r.headers, r.body) for r in server.requests]


def test_same_calls_put_the_same_bytes_on_the_wire(server: CaptureServer) -> None:
    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"capture": server.url}):
        theirs = _capture(server, lambda: python_ovh.Client(endpoint="capture", **CREDENTIALS))
    ours = _capture(server, lambda: ovh.Client(endpoint=server.url, **CREDENTIALS))
    assert len(ours) == len(theirs) == 19  # 18 calls + one /auth/time
    for their_request, our_request in zip(theirs, ours, strict=True):
        assert our_request == their_request


def test_the_capture_really_contains_signed_requests(server: CaptureServer) -> None:
    """Guards the comparison above against comparing two empty or unsigned captures."""
    ours = _capture(server, lambda: ovh.Client(endpoint=server.url, **CREDENTIALS))
    assert ours[0][:2] == ("GET", "/1.0/auth/time")
    method, target, headers, body = ours[1]
    names = [name for name, _ in headers]
    assert (method, target, body) == ("GET", "/1.0/me", b"")
    assert {"X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature", "X-Ovh-Application"} <= set(names)
    assert dict(headers)["X-Ovh-Timestamp"] == str(FIXED_NOW + 10)


@pytest.mark.parametrize(
    ("call", "expected_target", "expected_body"),
    [
        (lambda c: c.call("GET", "/b", {"d.from": "2024", "ok": 1}), "/1.0/b", b'{"d.from":"2024","ok":1}'),
        (lambda c: c.call("DELETE", "/x?a=1", {"b": None}), "/1.0/x?a=1", b'{"b":null}'),
        (lambda c: c.call("GET", "/x?a=1"), "/1.0/x?a=1", b""),
        (lambda c: c.call("POST", "/x", [{"a": 1}]), "/1.0/x", b'[{"a":1}]'),
        (lambda c: c.call("PUT", "/x", "text"), "/1.0/x", b'"text"'),
    ],
)  # fmt: skip
def test_call_sends_data_as_a_json_body_whatever_the_method_as_python_ovh_does(
    server: CaptureServer, call: Callable[[Any], Any], expected_target: str, expected_body: bytes
) -> None:
    client = ovh.Client(endpoint=server.url, **CREDENTIALS)
    call(client)
    sent = server.requests[-1]
    assert (sent.target, sent.body) == (expected_target, expected_body)
    assert (sent.header("Content-type") == "application/json") == bool(expected_body)


def test_signature_covers_the_full_url_with_its_query_string(server: CaptureServer) -> None:
    from ovhflow.ovh.signing import signature

    client = ovh.Client(endpoint=server.url, **CREDENTIALS)
    client.get("/v2/thing?x=1", y="a b")
    sent = server.requests[-1]
    expected = signature(
        CREDENTIALS["application_secret"], CREDENTIALS["consumer_key"], "GET",
        server.root + "/v2/thing?x=1&y=a+b", "", sent.header("X-Ovh-Timestamp") or "",
    )  # fmt: skip
    assert sent.target == "/v2/thing?x=1&y=a+b"
    assert sent.header("X-Ovh-Signature") == expected


def test_a_netrc_entry_is_sent_as_python_ovh_sends_it_though_it_is_read_once_per_host(
    server: CaptureServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # requests adds Basic auth from ~/.netrc; ours looks the file up once per host, not per request
    host = server.url.split("//")[1].split(":")[0]
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login operator password netrcPass\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))

    def twice(client: Any) -> None:
        client.get("/me")
        client.get("/me")

    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"capture": server.url}):
        theirs = _capture(server, lambda: python_ovh.Client(endpoint="capture", **CREDENTIALS), twice)
    with mock.patch("requests.sessions.get_netrc_auth", side_effect=AssertionError("per request")):
        ours = _capture(server, lambda: ovh.Client(endpoint=server.url, **CREDENTIALS), twice)
    assert ours == theirs
    assert [dict(headers).get("Authorization") for _, _, headers, _ in ours[1:]] == [
        "Basic b3BlcmF0b3I6bmV0cmNQYXNz"
    ] * 2


def test_a_cookie_the_api_sets_is_sent_back_as_python_ovh_sends_it(server: CaptureServer) -> None:
    # requests prepares such calls itself (ours skips only merging that has nothing to merge)
    def responder(request: Any) -> Any:
        reply = ovh_helpers.default_responder(request)
        if request.path.endswith("/me"):
            reply.headers["Set-Cookie"] = "lb=node-7; Path=/"
        return reply

    def calls(client: Any) -> None:
        client.get("/me")
        client.get("/me/bill")
        client.put("/me", name="x")

    server.responder = responder
    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"capture": server.url}):
        theirs = _capture(server, lambda: python_ovh.Client(endpoint="capture", **CREDENTIALS), calls)
    ours = _capture(server, lambda: ovh.Client(endpoint=server.url, **CREDENTIALS), calls)
    assert ours == theirs
    cookies = [dict(headers).get("Cookie") for _, _, headers, _ in ours]
    assert cookies == [None, None, "lb=node-7", "lb=node-7"]  # /auth/time, /me, then both calls after it
