"""The HTTP side: a threaded HTTP/1.1 keep-alive server on loopback that hands requests to the app.

Each connection gets a daemon thread (``TCP_NODELAY``, no per-request logging), and an answer goes out
in one ``write`` so small responses are one TCP segment. :meth:`SandboxServer.close` shuts open
keep-alive connections down, so stopping never waits on an idle client.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ovhflow.sandbox.app import SandboxApp

_REASONS = {status.value: status.phrase for status in HTTPStatus}


class _DateCache:
    """The ``Date`` header changes once a second; formatting it per request is wasted work."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = formatdate(second, usegmt=True)
            self._second = second
        return self._text


class Headers(dict):
    """Request headers keyed by lower-case name; ``get`` and ``[]`` take any case, as HTTP names are."""

    def get(self, name: str, default: Any = None) -> Any:
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name: str) -> Any:
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and dict.__contains__(self, name.lower())


MAX_LINE = 65536
MAX_HEADERS = 100


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ovhflow-sandbox"
    sys_version = ""
    disable_nagle_algorithm = True
    server: SandboxServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (base class signature)
        """Quiet: the journal records requests; stderr logging per request would cost throughput."""

    def handle_one_request(self) -> None:
        """Read one request with a minimal parser (http.client's e-mail parser cost more than the rest)."""
        try:
            line = self.rfile.readline(MAX_LINE + 1)
        except OSError:
            line = b""
        if not line:
            self.close_connection = True
            return
        parts = line.decode("latin-1").split()
        if len(line) > MAX_LINE or len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self._refuse(400, "Bad request line")
            return
        self.command, self.path, self.request_version = parts
        self.requestline = line.decode("latin-1").rstrip("\r\n")
        headers = Headers()
        for _ in range(MAX_HEADERS + 1):
            raw = self.rfile.readline(MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            self._refuse(431, "Too many headers")
            return
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version != "HTTP/1.1" and connection != "keep-alive"
        )
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self._serve()

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        body = json.dumps({"class": "Client::BadRequest", "message": message}).encode()
        head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
        head += f"X-OVH-QueryID: {self.server.app.new_query_id()}\r\n"
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        try:
            self.wfile.write(head.encode("latin-1") + body)
        except OSError:
            pass

    def _serve(self) -> None:
        length = self.headers.get("Content-Length")
        try:
            body = self.rfile.read(int(length)) if length else b""
        except ValueError:
            self._refuse(400, "Bad Content-Length")
            return
        network = self.server.app.faults.network
        hostile = network.selects(self.command, self.path)
        if hostile and network.redirect:  # not handled: the request must be sent to the Location
            self._write(
                network.redirect_status, [("Location", network.redirect.rstrip("/") + self.path)], b""
            )
            return
        if hostile and network.take("throttle"):
            retry_after = network.retry_after if network.retry_after is not None else "1"
            message = b'{"class":"Client::TooManyRequests","message":"Too many requests (sandbox fault)"}'
            self._write(429, [("Content-Type", "application/json"), ("Retry-After", retry_after)], message)
            return
        if hostile and network.hang:
            self.server.closing.wait(network.hang)
        answer = self.server.app.handle(self.command, self.path, self.headers, body, self.client_address[0])
        if answer is None:  # injected fault: drop the connection without a word
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        status, headers, payload = answer
        if hostile and network.text is not None and 200 <= status < 300:
            headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
            payload = network.text.encode()
        if hostile and payload and network.take("cut_bodies"):
            self.close_connection = True
            self._write(status, headers, payload, send=len(payload) // 2)
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(status, headers, payload, trickle=network.trickle if hostile else 0.0)

    def _write(
        self,
        status: int,
        headers: list[tuple[str, str]],
        payload: bytes,
        send: int | None = None,
        trickle: float = 0.0,
    ) -> None:
        """The answer in one ``write``; or only ``send`` bytes of the body; or the body a byte every
        ``trickle`` seconds (the headers at once)."""
        lines = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}",
            f"Server: {self.server_version}",
            f"Date: {self.server.dates.now()}",
        ]
        lines.extend(f"{name}: {value}" for name, value in headers)
        lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            self.wfile.write(head)
        elif not trickle:
            self.wfile.write(head + payload[:send])
        else:
            self.wfile.write(head)
            for index in range(len(payload)):
                if self.server.closing.wait(trickle):
                    return
                self.wfile.write(payload[index : index + 1])


class SandboxServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer with a deep accept queue that knows its connections and their threads."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        self.dates = _DateCache()
        self._connections: set[socket.socket] = set()
        self._connection_threads: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()
        self.closing = threading.Event()  # cuts short the waits of injected network faults
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """One named daemon thread per connection, remembered so :meth:`close` can wait for it."""
        thread = threading.Thread(
            target=self._connection_thread,
            args=(request, client_address),
            name=f"ovhflow-sandbox-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connection_threads.add(thread)
        thread.start()

    def _connection_thread(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connection_threads.discard(threading.current_thread())

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-answer are normal under load; nothing to report."""

    def close(self, wait: float = 2.0) -> None:
        """Stop accepting, cut keep-alive connections, and give their threads ``wait`` seconds to end."""
        self.closing.set()
        self.server_close()
        with self._connections_lock:
            connections = list(self._connections)
            threads = list(self._connection_threads)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
