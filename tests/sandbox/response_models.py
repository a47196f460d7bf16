"""A strict check of an answer against an OVH response type, written apart from the sandbox's generator.

Strict means: every property of a model present and no other, ``null`` only where ``canBeNull``, enum
values from the enum, and formats that parse (IPv4/IPv6 addresses and blocks, dates, datetimes with an
offset, e-mail addresses, phone numbers, UUIDs, MAC addresses).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

GENERIC = re.compile(r"^(?P<base>[\w.]+)<(?P<args>.+)>$")
MAP = re.compile(r"^map\[(?P<key>[\w.]+)\](?P<value>.+)$")


def _datetime(text: str) -> bool:
    return dt.datetime.fromisoformat(text).tzinfo is not None


FORMATS: dict[str, Callable[[str], Any]] = {
    "string": str,
    "text": str,
    "password": str,
    "duration": str,
    "ip": ipaddress.ip_address,
    "ipv4": ipaddress.IPv4Address,
    "ipv6": ipaddress.IPv6Address,
    "ipBlock": ipaddress.ip_network,
    "ipv4Block": ipaddress.IPv4Network,
    "ipv6Block": ipaddress.IPv6Network,
    "ipInterface": ipaddress.ip_interface,
    "date": dt.date.fromisoformat,
    "datetime": _datetime,
    "time": dt.time.fromisoformat,
    "uuid": uuid.UUID,
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$").fullmatch,
    "phoneNumber": re.compile(r"^\+\d{1,3}\.\d{4,14}$").fullmatch,
    "internationalPhoneNumber": re.compile(r"^\+\d{6,16}$").fullmatch,
    "macAddress": re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$").fullmatch,
    "urn": re.compile(r"^urn:\S+$").fullmatch,
}


def model_of(models: Mapping[str, Any], name: str) -> tuple[Mapping[str, Any] | None, dict[str, str]]:
    if name in models:
        return models[name], {}
    generic = GENERIC.match(name)
    if not generic:
        return None, {}
    args = [a.strip() for a in generic["args"].split(",")]
    if f"{generic['base']}_{'_'.join(args)}" in models:
        return models[f"{generic['base']}_{'_'.join(args)}"], {}
    for key, model in models.items():
        if key.startswith(generic["base"] + "<") and model.get("generics"):
            return model, dict(zip(model["generics"], args, strict=False))
    return None, {}


class ResponseCheck:
    """Problems of a value against a type of one document; ``undefined`` counts types it lacks."""

    def __init__(self, models: Mapping[str, Any]) -> None:
        self.models = models
        self.undefined: set[str] = set()

    def problems(
        self,
        value: Any,
        type_name: str,
        where: str = "",
        nullable: bool = False,
        generics: dict | None = None,
    ) -> list[str]:
        type_name = type_name.strip()
        if ":" in type_name and not type_name.startswith("map["):
            type_name = type_name.rsplit(":", 1)[1]
        type_name = (generics or {}).get(type_name, type_name)
        if type_name == "void":
            return [] if value is None else [f"{where or 'answer'}: a void operation answered {value!r}"]
        if value is None:
            return [] if nullable else [f"{where or 'answer'}: null but cannot be null ({type_name})"]
        if type_name.endswith("[]") or type_name.startswith("[]"):
            inner = type_name[:-2] if type_name.endswith("[]") else type_name[2:]
            if not isinstance(value, list):
                return [f"{where}: expected a list of {inner}"]
            return [
                p
                for i, item in enumerate(value)
                for p in self.problems(item, inner, f"{where}[{i}]", False, generics)
            ]
        mapped = MAP.match(type_name)
        if mapped:
            if not isinstance(value, dict):
                return [f"{where}: expected a map"]
            return [
                p
                for k, v in value.items()
                for p in self.problems(v, mapped["value"], f"{where}.{k}", True, generics)
            ]
        return self.scalar_or_model(value, type_name, where, generics)

    def scalar_or_model(self, value: Any, type_name: str, where: str, generics: dict | None) -> list[str]:
        if type_name in ("long", "int", "integer", "short"):
            ok = isinstance(value, int) and not isinstance(value, bool)
            return [] if ok else [f"{where}: {value!r} is not a {type_name}"]
        if type_name in ("double", "float", "decimal", "number"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            return [] if ok else [f"{where}: {value!r} is not a {type_name}"]
        if type_name == "boolean":
            return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]
        if type_name in FORMATS:
            try:
                parsed = isinstance(value, str) and FORMATS[type_name](value)
            except ValueError:
                parsed = False
            return [] if parsed not in (False, None) else [f"{where}: {value!r} is not a valid {type_name}"]
        model, bound = model_of(self.models, type_name)
        if model is None:
            self.undefined.add(type_name)
            return []
        if "enum" in model:
            return [] if value in model["enum"] else [f"{where}: {value!r} is not one of {type_name}"]
        if not isinstance(value, dict):
            return [f"{where}: expected an object ({type_name})"]
        properties = model.get("properties") or {}
        found = [f"{where}: missing field {name} of {type_name}" for name in properties if name not in value]
        found += [f"{where}: unknown field {name} in {type_name}" for name in value if name not in properties]
        for name, spec in properties.items():
            if name in value:
                kind = str(spec.get("fullType") or spec.get("type"))
                nullable = spec.get("canBeNull") in (True, 1, "1", "true")
                found += self.problems(
                    value[name], kind, f"{where}.{name}", nullable, {**(generics or {}), **bound}
                )
        return found
