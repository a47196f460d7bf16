"""OAuth2 client-credentials tokens for clients configured with ``client_id``/``client_secret``.

The token is fetched lazily on the first authenticated call, kept until it expires, then fetched again.
Only the ``Authorization: Bearer`` header leaves this module; the token itself never appears in a repr,
an error or a log line.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import requests
import requests.auth

from ovhflow.ovh.exceptions import OAuth2FailureError

SCOPE = "all"
log = logging.getLogger("ovhflow.ovh")
_EXPIRY_MARGIN = 10  # seconds (a tenth of shorter lifetimes): renew early, so no token expires in flight
_BODY_SHOWN = 300  # characters of a token endpoint's unexpected answer quoted in the error
_TOKEN_REQUEST_HEADERS = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}


class OAuth2:
    """Fetches and caches a bearer token; safe to share between threads.

    python-ovh's name and constructor; ``session`` (the client's, so the token request gets the same
    deadlines and never follows a redirect) and ``timeout`` are ovhflow's.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        session: requests.Session | None = None,
        timeout: Any = None,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self._session = session if session is not None else requests.Session()
        self._timeout = timeout
        self._token: str | None = None
        self._expires_at: float | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<OAuth2 client_id={self.client_id!r} token_url={self.token_url!r}>"

    def authorization(self) -> str:
        """The ``Authorization`` header value, fetching a token first if there is none or it expired."""
        with self._lock:
            if self._token is None or self._expired():
                self._fetch()
            return f"Bearer {self._token}"

    @property
    def session(self) -> requests.Session:
        """The session token requests go through (the client's)."""
        return self._session

    @property
    def token(self) -> dict[str, Any]:
        """python-ovh's token mapping, fetched first if needed (``access_token``, ``expires_at``)."""
        authorization = self.authorization()
        return {"access_token": authorization.removeprefix("Bearer "), "token_type": "Bearer",
                "expires_at": self._expires_at}  # fmt: skip

    def token_updater(self, token: dict[str, Any]) -> None:
        """python-ovh's callback: adopt ``token`` (``access_token``, and ``expires_in`` or ``expires_at``)."""
        with self._lock:
            self._token = str(token["access_token"])
            self._expires_at = token.get("expires_at")
            if token.get("expires_in") is not None:
                self._expires_at = _expiry(float(token["expires_in"]))

    def current_token(self) -> str | None:
        """The token in use, if one was fetched (for masking it, never for printing it)."""
        return self._token

    def discard(self, authorization: str) -> None:
        """Forget the token behind ``authorization`` (the API refused it), unless already renewed."""
        with self._lock:
            if f"Bearer {self._token}" == authorization:
                self._token = None

    def _expired(self) -> bool:
        return self._expires_at is not None and time.time() >= self._expires_at

    def _fetch(self) -> None:
        try:  # the call shape of python-ovh's token request, which users' tests assert on
            response = self._session.request(
                "POST",
                self.token_url,
                headers=dict(_TOKEN_REQUEST_HEADERS),
                data={"grant_type": "client_credentials", "scope": SCOPE},
                files=None,
                timeout=self._timeout,
                auth=requests.auth.HTTPBasicAuth(self.client_id, self._client_secret),
                verify=None,
                proxies=None,
                cert=None,
            )
        except requests.RequestException as error:
            raise OAuth2FailureError(f"OAuth2 failure: token endpoint unreachable: {error}") from None
        answer = _json_object(response.text)
        token = answer.get("access_token") if answer is not None else None
        if not token:
            raise OAuth2FailureError(_refusal(response, answer))
        self._token = str(token)
        expires_in = answer.get("expires_in") if answer is not None else None
        log.debug("OAuth2 token obtained from %s (expires in %s s)", self.token_url, expires_in)
        self._expires_at = None if expires_in is None else _expiry(float(expires_in))


def _expiry(lifetime: float) -> float:
    """When to renew a token that lives ``lifetime`` seconds from now."""
    return time.time() + lifetime - min(_EXPIRY_MARGIN, lifetime / 10)


def _json_object(text: Any) -> dict[str, Any] | None:
    try:
        answer = json.loads(text)
    except (TypeError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def _refusal(response: requests.Response, answer: dict[str, Any] | None) -> str:
    """python-ovh's wording: the OAuth2 error and its description, or what the endpoint answered."""
    if answer is not None and answer.get("error"):
        return f"OAuth2 failure: ({answer['error']}) {answer.get('error_description') or ''}".rstrip()
    body = str(response.text)
    body = body if len(body) <= _BODY_SHOWN else body[:_BODY_SHOWN] + "..."
    status = response.status_code
    if isinstance(status, int) and status >= 400:
        detail = f"Token creation failed with status_code={status}, body={body}"
    else:
        detail = f"Received invalid body: {body}"
    return f"OAuth2 failure: Missing access token parameter. {detail}"
