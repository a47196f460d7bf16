"""The wire-format rules, one at a time, on the pure functions that implement them."""

from __future__ import annotations

import json

import pytest

from ovhflow.ovh.signing import canonical_kwargs, json_body, query_string, signature, target_url, with_query


def test_signature_matches_the_documented_test_vector() -> None:
    result = signature(
        "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk",
        "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY",
        "GET",
        "https://eu.api.ovh.com/1.0/auth",
        "",
        "1457018875",
    )
    assert result == "$1$e9556054b6309771395efa467c22e627407461ad"


def test_signature_upper_cases_the_method() -> None:
    args = ("as", "ck", "https://x/1.0/me", "", "1")
    assert signature(args[0], args[1], "get", *args[2:]) == signature(args[0], args[1], "GET", *args[2:])


def test_python_keywords_lose_their_underscore_and_other_names_are_untouched() -> None:
    assert canonical_kwargs({"_from": 1, "_class": 2, "_foo": 3, "to": 4, "date.from": 5}) == {
        "from": 1,
        "class": 2,
        "_foo": 3,
        "to": 4,
        "date.from": 5,
    }


def test_query_string_keeps_order_and_encodes_booleans_none_and_spaces() -> None:
    encoded = query_string({"b": True, "a": False, "z": None, "q": "hello world", "e": "a&b=c", "n": 3})
    assert encoded == "b=true&a=false&z=null&q=hello+world&e=a%26b%3Dc&n=3"


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [("/me", "a=1", "/me?a=1"), ("/me?x=2", "a=1", "/me?x=2&a=1"), ("/me", "", "/me"), ("/m?x", "", "/m?x")],
)
def test_with_query_uses_ampersand_when_the_path_has_a_query(path: str, query: str, expected: str) -> None:
    assert with_query(path, query) == expected


def test_json_body_is_compact_and_escapes_non_ascii() -> None:
    body = json_body({"name": "Zoë €", "list": [1, {"a": None}], "ok": True})
    assert body == '{"name":"Zo\\u00eb \\u20ac","list":[1,{"a":null}],"ok":true}'
    assert body.isascii()
    assert json.loads(body)["name"] == "Zoë €"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/me", "https://eu.api.ovh.com/1.0/me"),
        ("/v1/me", "https://eu.api.ovh.com/v1/me"),
        ("/v2/iam/resource?x=1", "https://eu.api.ovh.com/v2/iam/resource?x=1"),
        ("/vps", "https://eu.api.ovh.com/1.0/vps"),
    ],
)
def test_v1_and_v2_paths_go_to_the_api_root(path: str, expected: str) -> None:
    assert target_url("https://eu.api.ovh.com/1.0", path) == expected


def test_versioned_paths_keep_a_base_url_without_1_0() -> None:
    assert target_url("http://127.0.0.1:8080/api", "/v2/x") == "http://127.0.0.1:8080/api/v2/x"
