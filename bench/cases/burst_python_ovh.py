# ruff: noqa: UP031  (kept as the seed wrote it)
"""The seed's "enable network burst in SBG1" example, written with python-ovh 1.2.0, as the baseline.

The body is the example from python-ovh's README. The only additions let python-ovh, which knows only
OVH's named endpoints, talk to the sandbox: its URL (``OVH_ENDPOINT``) is registered as an endpoint
name mapping to itself. Credentials come from the environment, as in the example.
"""

import os

import ovh
import ovh.client

endpoint = os.environ["OVH_ENDPOINT"]
if endpoint.startswith(("http://", "https://")):
    ovh.client.ENDPOINTS[endpoint] = endpoint.rstrip("/")

# create a client
client = ovh.Client()

# get list of all server names
servers = client.get("/dedicated/server/")

# find all servers in SBG-1 datacenter
for server in servers:
    details = client.get("/dedicated/server/%s" % server)
    if details["datacenter"] == "sbg1":
        # enable burst on server
        client.put("/dedicated/server/%s/burst" % server, status="active")
        print("Enabled burst for %s server located in SBG-1" % server)
