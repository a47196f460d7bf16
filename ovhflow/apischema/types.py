"""The type names of OVH's API documents: ``long``, ``ipv4Block``, ``string[]``, ``map[string]long``,
``complexType.UnitAndValue<double>``, ``coreTypes.AccountId:string``; models and enums are named too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

STRING_TYPES = frozenset(
    {
        "string",
        "password",
        "text",
        "ip",
        "ipv4",
        "ipv6",
        "ipBlock",
        "ipv4Block",
        "ipv6Block",
        "macAddress",
        "uuid",
        "phoneNumber",
        "email",
        "internationalPhoneNumber",
        "coreTypes.AccountId",
        "urn",
    }
)
DATE_TYPES = frozenset({"date", "datetime", "time"})
INTEGER_TYPES = frozenset({"long", "int", "integer", "short"})
NUMBER_TYPES = frozenset({"double", "float", "decimal", "number"})
GENERIC = re.compile(r"^(?P<base>[\w.]+)<(?P<args>.+)>$")  # complexType.Range<long>
MAP = re.compile(r"^map\[(?P<key>[\w.]+)\](?P<value>.+)$")  # map[string]long


def unalias(type_name: str) -> str:
    """``coreTypes.AccountId:string`` -> ``string``: newer documents name a type and give its base."""
    type_name = type_name.strip()
    if ":" in type_name and not type_name.startswith("map["):
        return type_name.rsplit(":", 1)[1].strip()
    return type_name


def element_type(type_name: str) -> str | None:
    """``vps.Task[]`` (or ``[]vps.Task``) -> ``vps.Task``; None for a type that is not a list."""
    type_name = unalias(type_name)
    if type_name.endswith("[]"):
        return type_name[:-2]
    if type_name.startswith("[]"):
        return type_name[2:]
    return None


def as_bool(value: Any) -> bool:
    """A schema flag: older documents write 0/1 (or "0"/"1") where newer ones write false/true."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def resolve_model(
    models: Mapping[str, Any], type_name: str, fallback: Mapping[str, Any] | None = None
) -> tuple[Mapping[str, Any] | None, dict[str, str]]:
    """The model behind a type name (looked up in ``models``, then ``fallback``) and, for a generic
    such as ``complexType.Range<long>``, the binding of its parameters (``T`` -> ``long``).

    Older documents define ``complexType.Range<T>`` with ``generics: ["T"]``; newer ones instantiate it
    as ``complexType.Range_long``, which needs no binding.
    """
    fallback = fallback or {}
    found = models.get(type_name) or fallback.get(type_name)
    generic = GENERIC.match(type_name)
    if generic is None:
        return found, {}
    args = [arg.strip() for arg in generic["args"].split(",")]
    if found is None:
        flat = f"{generic['base']}_{'_'.join(args)}"
        found = models.get(flat) or fallback.get(flat)
        if found is not None:
            return found, {}
        found = next(
            (
                model
                for name, model in {**fallback, **models}.items()
                if name.startswith(generic["base"] + "<") and model.get("generics")
            ),
            None,
        )
    names = (found or {}).get("generics") or []
    return found, dict(zip(names, args, strict=False))
