"""Batch reads (X-Ovh-Batch) and expanded listings (CachedObjectList-Pages), on and off."""

from __future__ import annotations

from tests.sandbox.helpers import SignedSession

EXPAND = {"X-Pagination-Mode": "CachedObjectList-Pages"}


def test_batch_read_answers_key_value_error(api, sandbox) -> None:
    names = api.ok("GET", "/dedicated/server")[:3]
    keys = [*names, "ns0.missing.eu"]
    items = api.ok("GET", "/dedicated/server/" + ",".join(keys), headers={"X-Ovh-Batch": ","})
    assert [item["key"] for item in items] == keys
    for name, item in zip(names, items, strict=False):
        assert item["value"] == sandbox.state["servers"][name] and item["error"] is None
    assert items[3]["value"] is None and "does not exist" in items[3]["error"]
    bursts = api.ok("GET", f"/dedicated/server/{','.join(names)}/burst", headers={"X-Ovh-Batch": ","})
    assert [b["value"]["status"] for b in bursts] == [sandbox.state["bursts"][n]["status"] for n in names]
    single = api.ok("GET", f"/dedicated/server/{names[0]}", headers={"X-Ovh-Batch": ","})
    assert single == [{"key": names[0], "value": sandbox.state["servers"][names[0]], "error": None}]
    journal = sandbox.journal[-3]
    assert journal["headers"]["X-Ovh-Batch"] == ","


def test_batch_refused_when_off(sandbox_factory) -> None:
    sb = sandbox_factory(servers=3, bills=1, batch=False)
    api = SignedSession(sb.credentials)
    names = api.ok("GET", "/dedicated/server")
    refused = api.get("/dedicated/server/" + ",".join(names), headers={"X-Ovh-Batch": ","})
    assert refused.status_code == 400 and refused.json()["class"] == "Client::BadRequest"
    assert api.ok("GET", f"/dedicated/server/{names[0]}")["name"] == names[0]


def test_expanded_listing_pages_filter_and_sort(api, sandbox) -> None:
    servers = sandbox.state["servers"]
    first = api.get(
        "/dedicated/server", headers={**EXPAND, "X-Pagination-Size": "5", "X-Pagination-Number": "1"}
    )
    assert first.status_code == 200
    assert first.headers["X-Pagination-Elements"] == "12"
    assert first.json() == [servers[name] for name in list(servers)[:5]]
    third = api.ok(
        "GET", "/dedicated/server", headers={**EXPAND, "X-Pagination-Size": "5", "X-Pagination-Number": "3"}
    )
    assert third == [servers[name] for name in list(servers)[10:]]

    datacenter = next(iter(servers.values()))["datacenter"]
    filtered = api.get(
        "/dedicated/server",
        headers={
            **EXPAND,
            "X-Pagination-Filter": f"datacenter:eq={datacenter}",
            "X-Pagination-Sort": "serverId",
            "X-Pagination-Sort-Order": "DESC",
        },
    )
    expected = sorted(
        (s for s in servers.values() if s["datacenter"] == datacenter), key=lambda s: -s["serverId"]
    )
    assert filtered.json() == expected
    assert filtered.headers["X-Pagination-Elements"] == str(len(expected))

    bills = api.ok("GET", "/me/bill", headers={**EXPAND, "X-Pagination-Sort": "date"})
    assert [b["billId"] for b in bills] == sorted(
        sandbox.state["bills"], key=lambda b: sandbox.state["bills"][b]["date"]
    )
    bad = api.get("/dedicated/server", headers={**EXPAND, "X-Pagination-Filter": "datacenter=sbg1"})
    assert bad.status_code == 400
    not_a_listing = api.get("/me", headers=EXPAND)
    assert not_a_listing.status_code == 400


def test_expand_refused_when_off(sandbox_factory) -> None:
    sb = sandbox_factory(servers=3, bills=1, expand=False)
    api = SignedSession(sb.credentials)
    refused = api.get("/dedicated/server", headers=EXPAND)
    assert refused.status_code == 400 and refused.json()["class"] == "Client::BadRequest"
    assert len(api.ok("GET", "/dedicated/server")) == 3
