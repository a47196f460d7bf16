"""Where a client's endpoint and credentials come from, in python-ovh's order.

Each setting is taken from the constructor, else from an ``OVH_*`` environment variable, else from INI
files read in this order, later ones winning: ``/etc/ovh.conf``, ``~/.ovh.conf``, ``./ovh.conf`` and the
``config_file`` argument. The endpoint is ``[default] endpoint``; keys live in the section named after the
endpoint (``[ovh-eu]``, or the URL itself when the endpoint is a URL).

python-ovh's names are here: :data:`CONFIG_PATH` (tests replace it to read other files), the
:class:`ConfigurationManager` and its module-wide instance :data:`config`. While :data:`CONFIG_PATH` is
left as imported, the paths are computed at each lookup, so a changed ``HOME`` or working directory is
honoured. Errors carry python-ovh's messages; their ``hint`` says what is missing and where it was looked
for.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
from configparser import NoOptionError, NoSectionError, RawConfigParser
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ovhflow.ovh.exceptions import InvalidConfiguration, InvalidRegion

ENDPOINTS: dict[str, str] = {
    "ovh-eu": "https://eu.api.ovh.com/1.0",
    "ovh-us": "https://api.us.ovhcloud.com/1.0",
    "ovh-ca": "https://ca.api.ovh.com/1.0",
    "kimsufi-eu": "https://eu.api.kimsufi.com/1.0",
    "kimsufi-ca": "https://ca.api.kimsufi.com/1.0",
    "soyoustart-eu": "https://eu.api.soyoustart.com/1.0",
    "soyoustart-ca": "https://ca.api.soyoustart.com/1.0",
}

OAUTH2_TOKEN_URLS: dict[str, str] = {
    "ovh-eu": "https://www.ovh.com/auth/oauth2/token",
    "ovh-ca": "https://ca.ovh.com/auth/oauth2/token",
    "ovh-us": "https://us.ovhcloud.com/auth/oauth2/token",
}

ENV_PREFIX = "OVH_"
OAUTH2_ENDPOINT_NAMES = "ovh-eu, ovh-ca and ovh-us"


def _default_paths() -> list[str]:
    return ["/etc/ovh.conf", os.path.expanduser("~/.ovh.conf"), os.path.realpath("./ovh.conf")]


#: Locations of the configuration files, by increasing priority (python-ovh's name).
CONFIG_PATH = _default_paths()
_IMPORTED_CONFIG_PATH = CONFIG_PATH
_IMPORTED_PATHS = list(CONFIG_PATH)


def config_paths() -> list[str]:
    """The INI files looked at, by increasing priority: :data:`CONFIG_PATH` once replaced or changed, else
    the default paths for the current ``HOME`` and working directory."""
    if CONFIG_PATH is not _IMPORTED_CONFIG_PATH or CONFIG_PATH != _IMPORTED_PATHS:
        return list(CONFIG_PATH)
    return _default_paths()


class ConfigurationManager:
    """Reads the INI files once and answers ``get(section, name)`` with the environment taking precedence."""

    def __init__(self, config_file: str | os.PathLike[str] | None = None) -> None:
        self.config = RawConfigParser()
        self.looked_in: list[str] = config_paths()
        self.config.read(self.looked_in)
        if config_file is not None:
            self.read(config_file)

    def read(self, config_file: str | os.PathLike[str]) -> None:
        """Read one more file, winning over those read before."""
        self.looked_in.append(os.fspath(config_file))
        self.config.read(config_file)

    def get(self, section: str, name: str) -> str | None:
        """``OVH_<NAME>`` from the environment, else ``[section] name`` from the files, else ``None``."""
        from_env = os.environ.get(ENV_PREFIX + name.upper())
        if from_env:
            return from_env
        try:
            return self.config.get(section, name) or None
        except (NoSectionError, NoOptionError):
            return None

    def where(self, section: str, *names: str) -> str:
        """Describe where ``names`` were looked for, for error messages a person can act on."""
        env = ", ".join(ENV_PREFIX + n.upper() for n in names)
        return (
            f"constructor arguments, environment ({env}), section [{section}] of {', '.join(self.looked_in)}"
        )


def resolve_endpoint(endpoint: str | None, where: str) -> str:
    """Turn an endpoint name or ``http(s)://`` URL into the API base URL (no trailing slash)."""
    valid = ", ".join(ENDPOINTS)
    if not endpoint:
        raise InvalidRegion(
            f"No endpoint configured (looked in {where}). Valid endpoints: {valid}, or an http(s):// URL"
        )
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    if endpoint.startswith(("http://", "https://")):
        problem = url_problem(endpoint)
        if problem:
            raise InvalidRegion(f"Invalid endpoint URL: {problem}")  # not the URL: it may hold a password
        return endpoint.rstrip("/")
    if "://" in endpoint or "@" in endpoint:  # not quoted: a URL may hold a password
        what = (
            f"a URL of scheme {endpoint.partition('://')[0]!r}" if "://" in endpoint else "a value with '@'"
        )
        raise InvalidRegion(f"Unknown endpoint: {what}. Valid endpoints: {valid}, or an http(s):// URL")
    raise InvalidRegion(f"Unknown endpoint {endpoint}. Valid endpoints: {valid}, or an http(s):// URL")


