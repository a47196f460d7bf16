"""The sandbox authenticates as OVH does, and answers failures in OVH's shapes, over real HTTP."""

from __future__ import annotations

import time

import requests

from tests.sandbox.helpers import SignedSession


def assert_auth_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["errorCode"] == code
    assert body["httpCode"] == {400: "400 Bad Request", 403: "403 Forbidden"}[status]
    assert body["message"]
    assert response.headers["X-OVH-QueryID"]


def test_auth_time_is_unauthenticated_bare_integer(sandbox) -> None:
    response = requests.get(sandbox.url + "/auth/time", timeout=5)
    assert response.status_code == 200
    assert response.text.isdigit()
    assert abs(int(response.text) - time.time()) < 5


def test_clock_skew_moves_auth_time_and_the_timestamp_window(sandbox_factory) -> None:
    sb = sandbox_factory(servers=1, bills=1, clock_skew=3600)
    server_time = int(requests.get(sb.url + "/auth/time", timeout=5).text)
    assert abs(server_time - time.time() - 3600) < 5
    naive = SignedSession(sb.credentials)
    assert_auth_error(naive.get("/me"), 400, "QUERY_TIME_OUT")
    adjusted = SignedSession(sb.credentials, time_delta=server_time - int(time.time()))
    assert adjusted.ok("GET", "/me")["nichandle"]


def test_valid_signed_call_is_answered(api, sandbox) -> None:
    assert api.ok("GET", "/me")["nichandle"] == sandbox.state["me"]["nichandle"]


def test_missing_and_unknown_application_key(api) -> None:
    response = requests.get(api.url("/me"), timeout=5)
    assert_auth_error(response, 403, "INVALID_KEY")
    api.application_key = "notAKnownKey1234"
    assert_auth_error(api.get("/me"), 403, "INVALID_KEY")


def test_unknown_consumer_key(api) -> None:
    assert_auth_error(api.get("/me", consumer_key="x" * 32), 403, "INVALID_CREDENTIAL")


def test_timestamp_outside_window(api) -> None:
    assert_auth_error(api.get("/me", timestamp=int(time.time()) - 3600), 400, "QUERY_TIME_OUT")


def test_wrong_secret_gives_invalid_signature(api) -> None:
    assert_auth_error(api.get("/me", secret="wrong-secret"), 400, "INVALID_SIGNATURE")


def test_signature_covers_query_host_and_body(api, sandbox) -> None:
    url = api.url("/me/bill") + "?date.from=2020-01-01"
    signed_without_query = api.signed_headers("GET", api.url("/me/bill"))
    assert_auth_error(api.http.get(url, headers=signed_without_query, timeout=5), 400, "INVALID_SIGNATURE")
    other_host = api.url("/me").replace("127.0.0.1", "localhost")
    headers = api.signed_headers("GET", other_host)
    assert_auth_error(api.http.get(api.url("/me"), headers=headers, timeout=5), 400, "INVALID_SIGNATURE")
    server = api.ok("GET", "/dedicated/server")[0]
    path = api.url(f"/dedicated/server/{server}/burst")
    headers = api.signed_headers("PUT", path, '{"status":"active"}')
    response = api.http.put(path, data=b'{"status":"inactive"}', headers=headers, timeout=5)
    assert_auth_error(response, 400, "INVALID_SIGNATURE")
    assert sandbox.writes()[-1]["status"] == 400


def test_access_rules_and_validation_flow(api, sandbox) -> None:
    anonymous = requests.Session()
    request = anonymous.post(
        api.url("/auth/credential"),
        json={"accessRules": [{"method": "GET", "path": "/me"}, {"method": "GET", "path": "/dedicated/*"}]},
        headers={"X-Ovh-Application": api.application_key},
        timeout=5,
    )
    assert request.status_code == 200, request.text
    answer = request.json()
    assert answer["state"] == "pendingValidation"
    assert answer["validationUrl"].startswith(sandbox.root + "/")
    restricted = SignedSession({**sandbox.credentials, "consumer_key": answer["consumerKey"]})
    assert_auth_error(restricted.get("/me"), 403, "INVALID_CREDENTIAL")
    assert restricted.ok("GET", "/auth/currentCredential")["status"] == "pendingValidation"

    page = anonymous.get(answer["validationUrl"], timeout=5)
    assert page.status_code == 200 and "validated" in page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert anonymous.get(answer["validationUrl"], timeout=5).status_code == 404  # used once
    visits = [e for e in sandbox.journal if e["path"] == "/sandbox/validate"]
    assert [e["query"] for e in visits] == [{"credentialToken": "<redacted>"}] * 2

    current = restricted.ok("GET", "/auth/currentCredential")
    assert current["status"] == "validated"
    assert current["rules"] == [{"method": "GET", "path": "/me"}, {"method": "GET", "path": "/dedicated/*"}]
    assert restricted.ok("GET", "/me")["nichandle"]
    server = restricted.ok("GET", "/dedicated/server")[0]  # "*" spans several segments
    assert restricted.ok("GET", f"/dedicated/server/{server}/burst")["status"]
    assert_auth_error(restricted.get("/me/bill"), 403, "NOT_GRANTED_CALL")
    response = restricted.request("PUT", f"/dedicated/server/{server}/burst", {"status": "active"})
    assert_auth_error(response, 403, "NOT_GRANTED_CALL")


