"""The HTTP layer itself, over raw loopback sockets: keep-alive, closing, malformed requests, HEAD."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def connect(sandbox):
    opened = []

    def open_socket() -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", sandbox.port), timeout=5)
        opened.append(connection)
        return connection

    yield open_socket
    for connection in opened:
        connection.close()


def read_answer(connection: socket.socket, with_body: bool = True) -> tuple[str, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    while with_body and len(body) < int(headers.get("content-length", 0)):
        body += connection.recv(65536)
    return lines[0], headers, body


def test_keep_alive_serves_several_requests_on_one_connection(connect) -> None:
    connection = connect()
    for _ in range(3):
        connection.sendall(b"GET /1.0/auth/time HTTP/1.1\r\nhOsT: 127.0.0.1\r\n\r\n")
        status, headers, body = read_answer(connection)
        assert status == "HTTP/1.1 200 OK" and body.isdigit()
        assert headers["x-ovh-queryid"] and "connection" not in headers


def test_connection_close_and_http_1_0_end_the_connection(connect) -> None:
    for request in (
        b"GET /1.0/auth/time HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /1.0/auth/time HTTP/1.0\r\n\r\n",
    ):
        connection = connect()
        connection.sendall(request)
        status, headers, _ = read_answer(connection)
        assert status.endswith("200 OK") and headers["connection"] == "close"
        assert connection.recv(10) == b""


def test_malformed_request_line_gets_400(connect) -> None:
    connection = connect()
    connection.sendall(b"NONSENSE\r\n\r\n")
    status, headers, body = read_answer(connection)
    assert status.startswith("HTTP/1.1 400") and b"Client::BadRequest" in body
    assert headers["x-ovh-queryid"]


def test_expect_continue_and_head(connect) -> None:
    connection = connect()
    body = b'{"accessRules": [{"method": "GET", "path": "/me"}]}'
    connection.sendall(
        b"POST /1.0/auth/credential HTTP/1.1\r\nX-Ovh-Application: nope\r\nExpect: 100-continue\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    assert connection.recv(25).startswith(b"HTTP/1.1 100 Continue")
    connection.sendall(body)
    status, _, answer = read_answer(connection)
    assert status.startswith("HTTP/1.1 403") and b"INVALID_KEY" in answer
    connection.sendall(b"HEAD /1.0/auth/time HTTP/1.1\r\n\r\n")
    status, headers, rest = read_answer(connection, with_body=False)
    assert status.startswith("HTTP/1.1 405") and int(headers["content-length"]) > 0 and rest == b""
    connection.sendall(b"GET /1.0/auth/time HTTP/1.1\r\n\r\n")  # no stray body bytes before this answer
    assert read_answer(connection)[0] == "HTTP/1.1 200 OK"
