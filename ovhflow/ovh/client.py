"""The OVH API client: python-ovh 1.2's interface and wire format, safe to share between threads.

Beyond python-ovh (keyword-only constructor arguments and extra methods): retries through urllib3, a
deadline per request and per call, a shared rate limit, a pooled session sized for concurrency, batch
reads, expanded listings and v2 cursor pagination. Redirections are never followed, and requests go to
the endpoint's host only.

python-ovh's module names are kept where its users' tests reach for them: ``Session`` (patch
``ovh.client.Session.request``), ``ENDPOINTS``, ``TIMEOUT``, ``OAUTH2_TOKEN_URLS``, ``OAuth2``, ``config``
and the exceptions; and the client's ``_canonicalize_kwargs``, ``_prepare_query_string`` and
``_get_target``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.exceptions import RequestException

from ovhflow.ovh import config, listing
from ovhflow.ovh.config import ENDPOINTS, OAUTH2_TOKEN_URLS, load_settings
from ovhflow.ovh.consumer_key import ConsumerKeyRequest
from ovhflow.ovh.deadline import DEFAULT_DEADLINE
from ovhflow.ovh.exceptions import (  # noqa: F401 (python-ovh's client module offers them all)
    AnswerUnreadable,
    APIError,
    BadParametersError,
    Forbidden,
    HTTPError,
    InvalidConfiguration,
    InvalidCredential,
    InvalidKey,
    InvalidRegion,
    InvalidResponse,
    NetworkError,
    NotCredential,
    NotGrantedCall,
    ResourceConflictError,
    ResourceExpiredError,
    ResourceNotFoundError,
    decode_response,
)
from ovhflow.ovh.oauth2 import OAuth2
from ovhflow.ovh.retries import IDEMPOTENT_METHODS, RetrySetting, retry_policy
from ovhflow.ovh.sending import network_failure, signed_headers, timed_request
from ovhflow.ovh.signing import canonical_kwargs, json_body, query_string, target_url, with_query
from ovhflow.ovh.throttle import THROTTLE_BUDGET, RateLimiter
from ovhflow.ovh.transport import DEFAULT_POOL_SIZE, AnswerCutAfterSuccess, Session, build_session

__all__ = ["ENDPOINTS", "OAUTH2_TOKEN_URLS", "TIMEOUT", "Client", "Session", "config"]

TIMEOUT = 180  # python-ovh's per-socket-operation timeout; the deadlines bound the whole request


class Client:
    """An OVH API client. Construct it like python-ovh's ``ovh.Client``; extras are keyword-only.

    ``retries``: ``None`` (default policy: 3 retries of connection errors and 5xx for GET/PUT/DELETE,
    exponential backoff with jitter), an int, ``False``/``0`` to disable, or a
    ``urllib3.util.Retry``. ``retry_post``: also retry POST on 5xx/429/read errors (off: a POST may have
    been processed; only a connection that could not be opened is retried, as nothing was sent).
    ``rate_limit``: requests per second, shared by all threads (urllib3's retries of one call are paced by
    its backoff instead). A 429 answer slows every thread down (see :mod:`ovhflow.ovh.throttle`) and the
    call is sent again once ``Retry-After`` has passed, for up to ``throttle_budget`` seconds (GET, PUT,
    DELETE; POST too with ``retry_post``; never with ``retries=False``). ``pool_size``: keep-alive
    connections kept per host (set it to the number of threads using the client).
    ``oauth2_token_url``: token endpoint for OAuth2 with a URL endpoint.
    ``deadline``: seconds one request may take in all (connecting, sending, the headers and the whole
    body; default 60); ``call_deadline``: seconds a call may take with its retries and the waits between
    them (default 3 deadlines; 429 retries have their own budget). ``timeout`` stays python-ovh\'s: per
    socket operation.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        application_key: str | None = None,
        application_secret: str | None = None,
        consumer_key: str | None = None,
        timeout: float | tuple[float, float] = TIMEOUT,
        config_file: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        retries: RetrySetting = None,
        retry_post: bool = False,
        rate_limit: float | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        oauth2_token_url: str | None = None,
        throttle_budget: float = THROTTLE_BUDGET,
        deadline: float = DEFAULT_DEADLINE,
        call_deadline: float | None = None,
    ) -> None:
        settings = load_settings(
            endpoint, application_key, application_secret, consumer_key, config_file,
            client_id, client_secret, oauth2_token_url,
        )  # fmt: skip
        self._endpoint_name = settings.endpoint
        self._endpoint = settings.base_url
        self._application_key = settings.application_key
        self._application_secret = settings.application_secret
        self._consumer_key = settings.consumer_key
        self._client_id = settings.client_id
        self._client_secret = settings.client_secret
        self._timeout = timeout
        self._time_delta: int | None = None
        self._time_delta_lock = threading.Lock()
        self._session = build_session(retry_policy(retries, retry_post), pool_size, deadline, call_deadline)
        self._rate_limiter = RateLimiter(rate_limit or None)
        retried = retries is not False and retries != 0
        self._throttle_budget = throttle_budget if retried else 0.0
        self._throttle_methods = IDEMPOTENT_METHODS | {"POST"} if retry_post else IDEMPOTENT_METHODS
        self._oauth2: OAuth2 | None = None
        if settings.client_id and settings.client_secret and settings.oauth2_token_url:
            self._oauth2 = OAuth2(
                settings.client_id,
                settings.client_secret,
                settings.oauth2_token_url,
                session=self._session,
                timeout=None,  # python-ovh's token request shape; the session's deadlines bound it
            )
        self.refusals = listing.Refusals()  # optional modes the API refused, shared with a recipe run

    def __repr__(self) -> str:
        auth = "oauth2" if self._oauth2 else ("signed" if self._consumer_key else "application key only")
        return f"<ovhflow.ovh.Client endpoint={self._endpoint_name!r} auth={auth}>"

    @property
    def endpoint(self) -> str:
        """The endpoint as configured: a name such as ``ovh-eu`` or a URL."""
        return self._endpoint_name

    @property
    def base_url(self) -> str:
        """The API root URL requests are sent to (``.../1.0``)."""
        return self._endpoint

    def secret_values(self) -> list[str]:
        """Every secret this client holds right now (application secret, consumer key, OAuth2 client secret
        and token), so that callers can mask them in anything they print or log."""
        values = [self._application_secret, self._consumer_key, self._client_secret]
        if self._oauth2 is not None:
            values.append(self._oauth2.current_token())
        return [value for value in values if value]

    # lifecycle

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # authentication helpers

    @property
    def time_delta(self) -> int:
        """Server time minus local time, in seconds; fetched once from ``/auth/time`` and cached."""
        if self._time_delta is None:
            with self._time_delta_lock:
                if self._time_delta is None:
                    server_time = self.get("/auth/time", _need_auth=False)
                    self._time_delta = int(server_time) - int(time.time())
        return self._time_delta

    def new_consumer_key_request(self) -> ConsumerKeyRequest:
        """A :class:`ConsumerKeyRequest` bound to this client."""
        return ConsumerKeyRequest(self)

    def request_consumerkey(
        self,
        access_rules: list[dict[str, str]],
        redirect_url: str | None = None,
        allowedIPs: Any = None,  # noqa: N803
    ) -> Any:
        """Ask for a consumer key with ``access_rules``; the client adopts the returned ``consumerKey``."""
        answer = self.post(
            "/auth/credential", _need_auth=False, accessRules=access_rules, redirection=redirect_url,
            allowedIPs=allowedIPs,
        )  # fmt: skip
        self._consumer_key = answer["consumerKey"]
        return answer

    # python-ovh shortcuts

    def _canonicalize_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """python-ovh's hook: ``_from`` becomes ``from`` (see :func:`signing.canonical_kwargs`)."""
        return canonical_kwargs(kwargs)

    def _prepare_query_string(self, kwargs: dict[str, Any]) -> str:
        """python-ovh's hook: the query string of ``kwargs`` (see :func:`signing.query_string`)."""
        return query_string(kwargs)

    def _get_target(self, path: str) -> str:
        """python-ovh's hook: the full URL of ``path`` (see :func:`signing.target_url`)."""
        return target_url(self._endpoint, path)

    def get(self, _target: str, _need_auth: bool = True, **kwargs: Any) -> Any:
        """GET; keyword arguments become the query string (``_from`` sends ``from``)."""
        query = self._prepare_query_string(self._canonicalize_kwargs(kwargs))
        return self.call("GET", with_query(_target, query), None, _need_auth)

    def delete(self, _target: str, _need_auth: bool = True, **kwargs: Any) -> Any:
        """DELETE; keyword arguments become the query string."""
        query = self._prepare_query_string(self._canonicalize_kwargs(kwargs))
        return self.call("DELETE", with_query(_target, query), None, _need_auth)

    def post(self, _target: str, _need_auth: bool = True, **kwargs: Any) -> Any:
        """POST; keyword arguments become the JSON body (none: no body)."""
        return self.call("POST", _target, self._canonicalize_kwargs(kwargs) or None, _need_auth)

    def put(self, _target: str, _need_auth: bool = True, **kwargs: Any) -> Any:
        """PUT; keyword arguments become the JSON body (none: no body)."""
        return self.call("PUT", _target, self._canonicalize_kwargs(kwargs) or None, _need_auth)

    # low level

    def call(self, method: str, path: str, data: Any = None, need_auth: bool = True) -> Any:
        """Send one request and return its decoded JSON (``None`` on 204), or raise the matching APIError.

        As in python-ovh, ``data`` (any JSON value) is sent as the body whatever the method; query
        parameters go in ``path`` (:meth:`get` and :meth:`delete` build them from keyword arguments).
        """
        return self.call_with_response(method, path, data, need_auth)[0]

    def call_with_response(
        self,
        method: str,
        path: str,
        data: Any = None,
        need_auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[Any, requests.Response]:
        """Like :meth:`call`, with extra request ``headers``, returning ``(decoded JSON, response)``.

        A network failure is an :class:`HTTPError` naming the call, the host, what failed and how many
        attempts were made (python-ovh's shape: the ``requests`` error is its second argument).
        """
        try:
            response = self.raw_call(method, path, data, need_auth, headers)
        except AnswerCutAfterSuccess as error:
            message = network_failure(method, path, self._endpoint, error)
            raise AnswerUnreadable(message, error, response=error.response) from error
        except RequestException as error:
            raise HTTPError(network_failure(method, path, self._endpoint, error), error) from error
        return decode_response(response), response

    def raw_call(
        self,
        method: str,
        path: str,
        data: Any = None,
        need_auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Sign and send one request; return the ``requests.Response`` as is (requests errors propagate).

        A ``path`` that would make the URL point at another host than the endpoint's is refused before
        anything is signed or sent.
        """
        url = self._get_target(path)
        if urlsplit(url)[:2] != urlsplit(self._endpoint)[:2]:
            raise InvalidRegion(f"{path!r} does not stay on the endpoint {self._endpoint}: not sent")
        headers = dict(headers or {})
        body = ""
        if data is not None:
            headers["Content-type"] = "application/json"
            body = json_body(data)
        if need_auth and self._oauth2 is not None:
            return self._send_oauth2(method, url, headers, body)
        if need_auth:
            secret, consumer_key = self._application_secret, self._consumer_key
            headers |= signed_headers(secret, consumer_key, method, url, body, lambda: self.time_delta)
        headers["X-Ovh-Application"] = self._application_key  # type: ignore[assignment]
        return self._send(method, url, headers, body)

    def _send_oauth2(self, method: str, url: str, headers: dict[str, str], body: str) -> requests.Response:
        assert self._oauth2 is not None
        headers["Authorization"] = self._oauth2.authorization()
        response = self._send(method, url, headers, body, files=None)
        if response.status_code == 401:  # token revoked or expired early: fetch a new one, once
            self._oauth2.discard(headers["Authorization"])
            headers["Authorization"] = self._oauth2.authorization()
            response = self._send(method, url, headers, body, files=None)
        return response

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: str, **extra: Any
    ) -> requests.Response:
        """Send once the rate limiter allows; on 429, again after ``Retry-After``, within the budget.

        ``extra`` keyword arguments go to ``Session.request`` (OAuth2 calls add ``files=None``, as
        python-ovh's do: users' tests assert on that call shape)."""
        budget = self._throttle_budget if method in self._throttle_methods else 0.0
        session, timeout = self._session, self._timeout
        return self._rate_limiter.send(
            lambda: timed_request(session, method, url, headers, body, timeout, **extra), budget
        )

    # beyond python-ovh

    def get_batch(
        self, path: str, keys: Iterable[Any], chunk_size: int = listing.BATCH_SIZE, concurrency: int = 1
    ) -> list[dict[str, Any]]:
        """GET ``path/<key>`` for many keys, ``chunk_size`` per call with ``X-Ovh-Batch``.

        Returns ``[{"key", "value", "error"}]`` in the order of ``keys``: ``value`` is the object (``None``
        when that key failed) and ``error`` the API's message for that key (``None`` on success). Falls back
        to one GET per key where the API refuses batch reads. ``concurrency`` chunks are fetched at once.
        """
        return listing.get_batch(self._get, self.refusals, path, keys, chunk_size, concurrency)

    def iter_expanded(
        self,
        path: str,
        page_size: int = listing.EXPANDED_PAGE_SIZE,
        filter: str | None = None,  # noqa: A002 (the header's name)
        sort: str | None = None,
        sort_order: str | None = None,
    ) -> Iterator[Any]:
        """Yield the full objects of a v1 listing (``GET path`` then ``GET path/<id>``), page by page.

        Uses ``X-Pagination-Mode: CachedObjectList-Pages``; falls back to the plain listing plus one GET per
        id, filtering and sorting locally, where the API refuses that mode.
        """
        return listing.iter_expanded(self._get, self.refusals, path, page_size, filter, sort, sort_order)

    def iter_v2(self, path: str, page_size: int | None = None) -> Iterator[Any]:
        """Yield every item of a ``/v2`` listing, following ``X-Pagination-Cursor-Next``."""
        return listing.iter_v2(self._get, path, page_size)

    def _get(self, path: str, headers: Mapping[str, str] | None) -> tuple[Any, Mapping[str, str]]:
        """A GET with extra headers, as :mod:`ovhflow.ovh.listing` sends them."""
        answer, response = self.call_with_response("GET", path, headers=dict(headers) if headers else None)
        return answer, response.headers
