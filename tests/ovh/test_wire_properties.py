"""Property tests: for any arguments, ``ovhflow.ovh`` hands requests the very same method, URL, headers
and body as python-ovh 1.2.0 (both clients' ``Session.request`` is intercepted, nothing is sent)."""

from __future__ import annotations

import keyword
from typing import Any
from unittest import mock

import ovh as python_ovh
from hypothesis import given, settings
from hypothesis import strategies as st

from ovhflow import ovh

ENDPOINT_URL = "http://127.0.0.1:9/1.0"  # never contacted: the session is intercepted
KEYS = {"application_key": "ak", "application_secret": "as", "consumer_key": "ck"}

names = st.one_of(
    st.sampled_from(["_" + k for k in keyword.kwlist] + ["_x", "date.from", "a b", "é"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8),
).filter(lambda name: name not in ("_target", "_need_auth"))  # the shortcuts' own parameters
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12))
json_values = st.recursive(
    st.one_of(scalars, st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
paths = st.sampled_from(["/me", "/me/bill", "/v1/x", "/v2/iam/resource", "/search?q=1", "/a b"])


def _sent(client: Any, method: str, path: str, kwargs: dict[str, Any], need_auth: bool) -> list[tuple]:
    calls: list[tuple] = []

    def record(self: Any, method: str, url: str, **kw: Any) -> Any:
        calls.append((method, url, dict(kw["headers"]), kw["data"], kw["timeout"]))
        response = mock.Mock(status_code=200, headers={})
        response.json.return_value = 1_700_000_000
        return response

    with mock.patch("requests.Session.request", record), mock.patch("time.time", return_value=1_699_999_000):
        getattr(client, method.lower())(path, need_auth, **kwargs)
    return calls


@settings(max_examples=100, deadline=None)
@given(
    method=st.sampled_from(["GET", "DELETE"]),
    path=paths,
    kwargs=st.dictionaries(names, scalars, max_size=4),
    need_auth=st.booleans(),
)
def test_query_calls_are_identical(method: str, path: str, kwargs: dict[str, Any], need_auth: bool) -> None:
    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"x": ENDPOINT_URL}):
        theirs = _sent(python_ovh.Client("x", **KEYS), method, path, kwargs, need_auth)
    ours = _sent(ovh.Client(ENDPOINT_URL, **KEYS), method, path, kwargs, need_auth)
    assert ours == theirs


@settings(max_examples=100, deadline=None)
@given(
    method=st.sampled_from(["POST", "PUT"]),
    path=paths,
    kwargs=st.dictionaries(names, json_values, max_size=4),
    need_auth=st.booleans(),
)
def test_body_calls_are_identical(method: str, path: str, kwargs: dict[str, Any], need_auth: bool) -> None:
    with mock.patch.dict(python_ovh.client.ENDPOINTS, {"x": ENDPOINT_URL}):
        theirs = _sent(python_ovh.Client("x", **KEYS), method, path, kwargs, need_auth)
    ours = _sent(ovh.Client(ENDPOINT_URL, **KEYS), method, path, kwargs, need_auth)
    assert ours == theirs
