"""The seeded account through the API: /me, bills, credentials, servers, mail redirections, DNS, v2 IAM."""

from __future__ import annotations

import datetime as dt

from ovhflow.sandbox import Sandbox
from ovhflow.sandbox.data import generate_account

PRICE_FIELDS = {"currencyCode", "priceInUcents", "text", "value"}  # order.Price, as the schema has it


def test_me_has_nichandle_fields(api) -> None:
    me = api.ok("GET", "/me")
    for field in ("firstname", "name", "nichandle", "email", "country", "language", "ovhSubsidiary"):
        assert me[field], field
    assert me["currency"] == {"code": "EUR", "symbol": "EURO"}


def test_bills_details_and_date_filters(api, sandbox) -> None:
    bill_ids = api.ok("GET", "/me/bill")
    assert sorted(bill_ids) == sorted(sandbox.state["bills"])
    bills = [api.ok("GET", f"/me/bill/{bill_id}") for bill_id in bill_ids]
    for bill in bills:
        assert bill["billId"].startswith("FR") and len(bill["billId"]) == 10
        assert dt.datetime.fromisoformat(bill["date"]).tzinfo is not None
        for price in ("priceWithTax", "priceWithoutTax", "tax"):
            assert set(bill[price]) == PRICE_FIELDS
        assert (
            round(bill["priceWithoutTax"]["value"] + bill["tax"]["value"], 2) == bill["priceWithTax"]["value"]
        )
        assert bill["billId"] in bill["pdfUrl"] and bill["password"] in bill["url"]
    dates = sorted(dt.datetime.fromisoformat(b["date"]) for b in bills)
    middle = dates[len(dates) // 2]
    after = api.ok("GET", f"/me/bill?date.from={middle.isoformat().replace('+', '%2B')}")
    before = api.ok("GET", f"/me/bill?date.to={middle.date().isoformat()}")
    assert {b["billId"] for b in bills if dt.datetime.fromisoformat(b["date"]) >= middle} == set(after)
    expected_before = {
        b["billId"]
        for b in bills
        if dt.datetime.fromisoformat(b["date"])
        <= dt.datetime.combine(middle.date(), dt.time(), dt.timezone.utc)
    }
    assert set(before) == expected_before
    assert api.get("/me/bill?date.from=yesterday").status_code == 400

    detail_ids = api.ok("GET", f"/me/bill/{bill_ids[0]}/details")
    detail = api.ok("GET", f"/me/bill/{bill_ids[0]}/details/{detail_ids[0]}")
    assert detail["billDetailId"] == str(detail_ids[0])
    assert set(detail["totalPrice"]) == PRICE_FIELDS and detail["quantity"].isdigit()
    assert detail["periodStart"] <= detail["periodEnd"]
    assert api.get("/me/bill/FR00000000").json()["class"] == "Client::NotFound"
    assert api.get(f"/me/bill/{bill_ids[0]}/details/0").status_code == 404


def test_bills_span_two_years() -> None:
    account = generate_account(seed=3, servers=2, bills=60)
    dates = sorted(dt.datetime.fromisoformat(b["date"]) for b in account["bills"].values())
    assert dt.timedelta(days=500) < dates[-1] - dates[0] <= dt.timedelta(days=731)


def test_api_credentials_filter_and_application(api, sandbox) -> None:
    everything = api.ok("GET", "/me/api/credential")
    validated = api.ok("GET", "/me/api/credential?status=validated")
    assert set(validated) < set(everything)
    for credential_id in everything:
        credential = api.ok("GET", f"/me/api/credential/{credential_id}")
        assert (credential["status"] == "validated") == (credential_id in validated)
        assert {
            "applicationId",
            "creation",
            "expiration",
            "lastUse",
            "rules",
            "ovhSupport",
            "allowedIPs",
        } <= set(credential)
        application = api.ok("GET", f"/me/api/credential/{credential_id}/application")
        assert application["applicationId"] == credential["applicationId"]
        assert {"applicationKey", "name", "description", "status"} <= set(application)
    assert api.get("/me/api/credential?status=bogus").status_code == 400
    assert api.get("/me/api/credential/1").status_code == 404


def test_servers_look_like_ovh_and_spread_over_datacenters() -> None:
    account = generate_account(seed=1, servers=200, bills=0)
    servers = account["servers"]
    assert len(servers) == 200
    datacenters = [s["datacenter"] for s in servers.values()]
    assert 40 <= datacenters.count("sbg1") <= 80
    assert {"rbx3", "gra2", "bhs1"} <= set(datacenters)
    for name, server in servers.items():
        assert name.startswith("ns") and ".ip-" in name and name.endswith((".eu", ".net"))
        assert server["name"] == name and server["ip"].startswith(
            name.split(".ip-")[1].split(".")[0].replace("-", ".")
        )
        assert account["bursts"][name]["status"] in ("active", "inactive", "inactiveLocked")


def test_seed_decides_the_account() -> None:
    now = dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc)
    assert generate_account(7, 5, 5, now) == generate_account(7, 5, 5, now)
    assert generate_account(7, 5, 5, now)["servers"] != generate_account(8, 5, 5, now)["servers"]


