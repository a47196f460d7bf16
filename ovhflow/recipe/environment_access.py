"""Which environment variables a recipe may read: never one that holds an API credential.

Whoever writes a recipe or a params file is not trusted with the account's credentials (README, "Threat
model"). Masking a secret in output cannot catch every transformation of it (``| reverse``, ``| upper``,
sent in a POST body, used as an SMTP password), so a recipe must not get the value at all. Every place a
recipe names an environment variable (an input's ``env:``, a plugin setting such as
``notify.email.password_env``) is checked twice:

- by name, when the recipe is loaded (``ovhflow validate`` says it too): the variables python-ovh reads
  credentials from. ``OVH_APPLICATION_KEY`` and ``OVH_CLIENT_ID`` are included although they are not
  secret on their own: each is half of a credential, the client sends them itself, and no recipe needs
  them, so refusing them costs nothing;
- by value, before the first request: a variable whose value contains a credential this machine has
  (in the ``OVH_*`` variables or any section of the ``ovh.conf`` files), whatever its name.

A plugin marks a setting of its recipe section that names an environment variable with the schema
annotation :data:`ovhflow.plugin_api.ENV_SETTING`; at run time it reads the variable with
:func:`ovhflow.plugin_api.read_environment`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ovhflow.errors import Location, RecipeError, RecipeErrors
from ovhflow.recipe.schema import plugin_sections
from ovhflow.recipe.yaml_loader import LocatedDict, LocatedList

# In a plugin's recipe-section schema, ``{"type": "string", ENV_SETTING: True}`` marks a setting that
# names an environment variable: ovhflow refuses, before the run, one that holds an API credential.
# Plugins import it from :mod:`ovhflow.plugin_api`.
ENV_SETTING = "x-ovhflow-env"

if TYPE_CHECKING:
    from ovhflow.plugin.manager import Plugins
    from ovhflow.recipe.model import Recipe
    from ovhflow.reporting.redaction import Redactor

CREDENTIAL_SETTINGS = ("application_key", "application_secret", "consumer_key", "client_id", "client_secret")
CREDENTIAL_VARIABLES = frozenset("OVH_" + name.upper() for name in CREDENTIAL_SETTINGS)
_SHORTEST_CONTAINED = 12  # credentials this long or longer are also refused inside a longer value


class CredentialAccess(RecipeError):
    """A recipe names an environment variable that holds a credential (exit 2, before any request)."""


@dataclass(frozen=True)
class EnvironmentRead:
    """One place where a recipe reads an environment variable."""

    variable: str
    setting: str  # how the recipe names the place: ``inputs.token.env``, ``notify.email.password_env``
    location: Location | None


def refused_name(variable: str) -> str | None:
    """Why a recipe may not read ``variable`` by its name alone, or None."""
    if variable.upper() in CREDENTIAL_VARIABLES:
        return f"${variable} holds an OVH API credential, which a recipe may not read"
    return None


def machine_credentials(
    config_file: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> frozenset[str]:
    """Every credential this machine has: the ``OVH_*`` credential variables and the credential settings
    of every section of the ``ovh.conf`` files (not only the configured endpoint's)."""
    # lazy: ovhflow.ovh imports requests; configparser only when there are credentials to read
    from configparser import Error as ConfigParserError

    from ovhflow.ovh.config import ConfigurationManager

    environ = os.environ if environ is None else environ
    values = {environ[name] for name in CREDENTIAL_VARIABLES if environ.get(name)}
    try:
        parser = ConfigurationManager(config_file).config
    except (ConfigParserError, OSError, UnicodeDecodeError):
        return frozenset(values)  # the client reports a broken configuration itself (exit 3)
    for section in parser.sections():
        for name in CREDENTIAL_SETTINGS:
            value = parser.get(section, name, fallback=None)
            if value:
                values.add(value)
    return frozenset(values)


def mask_machine_credentials(redactor: Redactor, config_file: str | os.PathLike[str] | None = None) -> None:
    """Have ``redactor`` mask every credential of the machine (:func:`machine_credentials`), read only
    when there is something to mask: the net of the errors a command prints before its client exists
    (a recipe, an argument or a setting may quote one)."""
    redactor.watch(functools.cache(lambda: machine_credentials(config_file)))


def holds_credential(value: str, credentials: Collection[str]) -> bool:
    """Whether ``value`` is, or contains, one of ``credentials``."""
    return any(
        value == secret or (len(secret) >= _SHORTEST_CONTAINED and secret in value) for secret in credentials
    )


def read_environment(variable: str, credentials: Collection[str] | None = None) -> str | None:
    """The value of ``variable`` for a plugin setting, or None when it is not set.

    Raises :class:`CredentialAccess` for a credential variable or a value holding a credential. This is
    the one way plugins read the environment on a recipe's behalf.
    """
    reason = refused_name(variable)
    if reason is not None:
        raise CredentialAccess(reason)
    value = os.environ.get(variable)
    if value is None:
        return None
    if holds_credential(value, machine_credentials() if credentials is None else credentials):
        raise CredentialAccess(f"${variable} holds an OVH API credential, which a recipe may not read")
    return value


def environment_reads(recipe: Recipe, plugins: Plugins) -> list[EnvironmentRead]:
    """Every environment variable ``recipe`` names: its inputs' ``env:`` and its plugin settings."""
    reads = [
        EnvironmentRead(spec.env, f"inputs.{spec.name}.env", spec.env_location or spec.location)
        for spec in recipe.inputs.values()
        if spec.env
    ]
    document = recipe.raw if isinstance(recipe.raw, LocatedDict) else {}
    for key, schema in plugin_sections(plugins).items():
        if key in document:
            where = document.value_locations.get(key) if isinstance(document, LocatedDict) else None
            reads.extend(_marked_settings(schema, document[key], key, where))
    unique = {(read.setting, read.variable): read for read in reads}
    return list(unique.values())


def _marked_settings(
    schema: Mapping[str, Any], value: Any, setting: str, location: Location | None
) -> Iterator[EnvironmentRead]:
    """The values under ``schema`` annotated with :data:`ENV_SETTING` (through properties, items and
    anyOf/oneOf/allOf branches)."""
    if not isinstance(schema, Mapping):
        return
    if schema.get(ENV_SETTING) and isinstance(value, str):
        yield EnvironmentRead(value, setting, location)
    for keyword in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(keyword) or ():
            yield from _marked_settings(branch, value, setting, location)
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, Mapping) else None)
            where = value.value_locations.get(key, location) if isinstance(value, LocatedDict) else location
            if sub is not None:
                yield from _marked_settings(sub, item, f"{setting}.{key}", where)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            where = value.item_locations[index] if isinstance(value, LocatedList) else location
            yield from _marked_settings(schema["items"], item, f"{setting}[{index}]", where)


