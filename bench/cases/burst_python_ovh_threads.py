"""Reference point for the fan-out case: the burst job hand-parallelised with python-ovh and 16 threads.

Not a target, a ceiling: what a careful person gets from python-ovh with a thread pool (one client per
thread, as python-ovh makes no thread-safety promise), on this machine, against the same sandbox. If
ovhflow at concurrency 16 is close to this, the remaining cost is in HTTP and the machine, not in the
engine. Usage: ``burst_python_ovh_threads.py [THREADS]``.
"""

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import ovh
import ovh.client

endpoint = os.environ["OVH_ENDPOINT"]
if endpoint.startswith(("http://", "https://")):
    ovh.client.ENDPOINTS[endpoint] = endpoint.rstrip("/")

local = threading.local()


def client() -> ovh.Client:
    if not hasattr(local, "client"):
        local.client = ovh.Client()
    return local.client


def enable_if_sbg1(server: str) -> None:
    details = client().get(f"/dedicated/server/{server}")
    if details["datacenter"] == "sbg1":
        client().put(f"/dedicated/server/{server}/burst", status="active")
        print(f"Enabled burst for {server} server located in SBG-1")


threads = int(sys.argv[1]) if len(sys.argv) > 1 else 16
servers = client().get("/dedicated/server/")
with ThreadPoolExecutor(threads) as pool:
    list(pool.map(enable_if_sbg1, servers))