def test_server_burst_and_reboot_task(api, sandbox) -> None:
    names = api.ok("GET", "/dedicated/server")
    assert len(names) == 12
    server = api.ok("GET", f"/dedicated/server/{names[0]}")
    for field in (
        "datacenter",
        "ip",
        "state",
        "os",
        "reverse",
        "rack",
        "commercialRange",
        "serverId",
        "powerState",
    ):
        assert field in server
    assert api.get("/dedicated/server/ns0.example").json()["class"] == "Client::NotFound"

    burst_path = f"/dedicated/server/{names[0]}/burst"
    for status in ("active", "inactiveLocked", "inactive"):
        assert api.ok("PUT", burst_path, {"status": status}) is None
        assert api.ok("GET", burst_path)["status"] == status
        assert sandbox.state["bursts"][names[0]]["status"] == status
    refused = api.request("PUT", burst_path, {"status": "on"})
    assert refused.status_code == 400 and refused.json()["class"] == "Client::BadRequest"
    assert "inactiveLocked" in refused.json()["message"]
    assert api.request("PUT", burst_path, {}).status_code == 400
    assert sandbox.state["bursts"][names[0]]["status"] == "inactive"

    task = api.ok("POST", f"/dedicated/server/{names[0]}/reboot")
    assert task["status"] == "todo" and task["function"] == "hardReboot"
    assert api.ok("GET", f"/dedicated/server/{names[0]}/task") == [task["taskId"]]
    seen = [api.ok("GET", f"/dedicated/server/{names[0]}/task/{task['taskId']}")["status"] for _ in range(3)]
    assert seen == ["doing", "done", "done"]
    assert api.ok("GET", f"/dedicated/server/{names[0]}/task?status=done") == [task["taskId"]]
    assert api.get(f"/dedicated/server/{names[0]}/task/1").status_code == 404


def test_mail_redirections(api, sandbox) -> None:
    base = "/email/domain/example.com/redirection"
    before = api.ok("GET", base)
    first = api.ok("GET", f"{base}/{before[0]}")
    assert set(first) == {"id", "from", "to"}
    assert api.ok("GET", f"{base}?from={first['from']}") == [first["id"]]
    task = api.ok(
        "POST", base, {"from": "new@example.com", "to": "someone@elsewhere.net", "localCopy": False}
    )
    assert task["action"] == "add" and task["domain"] == "example.com"
    created = api.ok("GET", f"{base}?from=new@example.com")
    assert len(created) == 1
    assert api.ok("GET", f"{base}/{created[0]}")["to"] == "someone@elsewhere.net"
    again = api.request(
        "POST", base, {"from": "new@example.com", "to": "someone@elsewhere.net", "localCopy": False}
    )
    assert again.status_code == 409
    assert api.request("POST", base, {"from": "new@example.com"}).status_code == 400
    assert (
        api.request("POST", base, {"from": "x@other.org", "to": "a@b.c", "localCopy": True}).status_code
        == 400
    )
    assert api.ok("DELETE", f"{base}/{created[0]}")["action"] == "delete"
    assert api.get(f"{base}/{created[0]}").status_code == 404
    assert sorted(api.ok("GET", base)) == sorted(before)
    assert api.get("/email/domain/unknown.org/redirection").status_code == 404


def test_dns_records(api, sandbox) -> None:
    base = "/domain/zone/example.com"
    ids = api.ok("GET", f"{base}/record")
    www = api.ok("GET", f"{base}/record?fieldType=A&subDomain=www")
    assert len(www) == 1 and www[0] in ids
    record = api.ok("GET", f"{base}/record/{www[0]}")
    assert set(record) == {"id", "fieldType", "subDomain", "target", "ttl", "zone"}
    created = api.ok(
        "POST", f"{base}/record", {"fieldType": "TXT", "subDomain": "t", "target": "hello", "ttl": 60}
    )
    assert created["zone"] == "example.com" and created["ttl"] == 60
    assert api.ok("PUT", f"{base}/record/{created['id']}", {"target": "bye"}) is None
    assert api.ok("GET", f"{base}/record/{created['id']}")["target"] == "bye"
    assert api.request("POST", f"{base}/record", {"fieldType": "BOGUS", "target": "x"}).status_code == 400
    assert api.request("PUT", f"{base}/record/{created['id']}", {"ttl": "long"}).status_code == 400
    assert api.ok("POST", f"{base}/refresh") is None
    assert sandbox.state["zones"]["example.com"]["refreshes"] == 1
    assert api.ok("DELETE", f"{base}/record/{created['id']}") is None
    assert api.get(f"{base}/record/{created['id']}").status_code == 404


def test_v2_iam_resources_cursor_pagination(api, sandbox) -> None:
    seen, cursor, pages = [], None, 0
    while True:
        headers = {"X-Pagination-Size": "5", **({"X-Pagination-Cursor": cursor} if cursor else {})}
        response = api.get("/v2/iam/resource", headers=headers)
        assert response.status_code == 200, response.text
        seen += response.json()
        pages += 1
        cursor = response.headers.get("X-Pagination-Cursor-Next")
        if not cursor:
            break
    assert pages == 3  # 12 servers + a mail domain + a DNS zone, 5 a page
    assert [r["id"] for r in seen] == [r["id"] for r in sandbox.state["iamResources"]]
    assert {"id", "name", "displayName", "type", "urn", "owner", "tags"} <= set(seen[0])
    assert api.get("/v2/iam/resource", headers={"X-Pagination-Cursor": "garbage!"}).status_code == 400
    assert api.get("/v2/me").status_code == 404
    assert api.get("/iam/resource").status_code == 404  # a v2 API, not under /1.0


def test_default_sizes() -> None:
    sandbox = Sandbox()
    assert len(sandbox.state["servers"]) == 20 and len(sandbox.state["bills"]) == 24