def refused_by_name(reads: Collection[EnvironmentRead]) -> list[RecipeError]:
    """The reads of credential variables, as located errors (checked when the recipe is loaded)."""
    errors: list[RecipeError] = []
    for read in reads:
        reason = refused_name(read.variable)
        if reason is not None:
            errors.append(CredentialAccess(f"{read.setting}: {reason}", read.location))
    return errors


def refused_by_value(
    reads: Collection[EnvironmentRead], environ: Mapping[str, str], credentials: Collection[str]
) -> list[RecipeError]:
    """The reads of variables whose value holds a credential (checked before the first request).

    The message names the variable, never its value."""
    errors: list[RecipeError] = []
    for read in reads:
        value = environ.get(read.variable)
        if value and holds_credential(value, credentials):
            reason = f"${read.variable} holds an OVH API credential, which a recipe may not read"
            errors.append(CredentialAccess(f"{read.setting}: {reason}", read.location))
    return errors


def refuse_credential_reads(
    recipe: Recipe, plugins: Plugins, environ: Mapping[str, str], config_file: str | None
) -> None:
    """Raise :class:`RecipeErrors` (exit 2) if the recipe would read a variable holding a credential."""
    credentials = machine_credentials(config_file, environ)
    errors = refused_by_value(environment_reads(recipe, plugins), environ, credentials)
    if errors:
        raise RecipeErrors(errors)