_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")


def url_problem(url: str) -> str | None:
    """What makes an ``http(s)://`` endpoint URL's host or port unusable, or None: caught here, so that a
    typo is a configuration error rather than a resolver's or an encoder's failure at the first call."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return str(error)
    del port
    host = parts.hostname
    if not host:
        return "it has no host name (http(s)://HOST[:PORT]/PATH)"
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return None
    try:
        labels = host.rstrip(".").encode("idna").decode("ascii").split(".")
    except UnicodeError:
        labels = [""]
    if not all(_LABEL.fullmatch(label) for label in labels):
        return f"{host!r} is not a valid host name (empty label, or a character a host name cannot have)"
    return None


@dataclass(frozen=True)
class Settings:
    """A client's resolved configuration. Secret fields are left out of ``repr``."""

    endpoint: str
    base_url: str
    application_key: str | None
    application_secret: str | None = field(repr=False)
    consumer_key: str | None = field(repr=False)
    client_id: str | None
    client_secret: str | None = field(repr=False)
    oauth2_token_url: str | None


def load_settings(
    endpoint: str | None = None,
    application_key: str | None = None,
    application_secret: str | None = None,
    consumer_key: str | None = None,
    config_file: str | os.PathLike[str] | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    oauth2_token_url: str | None = None,
) -> Settings:
    """Resolve every setting by the lookup order and check that the credentials make one usable kind."""
    manager = ConfigurationManager(config_file)
    endpoint = endpoint or manager.get("default", "endpoint")
    base_url = resolve_endpoint(endpoint, manager.where("default", "endpoint"))
    assert endpoint is not None

    def lookup(value: str | None, name: str) -> str | None:
        return value or manager.get(endpoint, name)

    settings = Settings(
        endpoint=endpoint,
        base_url=base_url,
        application_key=lookup(application_key, "application_key"),
        application_secret=lookup(application_secret, "application_secret"),
        consumer_key=lookup(consumer_key, "consumer_key"),
        client_id=lookup(client_id, "client_id"),
        client_secret=lookup(client_secret, "client_secret"),
        oauth2_token_url=oauth2_token_url or OAUTH2_TOKEN_URLS.get(endpoint),
    )
    _check_credentials(settings, manager)
    return settings


def _check_credentials(settings: Settings, manager: ConfigurationManager) -> None:
    """python-ovh's checks in python-ovh's order, with its messages; the hint says where to look."""
    section = settings.endpoint
    oauth2 = [("client_id", settings.client_id), ("client_secret", settings.client_secret)]
    keys = [
        ("application_key", settings.application_key),
        ("application_secret", settings.application_secret),
    ]

    def hint(pairs: list[tuple[str, str | None]]) -> str:
        missing = [name for name, value in pairs if not value]
        what = f"{missing[0]} is missing; " if len(missing) == 1 else ""
        return f"{what}looked in {manager.where(section, *(name for name, _ in pairs))}"

    if bool(settings.client_id) is not bool(settings.client_secret):
        raise InvalidConfiguration(
            "Invalid OAuth2 config, both client_id and client_secret must be given", hint=hint(oauth2)
        )
    if bool(settings.application_key) is not bool(settings.application_secret):
        raise InvalidConfiguration(
            "Invalid authentication config, both application_key and application_secret must be given",
            hint=hint(keys),
        )
    if settings.client_id and settings.application_key:
        raise InvalidConfiguration(
            "Can't use both application_key/application_secret and OAuth2 client_id/client_secret",
            hint=f"use one kind for endpoint {section} (looked in {manager.where(section, 'client_id')})",
        )
    if not settings.client_id and not settings.application_key:
        raise InvalidConfiguration(
            "Missing authentication information, you need to provide at least an "
            "application_key/application_secret or a client_id/client_secret",
            hint=f"no credentials for endpoint {section}: {hint(keys)}",
        )
    if settings.client_id and not settings.oauth2_token_url:
        raise InvalidConfiguration(
            f"OAuth2 authentication is not compatible with endpoint {section} "
            f"(it can only be used with {OAUTH2_ENDPOINT_NAMES})",
            hint="or pass oauth2_token_url= with a URL endpoint",
        )


#: The module-wide configuration manager (python-ovh's name); clients read the files afresh each time.
config = ConfigurationManager()
