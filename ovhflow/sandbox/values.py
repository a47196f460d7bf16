"""Values of OVH API types, made up deterministically: the same seed and key always give the same value.

Every value is drawn from its own random generator, seeded by the sandbox seed and a key (the object's
path and the field's name), so a field reads the same in a listing and in the item it lists, on every
call and in every run with that seed. Types are the schema's: ``long``, ``ipv4Block``, ``datetime``,
``string[]``, ``map[string]long``, ``complexType.UnitAndValue<double>``, models and enums.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping
from typing import Any

from ovhflow.apischema.types import INTEGER_TYPES, MAP, NUMBER_TYPES, element_type, resolve_model, unalias

MAX_DEPTH = 7
NULL_SHARE = 0.15  # nullable fields answer null this often
FUTURE_HINTS = ("expir", "renew", "engagedupto", "until", "nextbill", "deadline")
WORDS = ("alpha", "bravo", "delta", "echo", "falcon", "granite", "harbor", "nova", "orbit", "pixel", "quartz")


def is_future_field(name: str) -> bool:
    """Expirations and renewals lie ahead; creations, updates and most other dates lie behind."""
    lower = name.lower()
    return any(hint in lower for hint in FUTURE_HINTS) or lower.startswith("end") or lower.endswith("enddate")


class Values:
    """The value maker of one sandbox: its seed and the day generated dates are relative to."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.seed = seed
        self.today = today

    def rng(self, key: str) -> random.Random:
        return random.Random(f"{self.seed}|{key}")

    def make(
        self,
        type_name: str,
        models: Mapping[str, Any],
        key: str,
        name: str = "",
        generics: Mapping[str, str] | None = None,
        depth: int = 0,
    ) -> Any:
        """A value of ``type_name``; ``name`` is the field's, which makes strings and dates plausible."""
        type_name = unalias(type_name)
        if generics and type_name in generics:
            type_name = generics[type_name]
        inner = element_type(type_name)
        if inner is not None:
            count = 0 if depth >= 3 else self.rng(key + "[]").randint(1, 2)
            return [self.make(inner, models, f"{key}[{i}]", name, generics, depth + 1) for i in range(count)]
        mapped = MAP.match(type_name)
        if mapped:
            value_type = mapped["value"]
            return {f"{name or 'key'}1": self.make(value_type, models, key + "{}", name, generics, depth + 1)}
        scalar = self.scalar(type_name, name, key)
        if scalar is not NotImplemented:
            return scalar
        model, bound = resolve_model(models, type_name)
        if model is None or depth > MAX_DEPTH:
            return None
        if "enum" in model:
            return self.rng(key).choice(list(model["enum"]) or [None])
        return self.make_object(model, models, key, {}, {**(generics or {}), **bound}, depth + 1)

    def make_object(
        self,
        model: Mapping[str, Any],
        models: Mapping[str, Any],
        key: str,
        fixed: Mapping[str, Any],
        generics: Mapping[str, str] | None = None,
        depth: int = 0,
    ) -> dict[str, Any]:
        """Every property of ``model``; ``fixed`` ones (identifiers taken from the path) as given."""
        result: dict[str, Any] = {}
        for field, spec in sorted((model.get("properties") or {}).items()):
            if field in fixed:
                result[field] = fixed[field]
                continue
            field_key = f"{key}.{field}"
            nullable = spec.get("canBeNull") in (True, 1, "1", "true")
            if nullable and self.rng(field_key + "?").random() < NULL_SHARE:
                result[field] = None
                continue
            field_type = str(spec.get("fullType") or spec.get("type") or "string")
            value = self.make(field_type, models, field_key, field, generics, depth)
            if value is None and not nullable:
                value = self.make("string", models, field_key, field)
            result[field] = value
        return result

    def scalar(self, type_name: str, name: str, key: str) -> Any:
        """A value of a primitive type, or ``NotImplemented`` for a model or enum name."""
        rng = self.rng(key)
        if type_name in INTEGER_TYPES:
            share = "progress" in name.lower() or "percent" in name.lower()
            return rng.randint(0, 100) if share else rng.randint(1, 999999)
        if type_name in NUMBER_TYPES:
            return round(rng.uniform(0, 1000), 2)
        if type_name == "boolean":
            return rng.random() < 0.5
        maker = _FORMATS.get(type_name)
        if maker is not None:
            return maker(rng, name)
        if type_name in ("date", "datetime"):
            return self.moment(rng, name, type_name)
        return NotImplemented

    def moment(self, rng: random.Random, name: str, type_name: str) -> str:
        days = rng.randint(3, 400) if is_future_field(name) else -rng.randint(1, 900)
        day = self.today + dt.timedelta(days=days)
        if type_name == "date":
            return day.isoformat()
        clock = dt.time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
        zone = dt.timezone(dt.timedelta(hours=1))
        return dt.datetime.combine(day, clock, zone).isoformat(timespec="seconds")


def ipv4(rng: random.Random, _name: str = "") -> str:
    first = rng.choice([51, 54, 57, 91, 137, 141, 145, 147, 151, 178, 188])
    return f"{first}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random, _name: str = "") -> str:
    return (
        f"2001:41d0:{rng.randint(0x100, 0xFFFF):x}:{rng.randint(0x100, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
    )


def ipv4_block(rng: random.Random, _name: str = "") -> str:
    prefix = rng.choice([28, 29, 30, 32])
    address = ipv4(rng).rsplit(".", 1)[0]
    last = rng.randint(0, 255) & (0xFF << (32 - prefix)) & 0xFF
    return f"{address}.{last}/{prefix}"


def ipv6_block(rng: random.Random, _name: str = "") -> str:
    return f"2001:41d0:{rng.randint(0x100, 0xFFFF):x}:{rng.randint(0x100, 0xFFFF):x}::/64"


def word(rng: random.Random, name: str = "") -> str:
    lower = name.lower()
    if "mail" in lower:
        return email(rng)
    if lower.endswith(("url", "link")):
        return f"https://www.example.com/{rng.choice(WORDS)}/{rng.randint(1, 999)}"
    return f"{rng.choice(WORDS)}-{rng.randint(1000, 9999)}"


def email(rng: random.Random, _name: str = "") -> str:
    return f"{rng.choice(WORDS)}.{rng.randint(10, 99)}@example.com"


def token(rng: random.Random, _name: str = "") -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))


_FORMATS: dict[str, Any] = {
    "string": word,
    "text": lambda rng, name: f"{word(rng, name)} {rng.choice(WORDS)} {rng.choice(WORDS)}",
    "password": token,
    "ip": ipv4,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "ipBlock": ipv4_block,
    "ipv4Block": ipv4_block,
    "ipv6Block": ipv6_block,
    "ipInterface": lambda rng, name: ipv4(rng) + f"/{rng.choice([24, 28, 32])}",
    "macAddress": lambda rng, name: ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6)),
    "uuid": lambda rng, name: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "email": email,
    "phoneNumber": lambda rng, name: f"+33.{rng.randint(100000000, 999999999)}",
    "internationalPhoneNumber": lambda rng, name: f"+33{rng.randint(100000000, 999999999)}",
    "time": lambda rng, name: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
    "duration": lambda rng, name: f"PT{rng.randint(1, 48)}H",
    "urn": lambda rng, name: (
        f"urn:v1:eu:resource:{rng.choice(WORDS)}:{rng.choice(WORDS)}-{rng.randint(1, 99)}"
    ),
}
