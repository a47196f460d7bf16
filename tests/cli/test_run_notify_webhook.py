"""`ovhflow run --notify-webhook URL`: a failed run POSTs its summary to the URL (notify plugin)."""

from __future__ import annotations

import json

from pytest_httpserver import HTTPServer


def test_failed_run_posts_to_the_webhook(sandbox, ovhflow_invoke, tmp_path, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data(status=204)
    recipe = tmp_path / "failing.yaml"
    recipe.write_text("name: failing\nsteps:\n  - fail: on purpose\n")
    url = httpserver.url_for("/hook")
    done = ovhflow_invoke("run", str(recipe), "--notify-webhook", url, env=sandbox.env())
    ok = tmp_path / "ok.yaml"
    ok.write_text("name: fine\nsteps:\n  - log: fine\n")
    fine = ovhflow_invoke("run", str(ok), "--notify-webhook", url, env=sandbox.env())
    assert done.returncode == 1 and fine.returncode == 0
    httpserver.check()  # no request the server had no answer for
    (posted,) = [request for request, _ in httpserver.log]  # `when: failure`: the successful run sent nothing
    assert "on purpose" in json.dumps(posted.get_json())
