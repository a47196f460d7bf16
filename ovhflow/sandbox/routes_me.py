"""``/me``: the account, its bills with their details, its API credentials and applications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ovhflow.sandbox.api import Call, bad_request, check_enum, not_found
from ovhflow.sandbox.router import Router

CREDENTIAL_STATES = ("expired", "pendingValidation", "refused", "validated")
BILL_CATEGORIES = (
    "autorenew",
    "earlyrenewal",
    "purchase",
    "purchase-cloud",
    "purchase-servers",
    "purchase-telecom",
    "purchase-web",
)


def parse_moment(name: str, text: str) -> dt.datetime:
    """A ``datetime`` query parameter as OVH takes it: ISO date or date-time; no offset means UTC."""
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {text!r} is not a date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def me(call: Call) -> dict[str, Any]:
    return call.state["me"]


def list_bills(call: Call) -> list[str]:
    query = call.query
    start = parse_moment("date.from", query["date.from"]) if query.get("date.from") else None
    end = parse_moment("date.to", query["date.to"]) if query.get("date.to") else None
    category = query.get("category")
    if category is not None:
        check_enum("category", category, BILL_CATEGORIES)
    order_id = query.get("orderId")
    result = []
    for bill_id, bill in call.state["bills"].items():
        if start or end:
            moment = dt.datetime.fromisoformat(bill["date"])
            if (start and moment < start) or (end and moment > end):
                continue
        if category is not None and bill["category"] != category:
            continue
        if order_id is not None and str(bill["orderId"]) != order_id:
            continue
        result.append(bill_id)
    return result


def _bill(call: Call, bill_id: str) -> dict[str, Any]:
    bill = call.state["bills"].get(bill_id)
    if bill is None:
        raise not_found(f"Bill {bill_id} does not exist")
    return bill


def get_bill(call: Call, billId: str) -> dict[str, Any]:  # noqa: N803 (OVH's parameter name)
    return _bill(call, billId)


def list_bill_details(call: Call, billId: str) -> list[str]:  # noqa: N803
    _bill(call, billId)
    return list(call.state["billDetails"].get(billId, {}))


def get_bill_detail(call: Call, billId: str, billDetailId: str) -> dict[str, Any]:  # noqa: N803
    _bill(call, billId)
    detail = call.state["billDetails"].get(billId, {}).get(billDetailId)
    if detail is None:
        raise not_found(f"Bill detail {billDetailId} does not exist")
    return detail


def list_credentials(call: Call) -> list[int]:
    status = call.query.get("status")
    if status is not None:
        check_enum("status", status, CREDENTIAL_STATES)
    application_id = call.query.get("applicationId")
    return [
        credential["credentialId"]
        for credential in call.state["credentials"].values()
        if (status is None or credential["status"] == status)
        and (application_id is None or str(credential["applicationId"]) == application_id)
    ]


def _credential(call: Call, credential_id: str) -> dict[str, Any]:
    credential = call.state["credentials"].get(credential_id)
    if credential is None:
        raise not_found(f"Credential {credential_id} does not exist")
    return credential


def get_credential(call: Call, credentialId: str) -> dict[str, Any]:  # noqa: N803
    return _credential(call, credentialId)


def get_credential_application(call: Call, credentialId: str) -> dict[str, Any]:  # noqa: N803
    credential = _credential(call, credentialId)
    application = call.state["applications"].get(str(credential["applicationId"]))
    if application is None:
        raise not_found("The application of this credential does not exist")
    return application


def update_credential(call: Call, credentialId: str) -> None:  # noqa: N803
    """Only ``allowedIPs`` is writable (the other fields of ``auth.ApiCredential`` are read-only)."""
    credential = _credential(call, credentialId)
    allowed = call.body_field("allowedIPs", required=False)
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(i, str) for i in allowed)
    ):
        raise bad_request("Invalid value for allowedIPs: expected a list of IP blocks")
    credential["allowedIPs"] = allowed
    return None


def delete_credential(call: Call, credentialId: str) -> None:  # noqa: N803
    _credential(call, credentialId)
    del call.state["credentials"][credentialId]
    keys = call.state["consumerKeys"]
    for consumer_key in [k for k, v in keys.items() if str(v) == credentialId]:
        del keys[consumer_key]
    return None


def list_applications(call: Call) -> list[int]:
    return [application["applicationId"] for application in call.state["applications"].values()]


def get_application(call: Call, applicationId: str) -> dict[str, Any]:  # noqa: N803
    application = call.state["applications"].get(applicationId)
    if application is None:
        raise not_found(f"Application {applicationId} does not exist")
    return application


def register(router: Router) -> None:
    router.add("GET", "/me", me)
    router.add("GET", "/me/bill", list_bills)
    router.add("GET", "/me/bill/{billId}", get_bill)
    router.add("GET", "/me/bill/{billId}/details", list_bill_details)
    router.add("GET", "/me/bill/{billId}/details/{billDetailId}", get_bill_detail)
    router.add("GET", "/me/api/credential", list_credentials)
    router.add("GET", "/me/api/credential/{credentialId}", get_credential)
    router.add("GET", "/me/api/credential/{credentialId}/application", get_credential_application)
    router.add("PUT", "/me/api/credential/{credentialId}", update_credential)
    router.add("DELETE", "/me/api/credential/{credentialId}", delete_credential)
    router.add("GET", "/me/api/application", list_applications)
    router.add("GET", "/me/api/application/{applicationId}", get_application)
