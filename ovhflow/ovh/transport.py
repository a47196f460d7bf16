"""The HTTP session under a client: pooled keep-alive connections and retries.

Retries are urllib3's :class:`~urllib3.util.Retry` mounted through requests' :class:`HTTPAdapter`: it
already does exponential backoff with jitter, ``Retry-After``, per-method and per-status rules, so the
client only chooses the policy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from requests.utils import get_netrc_auth
from urllib3.util import Retry

DEFAULT_RETRIES = 3
DEFAULT_POOL_SIZE = 16
DEFAULT_BACKOFF_FACTOR = 0.5
DEFAULT_BACKOFF_MAX = 30.0
DEFAULT_BACKOFF_JITTER = 0.5
MAX_RETRY_AFTER = 120  # seconds; a longer Retry-After is not worth waiting for inside one call
# 429 is not among them: the client's shared rate limiter handles it (ovhflow/ovh/throttle.py)
RETRYABLE_STATUSES = frozenset(range(500, 600))
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})

RetrySetting = int | bool | Retry | None


class _Retry(Retry):
    """urllib3's policy, except that it leaves 429 answers alone even with ``Retry-After``: the client's
    shared rate limiter retries them, slowing every thread down (ovhflow/ovh/throttle.py)."""

    RETRY_AFTER_STATUS_CODES = frozenset({413, 503})


def retry_policy(
    retries: RetrySetting = None,
    retry_post: bool = False,
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR,
) -> Retry:
    """Build the retry policy from a client's ``retries`` argument.

    ``None``/``True``: the default number of attempts. An int: that many retries. ``False``/``0``: none.
    A ``Retry`` is used as given. Statuses (5xx) and errors after the request was sent are retried
    only for idempotent methods, plus POST when ``retry_post`` is set; a connection that could not be
    established is retried for every method, since nothing reached the server.
    """
    if isinstance(retries, Retry):
        return retries
    if retries is None or retries is True:
        retries = DEFAULT_RETRIES
    if not retries:
        return _Retry(total=0, read=False, raise_on_status=False, raise_on_redirect=False)
    methods = IDEMPOTENT_METHODS | {"POST"} if retry_post else IDEMPOTENT_METHODS
    return _Retry(
        total=int(retries),
        allowed_methods=methods,
        status_forcelist=RETRYABLE_STATUSES,
        backoff_factor=backoff_factor,
        backoff_max=DEFAULT_BACKOFF_MAX,
        backoff_jitter=DEFAULT_BACKOFF_JITTER if backoff_factor else 0.0,
        respect_retry_after_header=True,
        retry_after_max=MAX_RETRY_AFTER,
        raise_on_status=False,
        raise_on_redirect=False,
    )


class _NoAuth(AuthBase):
    """No credentials for this host in ``.netrc``: leaves the request as it is."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return request


class _Session(requests.Session):
    """A requests session that reads proxy, CA-bundle and ``.netrc`` settings once per host.

    requests looks them up on every request (environment variables, ``no_proxy`` matching, two
    ``.netrc`` stats): about a sixth of the client's CPU in a parallel loop. The environment does not
    change during a run, so the answer for a host is kept; what requests sends stays the same.
    """

    def __init__(self) -> None:
        super().__init__()
        self._environment_settings: dict[tuple[Any, ...], Any] = {}
        self._netrc_auth: dict[tuple[str, str], Any] = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("auth") is None and self.auth is None and self.trust_env and isinstance(url, str):
            parts = urlsplit(url)
            key = (parts.scheme, parts.netloc)
            if key not in self._netrc_auth:
                self._netrc_auth[key] = get_netrc_auth(url) or _NoAuth()
            kwargs["auth"] = self._netrc_auth[key]
        return super().request(method, url, *args, **kwargs)

    def prepare_request(self, request: requests.Request) -> PreparedRequest:
        """requests' own preparation, without its merging of session-wide settings when there are none.

        An API call has no cookies, query parameters, hooks or session auth to merge, yet requests
        merges them on every call (a third of what preparing costs). When there is nothing to merge, the
        request is prepared directly from the same parts, so the same bytes go out; otherwise requests
        does it all.
        """
        plain = (
            request.auth is not None  # the .netrc lookup is done (see request())
            and not (request.cookies or self.cookies or request.params or self.params or request.files)
            and request.json is None
            and self.auth is None
            and not any(self.hooks.values())
        )
        if not plain:
            return super().prepare_request(request)
        headers = CaseInsensitiveDict(self.headers)  # the session's defaults first, as requests merges
        headers.update(request.headers or {})
        prepared = PreparedRequest()
        prepared.prepare(
            method=str(request.method).upper(),
            url=request.url,
            headers={name: value for name, value in headers.items() if value is not None},
            data=request.data,
            auth=request.auth,
            cookies=RequestsCookieJar(),
            hooks=request.hooks,
        )
        return prepared

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, tuple(sorted((proxies or {}).items())), stream, verify, cert)
        settings = self._environment_settings.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._environment_settings[key] = settings
        return dict(settings, proxies=dict(settings["proxies"]))


def build_session(retry: Retry, pool_size: int = DEFAULT_POOL_SIZE) -> requests.Session:
    """A requests session whose connection pool holds ``pool_size`` keep-alive connections per host."""
    session = _Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(1, pool_size), max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
