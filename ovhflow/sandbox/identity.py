"""Who is who in generated data: the ids a listing answers and the fields that name an item.

OVH names an item by the last ``{param}`` of its path (``/vps/{serviceName}``), and the item answers
with that name in one of its fields: a field of the same name (``serviceName``, ``credentialId``), or
``id``/``name``, or ``<thing>Id``/``<thing>_id`` after the path's literal segment (``project_id`` for
``/cloud/project/{serviceName}``). These rules keep listings, items and sub-resources in agreement.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from typing import Any

from ovhflow.apischema.types import INTEGER_TYPES, STRING_TYPES, unalias
from ovhflow.sandbox.values import Values

DOMAIN_APIS = ("domain", "email", "hosting", "allDom", "ssl", "sslGateway", "cdn")
TLDS = ("com", "net", "fr", "eu", "org")


def _parses(parse: Any) -> Any:
    def check(text: str) -> bool:
        try:
            parse(text)
        except ValueError:
            return False
        return True

    return check


FORMAT_CHECKS = {
    "uuid": _parses(uuid.UUID),
    "ip": _parses(ipaddress.ip_address),
    "ipv4": _parses(ipaddress.IPv4Address),
    "ipv6": _parses(ipaddress.IPv6Address),
    "ipBlock": _parses(ipaddress.ip_network),
    "ipv4Block": _parses(ipaddress.IPv4Network),
    "ipv6Block": _parses(ipaddress.IPv6Network),
}


def id_type(properties: Mapping[str, Any], param: str, literal: str, declared: str) -> str:
    """The type to make ids of: the path's, or the item's id field's where the path only says string."""
    if unalias(declared) != "string":
        return declared
    for candidate in candidate_fields(param, literal):
        spec = properties.get(candidate)
        if spec is not None:
            kind = unalias(str(spec.get("fullType") or spec.get("type") or ""))
            return kind if kind in FORMAT_CHECKS else declared
    return declared


def candidate_fields(param: str, literal: str) -> list[str]:
    """Fields that may carry the id named by ``{param}`` under the literal segment ``literal``."""
    stem = param[:-4] if param.endswith("Name") else param[:-2] if param.endswith("Id") else param
    return [param, f"{literal}Id", f"{literal}_id", f"{literal}Name", "id", "name", stem, "serviceName"]


def fits(spec: Mapping[str, Any], value: Any) -> Any:
    """``value`` converted to the field's type, or None when the field cannot hold an id."""
    field_type = unalias(str(spec.get("fullType") or spec.get("type") or ""))
    if field_type in INTEGER_TYPES:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if field_type in STRING_TYPES:
        text = str(value)
        check = FORMAT_CHECKS.get(field_type)
        return text if check is None or check(text) else None
    return None


def identity_fields(
    properties: Mapping[str, Any], params: Mapping[str, str], literals: Mapping[str, str]
) -> dict[str, Any]:
    """Fields of an item fixed by its path: each parameter's own field, and the item's id field.

    ``literals`` maps each parameter to the literal segment before it (``serviceName`` -> ``project``).
    """
    fixed: dict[str, Any] = {}
    names = list(params)
    if not names:
        return fixed
    last = names[-1]
    for candidate in candidate_fields(last, literals.get(last, "")):
        spec = properties.get(candidate)
        if spec is not None and (value := fits(spec, params[last])) is not None:
            fixed[candidate] = value
            break
    for param in names[:-1]:  # an outer item's own "id" is not this item's
        if param not in properties or param in fixed or param in ("id", "name"):
            continue
        if (value := fits(properties[param], params[param])) is not None:
            fixed[param] = value
    service = params.get("serviceName", params[names[0]])
    for field in ("serviceName", "domain"):
        spec = properties.get(field)
        if field not in fixed and spec is not None and fits(spec, service) is not None:
            fixed[field] = fits(spec, service)
    return fixed


def id_in(item: Any, param: str, literal: str) -> Any:
    """The id an element of a listing stands for: the element itself, or its id field."""
    if not isinstance(item, Mapping):
        return item
    for candidate in candidate_fields(param, literal):
        if item.get(candidate) is not None:
            return item[candidate]
    return None


def make_ids(
    values: Values,
    listing: str,
    param: str,
    param_type: str,
    count: int,
    salt: str = "",
    models: Mapping[str, Any] | None = None,
) -> list[Any]:
    """``count`` distinct ids for the items of ``listing`` (a concrete path), plausible for their type.

    ``salt`` draws other ids for the same listing (an item created later).
    """
    param_type = unalias(param_type)
    enum = (models or {}).get(param_type, {}).get("enum")
    if enum:  # a listing of enum values (``/dedicated/server/{serviceName}/option``): some of them
        return values.rng(f"{listing}#enum{salt}").sample(list(enum), min(count, len(enum)))
    segments = [s for s in listing.split("/") if s]
    stem = (segments[-1] if segments else "item").lower()
    domain_like = (
        (segments[:1] and segments[0] in DOMAIN_APIS) or "domain" in param.lower() or "zone" in param.lower()
    )
    ids: list[Any] = []
    for index in range(count * 4):
        if len(ids) == count:
            break
        rng = values.rng(f"{listing}#id{salt}{index}")
        if param_type in INTEGER_TYPES:
            made: Any = rng.randint(100000, 99999999)
        elif param_type == "string" and domain_like:
            made = f"{rng.choice(('shop', 'blog', 'acme', 'mail', 'corp', 'news'))}-{rng.randint(100, 999)}"
            made += f".{rng.choice(TLDS)}"
        elif param_type == "string":
            made = f"{stem}-{rng.getrandbits(32):08x}"
        else:
            made = values.make(param_type, {}, f"{listing}#id{salt}{index}", param)
            if made is None:
                made = f"{stem}-{rng.getrandbits(32):08x}"
        if made not in ids:
            ids.append(made)
    return ids


def literal_before(segments: tuple[str, ...]) -> dict[str, str]:
    """Each ``{param}`` of a template mapped to the literal segment before it."""
    found: dict[str, str] = {}
    previous = ""
    for segment in segments:
        if segment.startswith("{"):
            found[segment[1:-1]] = previous
        else:
            previous = segment
    return found
