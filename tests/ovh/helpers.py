"""What the client's tests import: a tiny capturing HTTP server on 127.0.0.1, its replies, credentials.

The server records every request exactly as it arrived (method, target, ordered headers, body bytes) and
answers through a ``responder`` the test can replace, so the tests see the real bytes on the wire.

It is written on ``http.server`` rather than served by pytest-httpserver because the tests need what
werkzeug (under pytest-httpserver) does not give: the headers in the order and letter case they were sent
(the wire-compatibility tests compare ovhflow's requests with python-ovh's header by header), the request
target byte for byte, and a reply that drops the connection without answering (``Reply(close=True)``,
for the transport's retries on a reset connection).
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SERVER_TIME = 1_700_000_000


@dataclass
class Captured:
    """One request as received."""

    method: str
    target: str  # path and query, exactly as sent
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class Reply:
    """What the server answers; ``close`` drops the connection without answering."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    close: bool = False


Responder = Callable[[Captured], Reply]


def default_responder(request: Captured) -> Reply:
    if request.path.endswith("/auth/time"):
        return Reply(body=SERVER_TIME)
    if request.path.endswith("/auth/credential"):
        return Reply(body={"consumerKey": "adoptedConsumerKey123", "validationUrl": "http://x", "state": "x"})
    return Reply(body={"path": request.target}, headers={"X-OVH-QUERYID": "EU.ext-1.abc"})


# test-only: localhost.pem/.key (for localhost and 127.0.0.1, self-signed), another-ca.pem (an unrelated CA)
TLS_DIR = Path(__file__).parent / "tls"


class CaptureServer:
    """A threaded HTTP/1.1 server recording requests; ``url`` ends with ``/1.0`` like an OVH endpoint.

    ``connections`` counts the TCP connections accepted. With ``tls``, it answers HTTPS for the name
    ``localhost`` with the self-signed certificate in ``TLS_DIR`` (``root`` and ``url`` use that name)."""

    def __init__(self, tls: bool = False) -> None:
        self.requests: list[Captured] = []
        self.connections = 0
        self.responder: Responder = default_responder
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out separately; no 40 ms delayed-ACK wait

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Captured(self.command, self.path, list(self.headers.items()), body)
                with server._lock:
                    server.requests.append(request)
                reply = server.responder(request)
                if reply.close:
                    self.close_connection = True
                    return
                payload = reply.raw if reply.raw is not None else (
                    b"" if reply.status == 204 else json.dumps(reply.body).encode()
                )  # fmt: skip
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        context = _server_tls_context() if tls else None

        class Server(ThreadingHTTPServer):
            def get_request(self) -> tuple[Any, Any]:
                connection, address = self.socket.accept()
                server.connections += 1
                if context is not None:  # a failed handshake raises here: socketserver drops it
                    connection = context.wrap_socket(connection, server_side=True)
                return connection, address

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.root = f"https://localhost:{self.port}" if tls else f"http://127.0.0.1:{self.port}"
        self.url = self.root + "/1.0"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def paths(self) -> list[str]:
        return [r.target for r in self.requests]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _server_tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS_DIR / "localhost.pem", TLS_DIR / "localhost.key")
    return context


CREDENTIALS = {
    "application_key": "appKeyForTests",
    "application_secret": "appSecretNeverShown",
    "consumer_key": "consumerKeyNeverShown",
}


def fail_first(server: CaptureServer, failures: int, reply: Reply) -> None:
    """Answer ``reply`` to the first ``failures`` requests of each target, then succeed."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def respond(request):  # noqa: ANN001, ANN202
        if request.path.endswith("/auth/time"):
            return Reply(body=SERVER_TIME)
        with lock:
            seen[request.method + request.target] += 1
            count = seen[request.method + request.target]
        return reply if count <= failures else Reply(body={"ok": request.method})

    server.responder = respond
