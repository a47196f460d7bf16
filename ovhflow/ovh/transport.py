"""The HTTP session under a client: pooled keep-alive connections, retries, deadlines and no redirects.

Retries are :mod:`ovhflow.ovh.retries`' policy, mounted through requests' :class:`HTTPAdapter`. An answer
whose body is cut off is retried like a dropped connection (for the methods that may be retried), except
a write answered 2xx: the API applied it, and it is never sent again
(:class:`AnswerCutAfterSuccess`). Deadlines are :mod:`ovhflow.ovh.deadline`'s.

The session never follows a redirection: the OVH API does not send them, and following one would send the
request, its credentials and its body to another host. The 3xx answer is returned as it is, for the
client to report.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar
from requests.exceptions import ChunkedEncodingError, ContentDecodingError
from requests.models import PreparedRequest
from requests.structures import CaseInsensitiveDict
from requests.utils import get_netrc_auth
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util import Retry

from ovhflow.ovh.deadline import (
    CALL_DEADLINE_FACTOR,
    DEFAULT_DEADLINE,
    POOL_CLASSES,
    CallClock,
    DeadlineExceeded,
    calling,
    current_call,
)
from ovhflow.ovh.failures import describe

DEFAULT_POOL_SIZE = 16
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _NoAuth(AuthBase):
    """No credentials for this host in ``.netrc``: leaves the request as it is."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        return request


class Session(requests.Session):
    """A requests session that never follows a redirection, and reads proxy, CA-bundle and ``.netrc``
    settings once per host.

    It is ``ovhflow.ovh.client.Session``, where python-ovh has ``requests.Session``: tests written for
    python-ovh that patch ``ovh.client.Session.request`` patch this class.

    requests looks them up on every request (environment variables, ``no_proxy`` matching, two
    ``.netrc`` stats): about a sixth of the client's CPU in a parallel loop. The environment does not
    change during a run, so the answer for a host is kept; what requests sends stays the same.
    """

    def __init__(self) -> None:
        super().__init__()
        self.max_redirects = 0
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

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """Never a redirection to follow: the 3xx answer itself is the result."""
        return None

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


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with the deadlines of :mod:`ovhflow.ovh.deadline`, and the retry of an answer
    whose body was cut off (the same retry budget as urllib3's own retries of the call)."""

    def __init__(
        self,
        retry: Retry,
        pool_size: int,
        deadline: float = DEFAULT_DEADLINE,
        call_deadline: float | None = None,
    ) -> None:
        self.deadline = float(deadline)
        self.call_deadline = float(call_deadline or deadline * CALL_DEADLINE_FACTOR)
        super().__init__(pool_connections=4, pool_maxsize=max(1, pool_size), max_retries=retry)

    @property
    def max_retries(self) -> Retry:
        """The retries left to the call in progress on this thread (what urllib3 is handed)."""
        call = current_call()
        return call.retry if call is not None and call.retry is not None else self._retry

    @max_retries.setter
    def max_retries(self, retry: Retry) -> None:
        self._retry = retry

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOL_CLASSES

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = POOL_CLASSES
        return manager

    def send(
        self, request: PreparedRequest, stream: bool = False, timeout: Any = None, *args: Any, **kwargs: Any
    ) -> requests.Response:
        host = urlsplit(str(request.url)).netloc
        call = CallClock(self.deadline, self.call_deadline, self._retry, host=host)
        with calling(call):
            while True:
                try:
                    response = super().send(request, stream, call.socket_timeout(timeout), *args, **kwargs)
                except requests.RequestException as error:
                    raise _explained(error, call) from error
                if stream:
                    return response
                try:
                    response.content  # noqa: B018 (the whole body, under the attempt's deadline)
                    return response
                except (ChunkedEncodingError, ContentDecodingError, requests.ConnectionError) as error:
                    response.close()
                    if request.method not in READ_METHODS and 200 <= response.status_code < 300:
                        raise _applied_but_cut(request, response, call) from error
                    if not _retry_cut_body(call, request, error):
                        raise _explained(error, call) from error


class AnswerCutAfterSuccess(ChunkedEncodingError):
    """A write answered 2xx whose body was cut off: the API applied it, its answer is unreadable. It is
    never sent again (a POST would create a second object), and the run reports its outcome as unknown."""


def _applied_but_cut(request: PreparedRequest, response: requests.Response, call: CallClock) -> Exception:
    what = f"answered HTTP {response.status_code}, then its answer was cut off before its end"
    error = AnswerCutAfterSuccess(what, request=request, response=response)
    error.attempts = call.attempts  # type: ignore[attr-defined]
    error.failure = what  # type: ignore[attr-defined]
    return error


def _retry_cut_body(call: CallClock, request: PreparedRequest, error: Exception) -> bool:
    """Count an answer cut off mid-body as a failed attempt; True when the call may try again."""
    if call.retry is None:
        return False
    path = urlsplit(str(request.url)).path
    try:
        retry = call.retry.increment(request.method, path, error=ProtocolError("answer cut off", error))
    except (MaxRetryError, ProtocolError):
        return False
    call.retry = retry
    retry.sleep()
    return True


def _explained(error: requests.RequestException, call: CallClock) -> requests.RequestException:
    """The error to raise for a failed call: a :class:`DeadlineExceeded` when the watchdog cut it, and in
    every case ``attempts`` and ``failure`` (what went wrong, in ovhflow's words) set on it."""
    if call.cut and not isinstance(error, DeadlineExceeded):
        what = f"no complete answer within {min(call.deadline, call.call_deadline):g} s (deadline)"
        error = DeadlineExceeded(what, request=error.request, response=error.response)
    error.attempts = call.attempts  # type: ignore[attr-defined]
    error.failure = call.gave_up or describe(error, None, call)  # type: ignore[attr-defined]
    return error


def build_session(
    retry: Retry,
    pool_size: int = DEFAULT_POOL_SIZE,
    deadline: float = DEFAULT_DEADLINE,
    call_deadline: float | None = None,
) -> Session:
    """A session whose pool keeps ``pool_size`` keep-alive connections per host, each attempt bounded by
    ``deadline`` seconds and each call (retries included) by ``call_deadline`` (default: 3 deadlines)."""
    session = Session()
    adapter = DeadlineAdapter(retry, pool_size, deadline, call_deadline)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
