"""``/domain/zone/{zoneName}``: DNS records (list, read, create, update, delete) and zone refresh."""

from __future__ import annotations

from typing import Any

from ovhflow.sandbox.api import Call, bad_request, check_enum, not_found
from ovhflow.sandbox.router import Router

RECORD_TYPES = (
    "A",
    "AAAA",
    "CAA",
    "CNAME",
    "DKIM",
    "DMARC",
    "DNAME",
    "HTTPS",
    "LOC",
    "MX",
    "NAPTR",
    "NS",
    "PTR",
    "RP",
    "SPF",
    "SRV",
    "SSHFP",
    "SVCB",
    "TLSA",
    "TXT",
)


def _zone(call: Call, zone_name: str) -> dict[str, Any]:
    zone = call.state["zones"].get(zone_name)
    if zone is None:
        raise not_found(f"The requested object (zoneName = {zone_name}) does not exist")
    return zone


def list_zones(call: Call) -> list[str]:
    return list(call.state["zones"])


def list_records(call: Call, zoneName: str) -> list[int]:  # noqa: N803 (OVH's parameter name)
    field_type, sub_domain = call.query.get("fieldType"), call.query.get("subDomain")
    if field_type is not None:
        check_enum("fieldType", field_type, RECORD_TYPES)
    return [
        record["id"]
        for record in _zone(call, zoneName)["records"].values()
        if (field_type is None or record["fieldType"] == field_type)
        and (sub_domain is None or record["subDomain"] == sub_domain)
    ]


def get_record(call: Call, zoneName: str, id: str) -> dict[str, Any]:  # noqa: N803, A002
    record = _zone(call, zoneName)["records"].get(id)
    if record is None:
        raise not_found(f"The requested object (id = {id}) does not exist")
    return record


def _checked_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "subDomain" in body:
        if body["subDomain"] is not None and not isinstance(body["subDomain"], str):
            raise bad_request("Invalid value for subDomain: not a string")
        fields["subDomain"] = body["subDomain"] or ""
    if "target" in body:
        if not isinstance(body["target"], str) or not body["target"]:
            raise bad_request("Invalid value for target: not a non-empty string")
        fields["target"] = body["target"]
    if "ttl" in body and body["ttl"] is not None:
        if not isinstance(body["ttl"], int) or isinstance(body["ttl"], bool) or body["ttl"] < 0:
            raise bad_request("Invalid value for ttl: not a positive integer")
        fields["ttl"] = body["ttl"]
    return fields


def create_record(call: Call, zoneName: str) -> dict[str, Any]:  # noqa: N803
    zone = _zone(call, zoneName)
    field_type = call.body_field("fieldType")
    check_enum("fieldType", field_type, RECORD_TYPES)
    call.body_field("target")
    fields = _checked_fields(call.body)
    record_id = max([int(k) for k in zone["records"]] + [5000000000]) + 1
    record = {
        "fieldType": field_type,
        "id": record_id,
        "subDomain": "",
        "target": "",
        "ttl": 0,
        "zone": zoneName,
    }
    record.update(fields)
    zone["records"][str(record_id)] = record
    return dict(record)


def update_record(call: Call, zoneName: str, id: str) -> None:  # noqa: N803, A002
    record = get_record(call, zoneName, id)
    if not isinstance(call.body, dict):
        raise bad_request("Missing body")
    record.update(_checked_fields(call.body))
    return None


def delete_record(call: Call, zoneName: str, id: str) -> None:  # noqa: N803, A002
    get_record(call, zoneName, id)
    del _zone(call, zoneName)["records"][id]
    return None


def refresh_zone(call: Call, zoneName: str) -> None:  # noqa: N803
    zone = _zone(call, zoneName)
    zone["serial"] += 1
    zone["refreshes"] += 1
    return None


def register(router: Router) -> None:
    router.add("GET", "/domain/zone", list_zones)
    router.add("GET", "/domain/zone/{zoneName}/record", list_records)
    router.add("POST", "/domain/zone/{zoneName}/record", create_record)
    router.add("GET", "/domain/zone/{zoneName}/record/{id}", get_record)
    router.add("PUT", "/domain/zone/{zoneName}/record/{id}", update_record)
    router.add("DELETE", "/domain/zone/{zoneName}/record/{id}", delete_record)
    router.add("POST", "/domain/zone/{zoneName}/refresh", refresh_zone)
