"""The seeded account's services beyond servers and bills: a mail domain, its DNS zone, v2 IAM resources."""

from __future__ import annotations

import random
from typing import Any

EMAIL_DOMAIN = "example.com"


def email_and_zone(rng: random.Random) -> tuple[dict, dict]:
    """The mail domain with a few redirections, and the same domain's DNS zone with typical records."""
    redirections: dict[str, Any] = {}
    for local, target in [("contact", "alice"), ("sales", "bob"), ("billing", "alice"), ("noc", "ops-team")]:
        redirection_id = str(rng.randint(10000000, 99999999))
        redirections[redirection_id] = {
            "from": f"{local}@{EMAIL_DOMAIN}",
            "id": redirection_id,
            "to": f"{target}@mail.{EMAIL_DOMAIN}",
        }
    records: dict[str, Any] = {}
    record_id = rng.randint(5000000000, 5999999999)
    rows = [
        ("NS", "", "dns10.ovh.net."),
        ("NS", "", "ns10.ovh.net."),
        ("A", "", "51.68.12.34"),
        ("A", "www", "51.68.12.34"),
        ("AAAA", "www", "2001:41d0:302:2200::1"),
        ("MX", "", "1 mx1.mail.ovh.net."),
        ("TXT", "", '"v=spf1 include:mx.ovh.com ~all"'),
        ("CNAME", "mail", "ssl0.ovh.net."),
    ]
    for field_type, sub_domain, target in rows:
        record_id += rng.randint(1, 99)
        records[str(record_id)] = {
            "fieldType": field_type,
            "id": record_id,
            "subDomain": sub_domain,
            "target": target,
            "ttl": 0 if field_type != "NS" else 3600,
            "zone": EMAIL_DOMAIN,
        }
    email = {EMAIL_DOMAIN: {"redirections": redirections}}
    zones = {EMAIL_DOMAIN: {"records": records, "serial": 2024010100, "refreshes": 0}}
    return email, zones


def iam_resources(rng: random.Random, servers: dict[str, Any]) -> list[dict[str, Any]]:
    """One v2 IAM resource per server, plus the mail domain and the DNS zone."""
    owner = "xx1234-ovh"
    items = []
    for name in servers:
        items.append(("dedicatedServer", name))
    items += [("emailDomain", EMAIL_DOMAIN), ("dnsZone", EMAIL_DOMAIN)]
    resources = []
    for resource_type, name in items:
        bits = (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12), rng.getrandbits(14))
        uuid = f"{bits[0]:08x}-{bits[1]:04x}-4{bits[2]:03x}-{0x8000 | bits[3]:04x}-{rng.getrandbits(48):012x}"
        resources.append(
            {
                "displayName": name,
                "id": uuid,
                "name": name,
                "owner": owner,
                "tags": {"ovh:environment": rng.choice(["production", "staging"])},
                "type": resource_type,
                "urn": f"urn:v1:eu:resource:{resource_type}:{name}",
            }
        )
    return resources
