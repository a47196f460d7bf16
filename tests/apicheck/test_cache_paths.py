"""Where the schema cache lives and how endpoint URLs map to schema URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovhflow.apicheck.cache import cache_root, cached_catalog, endpoint_folder, list_cached, version_bases
from ovhflow.errors import ConfigError


def test_cache_root_follows_xdg(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "ovhflow" / "schemas"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec says relative paths are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "ovhflow" / "schemas"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == tmp_path / "home" / ".cache" / "ovhflow" / "schemas"


def test_endpoint_folder_and_version_bases(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert endpoint_folder("https://eu.api.ovh.com/1.0") == cache_root() / "eu.api.ovh.com"
    assert endpoint_folder("http://127.0.0.1:8080/1.0").name == "127.0.0.1_8080"
    assert version_bases("https://eu.api.ovh.com/1.0") == {
        "v1": "https://eu.api.ovh.com/1.0",
        "v2": "https://eu.api.ovh.com/v2",
    }
    assert version_bases("http://127.0.0.1:9/v1/")["v2"] == "http://127.0.0.1:9/v2"
    with pytest.raises(ConfigError):
        endpoint_folder("not a url")


def test_nothing_cached(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert list_cached() == []
    assert cached_catalog("https://eu.api.ovh.com/1.0") is None
