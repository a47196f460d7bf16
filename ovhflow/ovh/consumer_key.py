"""Building consumer-key requests from readable rules instead of hand-written access-rule lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ovhflow.ovh.client import Client

API_READ_ONLY = ["GET"]
API_READ_WRITE = ["GET", "POST", "PUT", "DELETE"]
API_READ_WRITE_SAFE = ["GET", "POST", "PUT"]


class ConsumerKeyRequest:
    """Collects access rules, then asks the API for a consumer key bound to the client's application."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._access_rules: list[dict[str, str]] = []

    @property
    def access_rules(self) -> list[dict[str, str]]:
        """The rules collected so far, in order."""
        return list(self._access_rules)

    def add_rule(self, method: str, path: str) -> None:
        """Grant ``method`` on ``path`` (a route pattern such as ``/me`` or ``/sms/*``)."""
        self._access_rules.append({"method": method.upper(), "path": path})

    def add_rules(self, methods: Iterable[str], path: str) -> None:
        """Grant each of ``methods`` on ``path``."""
        for method in methods:
            self.add_rule(method, path)

    def add_recursive_rules(self, methods: Iterable[str], path: str) -> None:
        """Grant ``methods`` on ``path`` and everything below it (``path/*``); for ``/`` only ``/*``."""
        methods = list(methods)
        path = path.rstrip("*/ ")
        if path:
            self.add_rules(methods, path)
        self.add_rules(methods, path + "/*")

    def request(self, redirect_url: str | None = None, allowedIPs: list[str] | None = None) -> Any:  # noqa: N803
        """Send the request; the answer holds ``consumerKey`` and the ``validationUrl`` to show the user."""
        return self._client.request_consumerkey(self._access_rules, redirect_url, allowedIPs)
