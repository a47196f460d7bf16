"""OAuth2 client credentials against a token endpoint served on 127.0.0.1, and consumer-key requests."""

from __future__ import annotations

import base64
import threading
from unittest import mock
from urllib.parse import parse_qs

import ovh as python_ovh
import pytest

from ovhflow import ovh
from tests.ovh.helpers import CREDENTIALS, CaptureServer, Reply

CLIENT_ID = "oauthClientId"
CLIENT_SECRET = "oauthClientSecretNeverShown"


class TokenIssuer:
    """Answers the token endpoint with numbered tokens and the API with 401 for tokens it revoked."""

    def __init__(self, server: CaptureServer, expires_in: int = 3600) -> None:
        self.issued = 0
        self.revoked: set[str] = set()
        self.expires_in = expires_in
        self.refuse = False
        self._lock = threading.Lock()
        server.responder = self.respond

    def respond(self, request):  # noqa: ANN001, ANN201
        if request.path == "/oauth2/token":
            if self.refuse:
                return Reply(status=401, body={"error": "invalid_client", "error_description": "bad client"})
            with self._lock:
                self.issued += 1
                token = f"token-{self.issued}"
            return Reply(body={"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in})
        if (request.header("Authorization") or "").removeprefix("Bearer ") in self.revoked:
            return Reply(status=401, body={"message": "token revoked"})
        return Reply(body={"auth": request.header("Authorization")})


def _client(server: CaptureServer) -> ovh.Client:
    return ovh.Client(
        server.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        oauth2_token_url=server.root + "/oauth2/token",
    )


def test_token_is_fetched_lazily_once_and_sent_as_bearer_without_signature(server: CaptureServer) -> None:
    TokenIssuer(server)
    client = _client(server)
    assert server.requests == []
    assert client.get("/me") == {"auth": "Bearer token-1"}
    assert client.post("/me/x", a=1) == {"auth": "Bearer token-1"}
    token_request, api_request = server.requests[0], server.requests[1]
    assert (token_request.method, token_request.path) == ("POST", "/oauth2/token")
    assert parse_qs(token_request.body.decode()) == {"grant_type": ["client_credentials"], "scope": ["all"]}
    basic = base64.b64decode((token_request.header("Authorization") or "").removeprefix("Basic ")).decode()
    assert basic == f"{CLIENT_ID}:{CLIENT_SECRET}"
    assert [r.path for r in server.requests].count("/oauth2/token") == 1
    assert not any(name.lower().startswith("x-ovh-") for name, _ in api_request.headers)
    assert "/1.0/auth/time" not in server.paths()


def test_expired_token_is_fetched_again(server: CaptureServer) -> None:
    issuer = TokenIssuer(server, expires_in=3600)
    client = _client(server)
    with mock.patch("time.time", return_value=1000.0):
        assert client.get("/a") == {"auth": "Bearer token-1"}
    with mock.patch("time.time", return_value=1000.0 + 3600):
        assert client.get("/b") == {"auth": "Bearer token-2"}
        assert client.get("/c") == {"auth": "Bearer token-2"}
    assert issuer.issued == 2


def test_a_refused_token_is_replaced_once(server: CaptureServer) -> None:
    issuer = TokenIssuer(server)
    client = _client(server)
    client.get("/a")
    issuer.revoked.add("token-1")
    assert client.get("/b") == {"auth": "Bearer token-2"}
    issuer.revoked.add("token-2")
    issuer.revoked.add("token-3")
    with pytest.raises(ovh.APIError, match="token revoked"):
        client.get("/c")
    assert issuer.issued == 3


def test_token_failure_is_oauth2_failure_without_secrets(server: CaptureServer) -> None:
    issuer = TokenIssuer(server)
    issuer.refuse = True
    client = _client(server)
    with pytest.raises(ovh.OAuth2FailureError) as caught:
        client.get("/me")
    assert "bad client" in str(caught.value)
    assert CLIENT_SECRET not in str(caught.value) and CLIENT_SECRET not in repr(client)
    assert CLIENT_SECRET not in repr(client._oauth2)


def test_api_requests_match_python_ovh_in_oauth2_mode(
    server: CaptureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # python-ovh's oauthlib wants https otherwise
    TokenIssuer(server)
    token_url = server.root + "/oauth2/token"
    with (
        mock.patch.dict(python_ovh.client.ENDPOINTS, {"ovh-eu": server.url}),
        mock.patch.dict(python_ovh.client.OAUTH2_TOKEN_URLS, {"ovh-eu": token_url}),
    ):
        theirs = python_ovh.Client("ovh-eu", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        theirs.get("/me", a=True)
        theirs.post("/me/x", name="é")
    their_api = [
        (r.method, r.target, r.headers, r.body) for r in server.requests if r.path != "/oauth2/token"
    ]
    server.requests.clear()
    TokenIssuer(server)
    ours = _client(server)
    ours.get("/me", a=True)
    ours.post("/me/x", name="é")
    our_api = [(r.method, r.target, r.headers, r.body) for r in server.requests if r.path != "/oauth2/token"]
    assert len(our_api) == 2
    assert our_api == their_api


def test_request_consumerkey_posts_unauthenticated_and_adopts_the_key(server: CaptureServer) -> None:
    client = ovh.Client(server.url, CREDENTIALS["application_key"], CREDENTIALS["application_secret"])
    rules = [{"method": "GET", "path": "/me"}]
    answer = client.request_consumerkey(rules)
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/1.0/auth/credential")
    assert (
        sent.body == b'{"accessRules":[{"method":"GET","path":"/me"}],"redirection":null,"allowedIPs":null}'
    )
    assert sent.header("X-Ovh-Signature") is None and sent.header("X-Ovh-Application") == "appKeyForTests"
    assert client._consumer_key == answer["consumerKey"] == "adoptedConsumerKey123"
    client.get("/me")
    assert server.requests[-1].header("X-Ovh-Consumer") == "adoptedConsumerKey123"


def test_consumer_key_request_builds_rules() -> None:
    client = ovh.Client("ovh-eu", "ak", "as")
    request = client.new_consumer_key_request()
    assert isinstance(request, ovh.ConsumerKeyRequest)
    request.add_rule("get", "/me")
    request.add_rules(ovh.API_READ_WRITE_SAFE, "/sms")
    request.add_recursive_rules(ovh.API_READ_ONLY, "/dedicated/server/*")
    request.add_recursive_rules(["DELETE"], "/")
    assert request.access_rules == [
        {"method": "GET", "path": "/me"},
        {"method": "GET", "path": "/sms"},
        {"method": "POST", "path": "/sms"},
        {"method": "PUT", "path": "/sms"},
        {"method": "GET", "path": "/dedicated/server"},
        {"method": "GET", "path": "/dedicated/server/*"},
        {"method": "DELETE", "path": "/*"},
    ]
    assert ovh.API_READ_ONLY == ["GET"]
    assert ovh.API_READ_WRITE == ["GET", "POST", "PUT", "DELETE"]


def test_consumer_key_request_sends_redirect_and_allowed_ips(server: CaptureServer) -> None:
    client = ovh.Client(server.url, CREDENTIALS["application_key"], CREDENTIALS["application_secret"])
    request = ovh.ConsumerKeyRequest(client)
    request.add_rules(ovh.API_READ_ONLY, "/me")
    request.request("https://back.example", ["10.0.0.0/8"])
    assert server.requests[-1].body == (
        b'{"accessRules":[{"method":"GET","path":"/me"}],"redirection":"https://back.example",'
        b'"allowedIPs":["10.0.0.0/8"]}'
    )


def test_secret_values_lists_what_callers_must_mask(server: CaptureServer) -> None:
    TokenIssuer(server)
    client = _client(server)
    assert client.secret_values() == [CLIENT_SECRET]
    client.get("/me")
    assert client.secret_values() == [CLIENT_SECRET, "token-1"]
    signed = ovh.Client(server.url, **CREDENTIALS)
    assert signed.secret_values() == [CREDENTIALS["application_secret"], CREDENTIALS["consumer_key"]]
