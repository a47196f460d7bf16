"""Pieces of the sandbox checked directly: access-rule wildcards, batch paths, expand filters, signatures."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovhflow.sandbox import Sandbox
from ovhflow.sandbox.api import ApiError
from ovhflow.sandbox.auth import rules_allow, signature
from ovhflow.sandbox.listing import batch_paths, expanded_page
from tests.sandbox.helpers import SignedSession


def test_signature_matches_the_published_vector() -> None:
    # the test vector of python-ovh's wire format (issue 2)
    expected = "$1$e9556054b6309771395efa467c22e627407461ad"
    got = signature(
        "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk",
        "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY",
        "GET",
        b"https://eu.api.ovh.com/1.0/auth",
        b"",
        "1457018875",
    )
    assert got == expected


@pytest.mark.parametrize(
    ("rule", "method", "path", "allowed"),
    [
        ("/*", "GET", "/me", True),
        ("/me", "GET", "/me", True),
        ("/me", "GET", "/me/bill", False),
        ("/me/*", "GET", "/me", False),
        ("/me/*", "GET", "/me/bill/FR1/details", True),
        ("/dedicated/server/*/burst", "GET", "/dedicated/server/ns1.ip-1-2-3.eu/burst", True),
        ("/dedicated/server/*/burst", "GET", "/dedicated/server/ns1/task", False),
        ("/me", "PUT", "/me", False),
        ("/me.json", "GET", "/me-json", False),  # a dot in a rule is literal
    ],
)
def test_access_rule_wildcards(rule: str, method: str, path: str, allowed: bool) -> None:
    assert rules_allow([{"method": "GET", "path": rule}], method, ((path,),)) is allowed


def test_a_batch_read_needs_every_path_allowed() -> None:
    rules = [{"method": "GET", "path": "/dedicated/server/a"}]
    assert rules_allow(rules, "GET", (("/dedicated/server/a",),))
    assert not rules_allow(rules, "GET", (("/dedicated/server/a",), ("/dedicated/server/b",)))
    assert rules_allow([{"method": "GET", "path": "/iam/*"}], "GET", (("/v2/iam/x", "/iam/x"),))


def test_batch_paths() -> None:
    assert batch_paths("/dedicated/server/a,b/burst", ",") == (
        ["a", "b"],
        ["/dedicated/server/a/burst", "/dedicated/server/b/burst"],
    )
    assert batch_paths("/me/bill/FR1", ",") == (["FR1"], ["/me/bill/FR1"])
    with pytest.raises(ApiError):
        batch_paths("/x/a,b/y/c,d", ",")
    with pytest.raises(ApiError):
        batch_paths("/x/a,,b", ",")


def test_bad_filter_clauses_are_a_bad_request() -> None:
    objects = {"/x/1": {"datacenter": "sbg1"}, "/x/2": {"datacenter": "gra2"}}
    page = expanded_page([1, 2], "/x", {"X-Pagination-Filter": "datacenter:eq=sbg1"}, objects.__getitem__)
    assert page.data == [{"datacenter": "sbg1"}]
    for bad in ("datacenter=sbg1", "datacenter:is=sbg1", ":eq=1"):
        with pytest.raises(ApiError):
            expanded_page([1, 2], "/x", {"X-Pagination-Filter": bad}, objects.__getitem__)


@settings(deadline=None, max_examples=60)  # over real HTTP: no per-example time limit on a busy machine
@given(
    st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=8), max_size=3),
)
def test_any_query_and_body_sign_correctly(query: dict, body: dict) -> None:
    # Hypothesis and function fixtures do not mix: one sandbox per module, started on first use.
    session, server = _shared_session()
    path = "/me?" + urlencode(query) if query else "/me"
    assert session.get(path).status_code == 200
    response = session.request("PUT", f"/dedicated/server/{server}/burst", body or None)
    # past authentication whatever the body: the answer is the API's own (200, or 400 Client::BadRequest)
    assert response.status_code in (200, 400) and "errorCode" not in response.json(), response.text


_shared: dict[str, Any] = {}
_shared_lock = threading.Lock()


def _shared_session() -> tuple[SignedSession, str]:
    with _shared_lock:
        if "session" not in _shared:
            box = Sandbox(servers=1, bills=1).start()
            _shared["box"] = box
            _shared["session"] = SignedSession(box.credentials)
        return _shared["session"], next(iter(_shared["box"].state["servers"]))


@pytest.fixture(scope="module", autouse=True)
def _stop_shared_sandbox():
    yield
    if "box" in _shared:
        _shared.pop("box").stop()
        _shared.pop("session").http.close()
