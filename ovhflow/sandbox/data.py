"""The sandbox's account: a deterministic, seeded generator of OVH-like data.

Field names follow OVH's published models (``dedicated.server.Dedicated``, ``billing.Bill``,
``api.Credential``, ``nichandle.Nichandle``, ``domain.zone.Record``, ...) so that recipes written
against the sandbox read the same fields on the real API. Everything is plain JSON (string keys),
so the whole account can be saved to and loaded from a state file as is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ovhflow.sandbox.data_services import EMAIL_DOMAIN, email_and_zone, iam_resources

# datacenter -> weight; sbg1 gets a meaningful share so that "burst in SBG1" recipes have work to do
DATACENTERS: dict[str, int] = {
    "sbg1": 30,
    "rbx3": 15,
    "gra2": 15,
    "bhs1": 10,
    "rbx7": 8,
    "gra1": 7,
    "sbg3": 5,
    "waw1": 5,
    "lim3": 5,
}
RANGES = ["Advance-1", "Advance-2", "Rise-1", "Rise-3", "Scale-a1", "Game-1", "KS-LE-B", "SYS-1"]
OSES = ["debian12_64", "ubuntu2404-server_64", "rocky9_64", "proxmox8_64", "win2022-std_64", "none_64"]
REGION_OF = {"sbg": "eu-west-sbg", "rbx": "eu-west-rbx", "gra": "eu-west-gra", "bhs": "ca-east-bhs"}
REGION_OF.update({"waw": "eu-central-waw", "lim": "eu-central-lim"})


def _iso(moment: dt.datetime) -> str:
    """OVH's datetime format: ISO 8601 with seconds and a numeric offset."""
    return moment.isoformat(timespec="seconds")


def _price(value: float, currency: str = "EUR") -> dict[str, Any]:
    value = round(value, 2)
    return {
        "currencyCode": currency,
        "priceInUcents": round(value * 100_000_000),
        "text": f"{value:.2f} €",
        "value": value,
    }