def test_credential_request_needs_known_application_and_rules(api) -> None:
    url = api.url("/auth/credential")
    rules = {"accessRules": [{"method": "GET", "path": "/*"}]}
    response = requests.post(url, json=rules, headers={"X-Ovh-Application": "nope"}, timeout=5)
    assert_auth_error(response, 403, "INVALID_KEY")
    response = requests.post(url, json={}, headers={"X-Ovh-Application": api.application_key}, timeout=5)
    assert response.status_code == 400 and response.json()["class"] == "Client::BadRequest"


def test_deleted_credential_no_longer_works(api) -> None:
    current = api.ok("GET", "/auth/currentCredential")
    assert api.ok("DELETE", f"/me/api/credential/{current['credentialId']}") is None
    assert_auth_error(api.get("/me"), 403, "INVALID_CREDENTIAL")


def test_query_id_trailing_slash_and_roots(api, sandbox) -> None:
    ids = set()
    for response in (
        api.get("/me/"),
        api.get("/nowhere"),
        requests.get(sandbox.root + "/elsewhere", timeout=5),
    ):
        ids.add(response.headers["X-OVH-QueryID"])
    assert len(ids) == 3
    assert api.ok("GET", "/me/")["nichandle"] == api.ok("GET", "/v1/me")["nichandle"]
    missing = api.get("/nowhere")
    assert missing.status_code == 404
    assert missing.json()["class"] == "Client::NotFound"
    assert missing.json()["message"].startswith(
        "Got an invalid (or empty) URL (this sandbox has no API schemas"
    )
    assert "ovhflow schemas pull" in missing.json()["message"]  # how to get every API
    wrong_method = api.request("DELETE", "/me")
    assert wrong_method.status_code == 405


def test_signature_over_raw_utf8_body(api, sandbox) -> None:
    path = api.url("/domain/zone/example.com/record")
    text = '{"fieldType":"TXT","subDomain":"été","target":"naïve ✓"}'
    headers = {**api.signed_headers("POST", path, text), "Content-Type": "application/json"}
    response = api.http.post(path, data=text.encode(), headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    assert response.json()["target"] == "naïve ✓"


def test_allowed_ips_restrict_where_a_credential_works(api, sandbox) -> None:
    for blocks, expected in ((["10.0.0.0/8"], 403), (["127.0.0.1/32", "10.0.0.0/8"], 200)):
        answer = requests.post(
            api.url("/auth/credential"),
            json={"accessRules": [{"method": "GET", "path": "/me"}], "allowedIPs": blocks},
            headers={"X-Ovh-Application": api.application_key},
            timeout=5,
        ).json()
        assert requests.get(answer["validationUrl"], timeout=5).status_code == 200
        restricted = SignedSession({**sandbox.credentials, "consumer_key": answer["consumerKey"]})
        response = restricted.get("/me")
        assert response.status_code == expected, response.text
        if expected == 403:
            assert response.json()["errorCode"] == "FORBIDDEN"


def test_a_batch_read_needs_every_key_granted(sandbox) -> None:
    from ovhflow import ovh

    owner = ovh.Client(**sandbox.credentials)
    first, second = owner.get("/dedicated/server")[:2]
    rules = [{"method": "GET", "path": f"/dedicated/server/{first}"}]
    pending = owner.post("/auth/credential", _need_auth=False, accessRules=rules)
    requests.get(pending["validationUrl"], timeout=10).raise_for_status()
    keys = {k: v for k, v in sandbox.credentials.items() if k != "consumer_key"}
    limited = ovh.Client(**keys, consumer_key=pending["consumerKey"])
    assert limited.get(f"/dedicated/server/{first}")["name"] == first
    for path in (f"/dedicated/server/{second}", f"/dedicated/server/{first},{second}"):
        try:
            limited.call_with_response("GET", path, headers={"X-Ovh-Batch": ","})
        except ovh.NotGrantedCall:
            continue
        raise AssertionError(f"{path} was answered to a key granted {first} only")
