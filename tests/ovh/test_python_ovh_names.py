"""``from ovhflow import ovh`` keeps python-ovh 1.2.0's names where its users (and their tests) reach for
them, with the same call shapes. python-ovh itself is installed with the test extra."""

from __future__ import annotations

import importlib
import inspect
import types
from typing import Any

import ovh as python_ovh
import pytest

MODULES = ["", ".client", ".config", ".consumer_key", ".exceptions", ".oauth2"]
# Names python-ovh's modules import from elsewhere that its users patch or import from there.
BORROWED = {"ovh.client": {"Session"}}
# python-ovh's subclass of requests-oauthlib's OAuth2Session: how its OAuth2 works inside, on a library
# ovhflow does not use; ovhflow.ovh.oauth2.OAuth2 (the name python-ovh's client uses) is kept.
NOT_KEPT = {"ovh.oauth2": {"RefreshOAuth2Session"}}


def _is_python_ovh_own(module: types.ModuleType, name: str, value: Any) -> bool:
    """Whether ``module.name`` is python-ovh's: defined in its package (a class, function or submodule),
    a value it defines, or a borrowed name its users patch (``ovh.client.Session``)."""
    if name in BORROWED.get(module.__name__, set()):
        return True
    if name in NOT_KEPT.get(module.__name__, set()):
        return False
    if isinstance(value, types.ModuleType):
        return value.__name__.startswith("ovh.")
    defined_in = getattr(value, "__module__", None)
    if inspect.isclass(value) or inspect.isfunction(value):
        return defined_in is not None and defined_in.split(".")[0] == "ovh"
    return not inspect.isbuiltin(value)


def _public_names(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and _is_python_ovh_own(module, name, value)
    }


@pytest.mark.parametrize("suffix", MODULES)
def test_each_module_has_every_public_name_of_python_ovh(suffix: str) -> None:
    theirs = importlib.import_module("ovh" + suffix)
    ours = importlib.import_module("ovhflow.ovh" + suffix)
    expected = _public_names(theirs)
    assert len(expected) >= (2 if suffix else 15)  # the comparison itself found names to compare
    missing = sorted(name for name in expected if not hasattr(ours, name))
    assert missing == [], f"ovhflow.ovh{suffix} lacks python-ovh's {missing}"


def _parameters(function: Any) -> list[tuple[str, Any, Any]]:
    """Positional-or-keyword parameters with their defaults, in order (what a caller may pass)."""
    return [
        (p.name, p.kind, p.default)
        for p in inspect.signature(function).parameters.values()
        if p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]


def _callables(cls: type) -> dict[str, Any]:
    """A class's functions and properties, public ones and the private ones python-ovh's tests use."""
    return {
        name: value
        for name, value in vars(cls).items()
        if (inspect.isfunction(value) or isinstance(value, property))
        and (not name.startswith("__") or name == "__init__")
    }


@pytest.mark.parametrize("suffix", MODULES)
def test_classes_and_functions_take_python_ovh_arguments(suffix: str) -> None:
    theirs = importlib.import_module("ovh" + suffix)
    ours = importlib.import_module("ovhflow.ovh" + suffix)
    compared = 0
    for name in _public_names(theirs):
        their_value, our_value = getattr(theirs, name), getattr(ours, name)
        if inspect.isfunction(their_value):
            assert _parameters(our_value) == _parameters(their_value), name
            compared += 1
        if not inspect.isclass(their_value) or not getattr(their_value, "__module__", "").startswith("ovh"):
            continue
        for member, their_member in _callables(their_value).items():
            our_member = inspect.getattr_static(our_value, member, None)
            assert our_member is not None, f"{name}.{member} is missing"
            if isinstance(their_member, property):
                assert isinstance(our_member, property) or not callable(our_member), f"{name}.{member}"
                continue
            theirs_params = _parameters(their_member)
            ours_params = _parameters(our_member)
            if theirs_params[-1:] and theirs_params[-1][1] is inspect.Parameter.VAR_KEYWORD:
                continue  # **kwargs forwarded: nothing fixed to compare
            assert ours_params[: len(theirs_params)] == theirs_params, f"{name}.{member}"
            compared += 1
    assert compared >= (0 if suffix in ("", ".config", ".exceptions") else 1)


def test_http_error_takes_python_ovh_two_arguments_and_keeps_both() -> None:
    from ovhflow import ovh

    cause = ValueError("below")
    error = ovh.HTTPError("Low HTTP request failed error", cause)
    assert error.args == ("Low HTTP request failed error", cause)
    assert error.message == "Low HTTP request failed error"
    assert isinstance(error, ovh.APIError)


def test_the_exception_hierarchy_is_python_ovh_s() -> None:
    from ovhflow import ovh

    for name in _public_names(python_ovh.exceptions):
        theirs = getattr(python_ovh.exceptions, name)
        if inspect.isclass(theirs):
            bases = {base.__name__ for base in theirs.__mro__}
            assert bases <= {base.__name__ for base in getattr(ovh.exceptions, name).__mro__}, name


def test_patching_client_session_request_intercepts_every_call_in_python_ovh_shape() -> None:
    from unittest import mock

    from ovhflow import ovh

    with mock.patch("ovhflow.ovh.client.Session.request") as request:
        request.return_value.status_code = 200
        request.return_value.json.return_value = {"ok": True}
        client = ovh.Client("ovh-eu", "app-key", "app-secret", "consumer-key")
        client._time_delta = 0
        assert client.post("/me/contact", name="x") == {"ok": True}
    [(args, kwargs)] = request.call_args_list
    assert args == ("POST", "https://eu.api.ovh.com/1.0/me/contact")
    assert set(kwargs) == {"headers", "data", "timeout"} and kwargs["timeout"] == 180
    assert kwargs["data"] == '{"name":"x"}'
    assert kwargs["headers"]["X-Ovh-Application"] == "app-key"
    assert kwargs["headers"]["X-Ovh-Signature"].startswith("$1$")


def test_config_path_can_be_patched_as_python_ovh_users_do(tmp_path, monkeypatch) -> None:
    from ovhflow import ovh

    conf = tmp_path / "only.conf"
    conf.write_text("[default]\nendpoint=ovh-ca\n[ovh-ca]\napplication_key=k\napplication_secret=s\n")
    monkeypatch.setattr("ovhflow.ovh.config.CONFIG_PATH", [str(conf)])
    client = ovh.Client()
    assert client._endpoint == "https://ca.api.ovh.com/1.0" and client._application_key == "k"