def token(rng: random.Random, length: int = 16) -> str:
    """An alphanumeric key like OVH's application and consumer keys."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


def _servers(rng: random.Random, count: int, now: dt.datetime) -> tuple[dict, dict]:
    servers: dict[str, dict[str, Any]] = {}
    bursts: dict[str, dict[str, Any]] = {}
    names = list(DATACENTERS)
    weights = list(DATACENTERS.values())
    used: set[str] = set()
    while len(servers) < count:
        datacenter = rng.choices(names, weights)[0]
        america = datacenter.startswith("bhs")
        octets = (
            (rng.choice([142, 144, 158]), rng.randint(32, 250))
            if america
            else (
                rng.choice([51, 54, 57, 91, 135, 137, 141, 145, 147, 149, 151, 178, 188]),
                rng.randint(10, 250),
            )
        )
        third = rng.randint(1, 254)
        ip = f"{octets[0]}.{octets[1]}.{third}.{rng.randint(1, 254)}"
        number = rng.randint(3000000, 3999999) if not america else rng.randint(5000000, 5999999)
        name = f"ns{number}.ip-{octets[0]}-{octets[1]}-{third}.{'net' if america else 'eu'}"
        if name in used:
            continue
        used.add(name)
        commercial = rng.choice(RANGES)
        servers[name] = {
            "availabilityZone": f"{REGION_OF[datacenter[:3]]}-a",
            "bootId": 1,
            "bootScript": None,
            "commercialRange": commercial,
            "datacenter": datacenter,
            "efiBootloaderPath": None,
            "ip": ip,
            "linkSpeed": rng.choice([1000, 1000, 10000]),
            "monitoring": rng.random() < 0.8,
            "name": name,
            "newUpgradeSystem": True,
            "noIntervention": False,
            "os": rng.choice(OSES),
            "powerState": "poweron",
            "professionalUse": commercial.startswith(("Scale", "Advance")),
            "rack": f"{datacenter.upper()}-{rng.randint(10, 99)}A{rng.randint(1, 20):02d}",
            "region": REGION_OF[datacenter[:3]],
            "rescueMail": None,
            "rescueSshKey": None,
            "reverse": name,
            "rootDevice": None,
            "serverId": rng.randint(100000, 999999),
            "state": "ok" if rng.random() < 0.95 else "error",
            "supportLevel": rng.choice(["pro", "pro", "critical", "fastpath"]),
        }
        bursts[name] = {
            "capacity": {"unit": "Mbps", "value": rng.choice([500, 1000, 2000])},
            "status": rng.choices(["active", "inactive", "inactiveLocked"], [5, 4, 1])[0],
        }
    return servers, bursts


def _bills(rng: random.Random, count: int, now: dt.datetime, server_names: list[str]) -> tuple[dict, dict]:
    bills: dict[str, dict[str, Any]] = {}
    details: dict[str, dict[str, Any]] = {}
    tz = dt.timezone(dt.timedelta(hours=1))
    span_days = 730
    dates = sorted(
        now - dt.timedelta(days=rng.uniform(0, span_days), seconds=rng.randint(0, 86399))
        for _ in range(count)
    )
    detail_number = rng.randint(100000000, 200000000)
    for moment in dates:
        bill_id = f"FR{rng.randint(10000000, 99999999)}"
        while bill_id in bills:
            bill_id = f"FR{rng.randint(10000000, 99999999)}"
        password = token(rng, 6).lower()
        lines: dict[str, Any] = {}
        total = 0.0
        for _ in range(rng.randint(1, 4)):
            detail_number += rng.randint(1, 50)
            domain = rng.choice(server_names) if server_names else EMAIL_DOMAIN
            quantity = rng.choice([1, 1, 1, 2])
            unit = round(rng.uniform(5, 250), 2)
            period_start = moment.date().replace(day=1)
            period_end = (period_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            lines[str(detail_number)] = {
                "billDetailId": str(detail_number),
                "description": f"{rng.choice(RANGES)} rental for {domain}",
                "domain": domain,
                "periodEnd": period_end.isoformat(),
                "periodStart": period_start.isoformat(),
                "quantity": str(quantity),
                "totalPrice": _price(unit * quantity),
                "unitPrice": {
                    k: v for k, v in _price(unit).items() if k != "priceInUcents"
                },  # order.LongPrice
            }
            total += round(unit * quantity, 2)
        tax = total * 0.2
        bills[bill_id] = {
            "billId": bill_id,
            "category": rng.choice(["autorenew", "autorenew", "purchase-servers", "earlyrenewal"]),
            "date": _iso(moment.astimezone(tz)),
            "eInvoicingId": None,
            "eInvoicingStatus": None,
            "orderId": rng.randint(100000000, 299999999),
            "password": password,
            "pdfUrl": f"https://www.ovh.com/cgi-bin/order/facture.pdf?reference={bill_id}&passwd={password}",
            "priceWithTax": _price(total + tax),
            "priceWithoutTax": _price(total),
            "tax": _price(tax),
            "url": f"https://www.ovh.com/cgi-bin/order/facture.cgi?reference={bill_id}&passwd={password}",
        }
        details[bill_id] = lines
    return bills, details


def _applications_and_credentials(rng: random.Random, now: dt.datetime) -> tuple[dict, dict]:
    applications: dict[str, Any] = {}
    credentials: dict[str, Any] = {}
    app_names = [
        ("backup-script", "Nightly backups"),
        ("grafana-export", "Metrics export"),
        ("invoice-sync", "Bills to accounting"),
        ("old-dns-tool", "Retired DNS tool"),
    ]
    credential_id = rng.randint(300000000, 400000000)
    for index, (name, description) in enumerate(app_names):
        application_id = 100000 + rng.randint(1000, 9999) * 10 + index
        applications[str(application_id)] = {
            "applicationId": application_id,
            "applicationKey": token(rng, 16),
            "description": description,
            "name": name,
            "status": "inactive" if name.startswith("old") else "active",
        }
        for status in ["validated", "expired"] if index % 2 == 0 else ["validated", "pendingValidation"]:
            credential_id += rng.randint(1, 999)
            created = now - dt.timedelta(days=rng.randint(30, 600))
            expiration = created + dt.timedelta(days=365) if status == "expired" else None
            credentials[str(credential_id)] = {
                "allowedIPs": None,
                "applicationId": application_id,
                "creation": _iso(created),
                "credentialId": credential_id,
                "expiration": _iso(expiration) if expiration else None,
                "lastUse": _iso(created + dt.timedelta(days=rng.randint(0, 29)))
                if status == "validated"
                else None,
                "ovhSupport": False,
                "rules": [{"method": method, "path": "/me/*"} for method in ("GET",)],
                "status": status,
            }
    return applications, credentials


def _me(rng: random.Random) -> dict[str, Any]:
    """The account holder (``GET /me``); only its customer code and nic handle are drawn from ``rng``."""
    return {
        "address": "2 rue Kellermann",
        "area": "",
        "birthCity": None,
        "birthDay": None,
        "city": "Roubaix",
        "complementaryAddress": None,
        "corporationType": None,
        "companyNationalIdentificationNumber": None,
        "country": "FR",
        "currency": {"code": "EUR", "symbol": "EURO"},
        "customerCode": f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}",
        "email": "alice.martin@example.com",
        "fax": "",
        "firstname": "Alice",
        "italianSDI": None,
        "kycValidated": True,
        "language": "fr_FR",
        "legalform": "corporation",
        "name": "Martin",
        "nationalIdentificationNumber": None,
        "nichandle": f"am{rng.randint(1000, 9999)}-ovh",
        "organisation": "Example SAS",
        "ovhCompany": "ovh",
        "ovhSubsidiary": "FR",
        "phone": "+33.320000000",
        "phoneCountry": "FR",
        "phoneType": "landline",
        "purposeOfPurchase": None,
        "sex": None,
        "spareEmail": None,
        "state": "complete",
        "vat": "FR00123456789",
        "zip": "59100",
    }


def _attach_iam(servers: dict[str, Any], resources: list[dict[str, Any]]) -> None:
    """A dedicated server carries its IAM metadata, as dedicated.server.DedicatedWithIAM does."""
    for resource in resources:
        if resource["type"] == "dedicatedServer":
            iam = {key: resource[key] for key in ("displayName", "id", "tags", "urn")}
            servers[resource["name"]]["iam"] = {**iam, "state": "OK"}


def generate_account(seed: int, servers: int, bills: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Build a whole account from ``seed``: the same seed and sizes give the same data (on a given day).

    Dates are relative to ``now`` (default: today 00:00 UTC) so that "recent bills" queries find some.
    The sandbox's own application and consumer key are added by :mod:`ovhflow.sandbox.auth`.
    """
    if now is None:
        now = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    server_objects, bursts = _servers(rng, servers, now)
    bill_objects, details = _bills(rng, bills, now, list(server_objects))
    applications, credentials = _applications_and_credentials(rng, now)
    email, zones = email_and_zone(rng)
    resources = iam_resources(rng, server_objects)
    _attach_iam(server_objects, resources)
    me = _me(rng)
    return {
        "format": 1,
        "seed": seed,
        "me": me,
        "servers": server_objects,
        "bursts": bursts,
        "tasks": {},
        "bills": bill_objects,
        "billDetails": details,
        "applications": applications,
        "credentials": credentials,
        "consumerKeys": {},
        "applicationSecrets": {},
        "pendingValidations": {},
        "emailDomains": email,
        "zones": zones,
        "iamResources": resources,
        "counters": {"task": rng.randint(100000000, 200000000), "credential": 500000000},
    }
