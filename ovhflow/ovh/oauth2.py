"""OAuth2 client-credentials tokens for clients configured with ``client_id``/``client_secret``.

The token is fetched lazily on the first authenticated call, kept until it expires, then fetched again.
Only the ``Authorization: Bearer`` header leaves this module; the token itself never appears in a repr,
an error or a log line.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

from ovhflow.ovh.exceptions import OAuth2FailureError

SCOPE = "all"
log = logging.getLogger("ovhflow.ovh")
_EXPIRY_MARGIN = 10  # seconds: renew slightly early so a token does not expire in flight


class OAuth2TokenSource:
    """Fetches and caches a bearer token; safe to share between threads."""

    def __init__(
        self, client_id: str, client_secret: str, token_url: str, session: requests.Session, timeout: Any
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self._session = session
        self._timeout = timeout
        self._token: str | None = None
        self._expires_at: float | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<OAuth2TokenSource client_id={self.client_id!r} token_url={self.token_url!r}>"

    def authorization(self) -> str:
        """The ``Authorization`` header value, fetching a token first if there is none or it expired."""
        with self._lock:
            if self._token is None or self._expired():
                self._fetch()
            return f"Bearer {self._token}"

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
        try:
            response = self._session.post(
                self.token_url,
                data={"grant_type": "client_credentials", "scope": SCOPE},
                auth=(self.client_id, self._client_secret),
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            raise OAuth2FailureError(f"OAuth2 failure: token endpoint unreachable: {error}") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise OAuth2FailureError(
                f"OAuth2 failure: token endpoint answered HTTP {response.status_code} without a JSON object",
                response=response,
            )
        token = answer.get("access_token")
        if response.status_code >= 400 or not token:
            reason = answer.get("error_description") or answer.get("error") or "no access_token in the answer"
            raise OAuth2FailureError(
                f"OAuth2 failure: token request refused (HTTP {response.status_code}): {reason}",
                response=response,
            )
        self._token = str(token)
        expires_in = answer.get("expires_in")
        log.debug("OAuth2 token obtained from %s (expires in %s s)", self.token_url, expires_in)
        self._expires_at = (
            time.time() + max(0.0, float(expires_in) - _EXPIRY_MARGIN) if expires_in is not None else None
        )
