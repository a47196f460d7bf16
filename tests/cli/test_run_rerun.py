"""Re-running the burst recipe after an interrupted run finishes the job without redoing any write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.helpers import RECIPES_DIR

BURST = str(RECIPES_DIR / "burst-sbg1.yaml")


def _to_enable(sandbox):
    state = sandbox.state
    return sorted(
        name
        for name, server in state["servers"].items()
        if server["datacenter"] == "sbg1" and state["bursts"][name]["status"] != "active"
    )


def test_interrupted_burst_then_rerun_writes_each_server_once(sandbox_factory, ovhflow_invoke):
    sandbox = sandbox_factory(servers=40, latency=0.05)
    expected = _to_enable(sandbox)
    assert len(expected) >= 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")} | sandbox.env()
    process = subprocess.Popen(
        [sys.executable, "-m", "ovhflow", "run", "-v", "--concurrency", "1", BURST],  # one write at a time
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    while True:  # stop it right after its first write
        line = process.stderr.readline()
        if not line or "PUT /dedicated/server/" in line:
            break
    process.send_signal(signal.SIGTERM)
    process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 143
    first = [e["path"] for e in sandbox.writes()]
    assert 0 < len(first) < len(expected)

    done = ovhflow_invoke("run", BURST, env=sandbox.env())
    assert done.returncode == 0, done.stderr
    paths = [e["path"] for e in sandbox.writes()]
    assert sorted(paths) == [f"/dedicated/server/{name}/burst" for name in expected]  # each once
    assert _to_enable(sandbox) == []
