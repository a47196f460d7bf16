"""A tiny signed OVH client for the sandbox tests, written here so they do not depend on ``ovhflow.ovh``."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import requests


class SignedSession:
    """Sends OVH-signed requests (python-ovh's wire format) with plain ``requests``."""

    def __init__(self, credentials: dict[str, str], time_delta: int = 0) -> None:
        self.endpoint = credentials["endpoint"]
        self.root = self.endpoint.rsplit("/", 1)[0]
        self.application_key = credentials["application_key"]
        self.application_secret = credentials["application_secret"]
        self.consumer_key = credentials["consumer_key"]
        self.time_delta = time_delta
        self.http = requests.Session()

    def url(self, path: str) -> str:
        return self.root + path if path.startswith(("/v1/", "/v2/")) else self.endpoint + path

    def signed_headers(
        self,
        method: str,
        url: str,
        body: str = "",
        timestamp: int | None = None,
        secret: str | None = None,
        consumer_key: str | None = None,
    ) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()) + self.time_delta)
        consumer_key = self.consumer_key if consumer_key is None else consumer_key
        secret = self.application_secret if secret is None else secret
        text = "+".join([secret, consumer_key, method, url, body, stamp])
        return {
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": consumer_key,
            "X-Ovh-Timestamp": stamp,
            "X-Ovh-Signature": "$1$" + hashlib.sha1(text.encode()).hexdigest(),
        }

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, **signing: Any
    ) -> requests.Response:
        url = self.url(path)
        text = "" if body is None else json.dumps(body, separators=(",", ":"))
        all_headers = self.signed_headers(method, url, text, **signing)
        if text:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        return self.http.request(
            method, url, data=text.encode() if text else None, headers=all_headers, timeout=10
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = self.request(method, path, body, headers)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()
