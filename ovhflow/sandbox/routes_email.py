"""``/email/domain/{domain}/redirection``: list, read, create and delete mail redirections."""

from __future__ import annotations

from typing import Any

from ovhflow.sandbox.api import Call, bad_request, conflict, not_found
from ovhflow.sandbox.auth import now_iso
from ovhflow.sandbox.router import Router


def _redirections(call: Call, domain: str) -> dict[str, Any]:
    entry = call.state["emailDomains"].get(domain)
    if entry is None:
        raise not_found(f"The requested object (domain = {domain}) does not exist")
    return entry["redirections"]


def list_domains(call: Call) -> list[str]:
    return list(call.state["emailDomains"])


def list_redirections(call: Call, domain: str) -> list[str]:
    source, target = call.query.get("from"), call.query.get("to")
    return [
        redirection_id
        for redirection_id, redirection in _redirections(call, domain).items()
        if (source is None or redirection["from"] == source)
        and (target is None or redirection["to"] == target)
    ]


def get_redirection(call: Call, domain: str, id: str) -> dict[str, Any]:  # noqa: A002 (OVH's name)
    redirection = _redirections(call, domain).get(id)
    if redirection is None:
        raise not_found(f"The requested object (id = {id}) does not exist")
    return redirection


def _task(call: Call, domain: str, account: str, action: str, redirection_id: str) -> dict[str, Any]:
    return {
        "account": account,
        "action": action,
        "date": now_iso(),
        "domain": domain,
        "id": redirection_id,
        "type": "forward",  # email.domain.TaskSpecialAccount.type has no "redirect"
    }


def create_redirection(call: Call, domain: str) -> dict[str, Any]:
    redirections = _redirections(call, domain)
    source, target = call.body_field("from"), call.body_field("to")
    local_copy = call.body_field("localCopy")
    for name, value in (("from", source), ("to", target)):
        if not isinstance(value, str) or "@" not in value:
            raise bad_request(f"Invalid value for {name}: {value!r} is not an e-mail address")
    if not isinstance(local_copy, bool):
        raise bad_request(f"Invalid value for localCopy: {local_copy!r} is not a boolean")
    if not source.endswith("@" + domain):
        raise bad_request(f"Invalid value for from: {source} is not an address of {domain}")
    if any(r["from"] == source and r["to"] == target for r in redirections.values()):
        raise conflict(f"The redirection from {source} to {target} already exists")
    counters = call.state["counters"]
    counters["redirection"] = counters.get("redirection", 90000000) + 1
    redirection_id = str(counters["redirection"])
    redirections[redirection_id] = {"from": source, "id": redirection_id, "to": target}
    return _task(call, domain, source.split("@")[0], "add", redirection_id)


def delete_redirection(call: Call, domain: str, id: str) -> dict[str, Any]:  # noqa: A002
    redirection = get_redirection(call, domain, id)
    del _redirections(call, domain)[id]
    return _task(call, domain, redirection["from"].split("@")[0], "delete", id)


def register(router: Router) -> None:
    router.add("GET", "/email/domain", list_domains)
    router.add("GET", "/email/domain/{domain}/redirection", list_redirections)
    router.add("POST", "/email/domain/{domain}/redirection", create_redirection)
    router.add("GET", "/email/domain/{domain}/redirection/{id}", get_redirection)
    router.add("DELETE", "/email/domain/{domain}/redirection/{id}", delete_redirection)
