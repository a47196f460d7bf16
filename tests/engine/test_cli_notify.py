"""`ovhflow run --notify-webhook URL`: a failed run POSTs its summary to the URL (notify plugin)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        type(self).received.append(json.loads(self.rfile.read(length) or b"null"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_failed_run_posts_to_the_webhook(sandbox, ovhflow_cli, tmp_path):
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        recipe = tmp_path / "failing.yaml"
        recipe.write_text("name: failing\nsteps:\n  - fail: on purpose\n")
        url = f"http://127.0.0.1:{server.server_port}/hook"
        done = ovhflow_cli("run", str(recipe), "--notify-webhook", url, env=sandbox.env())
        ok = tmp_path / "ok.yaml"
        ok.write_text("name: fine\nsteps:\n  - log: fine\n")
        fine = ovhflow_cli("run", str(ok), "--notify-webhook", url, env=sandbox.env())
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1 and fine.returncode == 0
    assert len(_Receiver.received) == 1  # default `when: failure`: the successful run sent nothing
    assert "on purpose" in json.dumps(_Receiver.received[0])
