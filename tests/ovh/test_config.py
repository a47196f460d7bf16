"""Where settings come from: constructor, then OVH_* environment, then INI files (later files winning)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovhflow import ovh
from ovhflow.ovh import config
from ovhflow.ovh.config import ENDPOINTS, load_settings


def _write(path: Path, endpoint: str, **keys: str) -> Path:
    lines = ["[default]", f"endpoint={endpoint}", f"[{endpoint}]", *(f"{k}={v}" for k, v in keys.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def fake_etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand in for /etc/ovh.conf (not writable in tests) while keeping ~ and ./ lookups real."""
    etc = tmp_path / "etc-ovh.conf"
    real = config.config_paths
    monkeypatch.setattr(config, "config_paths", lambda: [str(etc), *real()[1:]])
    return etc


def test_config_paths_are_etc_then_home_then_cwd_computed_at_lookup_time(tmp_path: Path) -> None:
    assert config.config_paths() == [
        "/etc/ovh.conf",
        os.path.join(os.environ["HOME"], ".ovh.conf"),
        os.path.join(os.getcwd(), "ovh.conf"),
    ]


def test_later_files_win_and_config_file_wins_over_all(fake_etc: Path, tmp_path: Path) -> None:
    _write(fake_etc, "ovh-eu", application_key="etc-ak", application_secret="etc-as", consumer_key="etc-ck")
    _write(Path.home() / ".ovh.conf", "ovh-eu", application_key="home-ak", application_secret="home-as")
    _write(Path("ovh.conf"), "ovh-eu", application_key="cwd-ak")
    settings = load_settings()
    assert (settings.application_key, settings.application_secret, settings.consumer_key) == (
        "cwd-ak",
        "home-as",
        "etc-ck",
    )
    extra = _write(tmp_path / "extra.conf", "ovh-eu", application_key="extra-ak")
    assert load_settings(config_file=str(extra)).application_key == "extra-ak"


def test_environment_beats_files_and_constructor_beats_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _write(Path("ovh.conf"), "ovh-eu", application_key="file-ak", application_secret="file-as")
    monkeypatch.setenv("OVH_APPLICATION_KEY", "env-ak")
    monkeypatch.setenv("OVH_CONSUMER_KEY", "env-ck")
    assert load_settings().application_key == "env-ak"
    assert load_settings().consumer_key == "env-ck"
    assert load_settings(application_key="arg-ak").application_key == "arg-ak"


def test_endpoint_from_env_selects_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("ovh.conf").write_text(
        "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=eu\napplication_secret=s\n"
        "[ovh-ca]\napplication_key=ca\napplication_secret=s\n"
    )
    assert load_settings().base_url == ENDPOINTS["ovh-eu"]
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")
    settings = load_settings()
    assert (settings.base_url, settings.application_key) == ("https://ca.api.ovh.com/1.0", "ca")


def test_a_url_endpoint_is_accepted_and_its_keys_come_from_the_section_named_after_it() -> None:
    url = "http://127.0.0.1:8080/1.0/"
    Path("ovh.conf").write_text(
        f"[default]\nendpoint={url}\n[{url}]\napplication_key=k\napplication_secret=s\n"
    )
    settings = load_settings()
    assert (settings.base_url, settings.application_key) == ("http://127.0.0.1:8080/1.0", "k")


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_every_named_endpoint_resolves(name: str) -> None:
    client = ovh.Client(name, "ak", "as")
    assert client.base_url == ENDPOINTS[name]
    assert ENDPOINTS["kimsufi-ca"] == "https://ca.api.kimsufi.com/1.0"


def test_unknown_endpoint_raises_invalid_region_naming_the_valid_ones() -> None:
    with pytest.raises(ovh.InvalidRegion) as caught:
        ovh.Client("ovh-mars", "ak", "as")
    assert "ovh-mars" in str(caught.value)
    assert all(name in str(caught.value) for name in ENDPOINTS)


def test_missing_endpoint_says_where_it_was_looked_for() -> None:
    with pytest.raises(ovh.InvalidRegion) as caught:
        ovh.Client(application_key="ak", application_secret="as")
    assert "OVH_ENDPOINT" in str(caught.value)
    assert str(Path.home() / ".ovh.conf") in str(caught.value)


def test_missing_credentials_say_what_is_missing_and_where_they_were_looked_for() -> None:
    with pytest.raises(ovh.InvalidConfiguration) as caught:
        ovh.Client("ovh-eu")
    text = caught.value.explained  # python-ovh's message, then where ovhflow looked
    assert text.startswith("Missing authentication information, you need to provide at least an ")
    for expected in ("application_key", "application_secret", "OVH_APPLICATION_KEY", "[ovh-eu]", "client_id"):
        assert expected in text
    assert "/etc/ovh.conf" in text


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"application_key": "ak"}, "application_secret is missing"),
        ({"application_secret": "topsecret-as"}, "application_key is missing"),
        ({"client_id": "cid"}, "client_secret is missing"),
        ({"client_secret": "topsecret-cs"}, "client_id is missing"),
    ],
)
def test_half_given_credentials_are_an_invalid_configuration(kwargs: dict[str, str], missing: str) -> None:
    with pytest.raises(ovh.InvalidConfiguration) as caught:
        ovh.Client("ovh-eu", **kwargs)
    assert missing in caught.value.explained
    assert "topsecret" not in caught.value.explained


def test_both_kinds_of_credentials_at_once_are_refused() -> None:
    with pytest.raises(ovh.InvalidConfiguration, match="Can't use both"):
        ovh.Client("ovh-eu", "ak", "as", client_id="cid", client_secret="cs")


def test_oauth2_is_refused_on_endpoints_without_a_token_url() -> None:
    with pytest.raises(ovh.InvalidConfiguration, match="OAuth2"):
        ovh.Client("kimsufi-eu", client_id="cid", client_secret="cs")


def test_a_consumer_key_is_not_needed_to_construct_a_client() -> None:
    client = ovh.Client("ovh-eu", "ak", "as")
    assert client._consumer_key is None


def test_oauth2_token_urls_per_endpoint() -> None:
    assert load_settings("ovh-eu", client_id="i", client_secret="s").oauth2_token_url == (
        "https://www.ovh.com/auth/oauth2/token"
    )
    assert load_settings("ovh-ca", client_id="i", client_secret="s").oauth2_token_url == (
        "https://ca.ovh.com/auth/oauth2/token"
    )
    assert load_settings("ovh-us", client_id="i", client_secret="s").oauth2_token_url == (
        "https://us.ovhcloud.com/auth/oauth2/token"
    )


def test_settings_repr_hides_secrets() -> None:
    settings = load_settings("ovh-eu", "ak", "secret-as-value", "secret-ck-value")
    assert "secret-as-value" not in repr(settings)
    assert "secret-ck-value" not in repr(settings)
