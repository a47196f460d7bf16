"""Load generator for the "sandbox" case: signed GETs at a fixed concurrency, as lean as a client gets.

It uses ``http.client`` with one keep-alive connection per thread and signs each request as OVH
clients do, so the number it prints is what the sandbox serves, not what a heavier client can send.
Usage: ``sandbox_load.py CONCURRENCY SECONDS`` with the sandbox's ``OVH_*`` variables in the
environment; prints one JSON line: ``{"requests": N, "errors": E, "seconds": S, "per_second": R}``.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main() -> None:
    concurrency, seconds = int(sys.argv[1]), float(sys.argv[2])
    base = os.environ["OVH_ENDPOINT"].rstrip("/")
    app_key = os.environ["OVH_APPLICATION_KEY"]
    secret = os.environ["OVH_APPLICATION_SECRET"]
    consumer = os.environ["OVH_CONSUMER_KEY"]
    parsed = urllib.parse.urlsplit(base)

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def get(conn: http.client.HTTPConnection, path: str, signed: bool = True) -> tuple[int, bytes]:
        url = base + path
        headers = {"X-Ovh-Application": app_key}
        if signed:
            stamp = str(int(time.time()) + delta)
            raw = "+".join([secret, consumer, "GET", url, "", stamp])
            headers.update(
                {
                    "X-Ovh-Consumer": consumer,
                    "X-Ovh-Timestamp": stamp,
                    "X-Ovh-Signature": "$1$" + hashlib.sha1(raw.encode()).hexdigest(),
                }
            )
        conn.request("GET", parsed.path + path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    delta = 0
    setup = connect()
    status, body = get(setup, "/auth/time", signed=False)
    delta = int(json.loads(body)) - int(time.time())
    status, body = get(setup, "/dedicated/server")
    names = json.loads(body)
    setup.close()
    if status != 200 or not names:
        raise SystemExit(f"sandbox_load: listing servers failed: {status} {body[:200]!r}")

    counts = [0] * concurrency
    errors = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def worker(index: int) -> None:
        conn = connect()
        start.wait()
        n = index
        while time.perf_counter() < stop_at[0]:
            status, _ = get(conn, "/dedicated/server/" + urllib.parse.quote(names[n % len(names)], safe=""))
            n += concurrency
            if status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    total = sum(counts)
    print(
        json.dumps(
            {"requests": total, "errors": sum(errors), "seconds": elapsed, "per_second": total / elapsed}
        )
    )


if __name__ == "__main__":
    main()
