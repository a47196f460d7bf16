"""The local copy of an endpoint's published API schemas, so checks run offline and fast.

Layout: ``$XDG_CACHE_HOME/ovhflow/schemas/<endpoint-host>/`` (``~/.cache`` when the variable is unset)
holds ``v1/_index.json``, ``v1/<api>.json`` (``v1/dedicated/server.json``), ``v2/...`` alike, the way
the API serves them, and ``.meta.json`` with the endpoint URL, the time of the last pull and each
document's ``ETag``/``Last-Modified``. A new pull asks with ``If-None-Match``/``If-Modified-Since``, so
unchanged documents cost a 304 and no download.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apischema.cache_folder import cache_root
from ovhflow.apischema.document import INDEX_FILE
from ovhflow.errors import ConfigError
from ovhflow.files.atomic import write_atomic
from ovhflow.ovh.retries import retry_policy
from ovhflow.ovh.throttle import THROTTLE_BUDGET, RateLimiter
from ovhflow.ovh.transport import build_session

META_FILE = ".meta.json"
SAFE_API_PATH = re.compile(r"^(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$")
TIMEOUT = 60
WORKERS = 8
ATTEMPTS = 3  # a busy or flaky endpoint gets two more tries per document


def endpoint_folder(endpoint_url: str) -> Path:
    host = urlsplit(endpoint_url).netloc.replace(":", "_")
    if not host or host.startswith("."):
        raise ConfigError(f"not an endpoint URL: {endpoint_url}")
    return cache_root() / host


def version_bases(endpoint_url: str) -> dict[str, str]:
    """Base URLs of the v1 and v2 APIs of an endpoint given as its usual ``.../1.0`` URL."""
    url = endpoint_url.rstrip("/")
    root = re.sub(r"/(1\.0|v1)$", "", url)
    v1 = url if url != root else root + "/1.0"
    return {"v1": v1, "v2": root + "/v2"}


@dataclass
class PullReport:
    """What a pull did: documents downloaded, confirmed unchanged (304), absent (404) and failed."""

    folder: Path
    downloaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CachedEndpoint:
    """One endpoint's cached schemas, as ``ovhflow schemas list`` shows them."""

    folder: Path
    endpoint: str
    pulled_at: str
    documents: int


def read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


class Puller:
    """Downloads one endpoint's listings and documents, revalidating what is already cached."""

    def __init__(self, endpoint_url: str, session: requests.Session | None = None) -> None:
        self.endpoint = endpoint_url.rstrip("/")
        self.folder = endpoint_folder(self.endpoint)
        self.session = session or build_session(retry_policy(ATTEMPTS - 1), pool_size=WORKERS)
        self.meta = read_meta(self.folder)
        self.validators: dict[str, dict[str, str]] = dict(self.meta.get("documents") or {})
        self.report = PullReport(self.folder)
        self.limiter = RateLimiter()  # shared by the download threads, as a client's threads share one

    def fetch(self, url: str, relative: str) -> bytes | None:
        """The document's new content, or None when unchanged (304) or absent (404)."""
        headers = {"Accept": "application/json"}
        known = self.validators.get(relative, {})
        if (self.folder / relative).is_file():
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
        response = self.get(url, headers)
        if isinstance(response, str):
            self.report.failed.append(f"{relative}: {response}")
            return None
        if response.status_code == 304:
            self.report.unchanged.append(relative)
            return None
        if response.status_code == 404:
            self.report.missing.append(relative)
            return None
        if response.status_code != 200:
            self.report.failed.append(f"{relative}: HTTP {response.status_code}")
            return None
        try:
            json.loads(response.content)
        except ValueError:
            self.report.failed.append(f"{relative}: not JSON")
            return None
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, response.content)
        self.validators[relative] = {
            "url": url,
            "etag": response.headers.get("ETag", ""),
            "last_modified": response.headers.get("Last-Modified", ""),
        }
        self.report.downloaded.append(relative)
        return response.content

    def get(self, url: str, headers: dict[str, str]) -> requests.Response | str:
        """The response, or why there is none once the session's retries gave up.

        5xx answers and dropped connections are retried by the session's transport, the one the API
        client uses; 429 answers wait out ``Retry-After`` on a rate limiter shared by the download
        threads, as the client's calls do. What is left here is the last answer.
        """
        try:
            response = self.limiter.send(
                lambda: self.session.get(url, headers=headers, timeout=TIMEOUT), THROTTLE_BUDGET
            )
        except requests.RequestException as error:
            return type(error).__name__
        if response.status_code == 429 or response.status_code >= 500:
            return f"HTTP {response.status_code}"
        return response

    def listing(self, version: str, base: str) -> list[str]:
        """API paths named by a version's root listing (the cached one when it did not change)."""
        relative = f"{version}/{INDEX_FILE}"
        content = self.fetch(base + "/", relative)
        if content is None:
            cached = self.folder / relative
            if relative not in self.report.unchanged or not cached.is_file():
                return []
            content = cached.read_bytes()
        try:
            listing = json.loads(content)
        except ValueError:  # a cached copy damaged since: forget its validators, fetch it next time
            self.validators.pop(relative, None)
            self.report.failed.append(f"{relative}: cached copy is not JSON")
            return []
        apis = listing.get("apis") if isinstance(listing, dict) else None
        paths = [str(api.get("path")) for api in apis or [] if isinstance(api, dict)]
        return [p for p in paths if SAFE_API_PATH.match(p) and ".." not in p]

    def pull(self) -> PullReport:
        self.folder.mkdir(parents=True, exist_ok=True)
        jobs = []
        for version, base in version_bases(self.endpoint).items():
            for api_path in self.listing(version, base):
                jobs.append((base + api_path + ".json", f"{version}{api_path}.json"))
        if not jobs:
            raise ConfigError(
                f"could not download the API schema listing from {self.endpoint}/ "
                f"({'; '.join(self.report.failed) or 'no APIs listed'})"
            )
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(lambda job: self.fetch(*job), jobs))
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
        meta = {"endpoint": self.endpoint, "pulled_at": now, "documents": self.validators}
        write_atomic(self.folder / META_FILE, json.dumps(meta, indent=1, sort_keys=True))
        return self.report


def pull(endpoint_url: str) -> PullReport:
    """Download or revalidate every schema document of an endpoint into the cache."""
    return Puller(endpoint_url).pull()


def list_cached() -> list[CachedEndpoint]:
    """Every endpoint with cached schemas, with when they were last pulled."""
    root = cache_root()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = read_meta(folder)
        documents = [p for p in folder.rglob("*.json") if p.name != INDEX_FILE and not p.name.startswith(".")]
        found.append(
            CachedEndpoint(
                folder,
                str(meta.get("endpoint") or folder.name),
                str(meta.get("pulled_at") or "unknown"),
                len(documents),
            )
        )
    return found


def cached_catalog(endpoint_url: str, wanted: Callable[[str], bool] | None = None) -> Catalog | None:
    """The catalog of an endpoint's cached schemas (those ``wanted``), or None when nothing was pulled."""
    folder = endpoint_folder(endpoint_url.rstrip("/"))
    if not folder.is_dir() or not any(folder.rglob("*.json")):
        return None
    try:
        return Catalog.from_dir(folder, wanted)
    except ConfigError:
        return None
