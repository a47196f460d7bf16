"""``serviceInfos`` of the hand-written sandbox's services: its servers, its DNS zone and its mail domain.

Without API schemas (``ovhflow schemas pull``) these are the only services the sandbox has, and the
gallery's service-list and services-expiring recipes read them: a first run shows rows. Each service's
expiration is derived from its name, spread over about a year around today (some expired, some within
60 days, most later), so that a run shows the same dates on the same day whatever the seed's names.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from ovhflow.sandbox.api import Call, not_found
from ovhflow.sandbox.router import Router

EXPIRES_IN_DAYS = (-12, 25, 50, 95, 180, 270, 340)  # one is chosen by the service's name
SERVICE_KINDS = {  # the path of each kind, and the key of the state holding its services
    "dedicated/server": ("serviceName", "servers"),
    "domain/zone": ("zoneName", "zones"),
    "email/domain": ("domain", "emailDomains"),
}


def service_infos(call: Call, kind: str, name: str) -> dict[str, Any]:
    """A ``services.Service`` for service ``name`` of ``kind``; 404 when the account has no such one."""
    if name not in call.state[SERVICE_KINDS[kind][1]]:
        raise not_found(f"The requested object (serviceName = {name}) does not exist")
    digest = zlib.crc32(f"{kind}/{name}".encode())
    offset = EXPIRES_IN_DAYS[digest % len(EXPIRES_IN_DAYS)]
    expiration = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=offset)
    nichandle = call.state["me"]["nichandle"]
    return {
        "canDeleteAtExpiration": False,
        "contactAdmin": nichandle,
        "contactBilling": nichandle,
        "contactTech": nichandle,
        "creation": (expiration - dt.timedelta(days=730)).isoformat(),
        "domain": name,
        "engagedUpTo": None,
        "expiration": expiration.isoformat(),
        "possibleRenewPeriod": [1, 3, 6, 12],
        "renew": {
            "automatic": True,
            "deleteAtExpiration": False,
            "forced": False,
            "manualPayment": False,
            "period": 12,
        },
        "renewalType": "automaticV2016",
        "serviceId": digest % 100_000_000,
        "status": "expired" if offset < 0 else "ok",
    }


def _handler(kind: str, parameter: str) -> Any:
    def handle(call: Call, **params: str) -> dict[str, Any]:
        return service_infos(call, kind, params[parameter])

    handle.__name__ = f"service_infos_{kind.replace('/', '_')}"
    return handle


def register(router: Router) -> None:
    for kind, (parameter, _) in SERVICE_KINDS.items():
        router.add("GET", f"/{kind}/{{{parameter}}}/serviceInfos", _handler(kind, parameter))
