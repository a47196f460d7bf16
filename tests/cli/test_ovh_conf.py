"""Saving a consumer key into ovh.conf (comments and other sections kept, mode 0600) and the warning
about ovh.conf files other users can read."""

from __future__ import annotations

import configparser
import os
from pathlib import Path

import pytest

from ovhflow.cli.ovh_conf import (
    save_consumer_key,
    updated_config_text,
    warn_about_readable_configs,
    warn_if_readable,
)
from ovhflow.errors import ConfigError

EXISTING = """\
# my OVH settings
[default]
; the endpoint we use
endpoint = ovh-eu

[ovh-eu]
application_key = AK1
# keep this comment
application_secret = AS1
consumer_key = OLDKEY
  continued-old-value

[ovh-ca]
application_key = AKCA
"""


def _parse(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return parser


def test_existing_key_is_replaced_and_everything_else_kept() -> None:
    text = updated_config_text(EXISTING, "ovh-eu", "NEWKEY123")
    parser = _parse(text)
    assert parser.get("ovh-eu", "consumer_key") == "NEWKEY123"
    assert parser.get("ovh-eu", "application_secret") == "AS1"
    assert parser.get("ovh-ca", "application_key") == "AKCA"
    assert parser.get("default", "endpoint") == "ovh-eu"
    for comment in ("# my OVH settings", "; the endpoint we use", "# keep this comment"):
        assert comment in text
    assert "OLDKEY" not in text and "continued-old-value" not in text
    assert text.replace("consumer_key = NEWKEY123\n", "") == EXISTING.replace(
        "consumer_key = OLDKEY\n  continued-old-value\n", ""
    )


def test_key_added_to_an_existing_section_without_one() -> None:
    text = updated_config_text(EXISTING, "ovh-ca", "CAKEY1234")
    parser = _parse(text)
    assert parser.get("ovh-ca", "consumer_key") == "CAKEY1234"
    assert parser.get("ovh-ca", "application_key") == "AKCA"
    assert parser.get("ovh-eu", "consumer_key").startswith("OLDKEY")
    assert parser.get("default", "endpoint") == "ovh-eu"  # an existing default endpoint is not changed


def test_new_section_and_default_endpoint_are_created() -> None:
    text = updated_config_text("# only a comment\n[other]\nx = 1", "http://127.0.0.1:9/1.0", "KEY12345")
    parser = _parse(text)
    assert parser.get("default", "endpoint") == "http://127.0.0.1:9/1.0"
    assert parser.get("http://127.0.0.1:9/1.0", "consumer_key") == "KEY12345"
    assert parser.get("other", "x") == "1"
    assert "# only a comment" in text
    assert (
        updated_config_text("", "ovh-eu", "KEY12345")
        == "[default]\nendpoint = ovh-eu\n\n[ovh-eu]\nconsumer_key = KEY12345\n"
    )


def test_saved_file_is_private_even_when_it_was_not(tmp_path: Path) -> None:
    path = tmp_path / "ovh.conf"
    path.write_text(EXISTING)
    path.chmod(0o644)
    assert save_consumer_key(path, "ovh-eu", "NEWKEY123") == path
    assert (path.stat().st_mode & 0o777) == 0o600
    assert _parse(path.read_text()).get("ovh-eu", "consumer_key") == "NEWKEY123"
    created = tmp_path / "new.conf"
    save_consumer_key(created, "ovh-eu", "NEWKEY123")
    assert (created.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.conf", "ovh.conf"]  # no temporary file left


def test_a_symlinked_conf_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles.conf"
    real.write_text(EXISTING)
    link = tmp_path / "ovh.conf"
    link.symlink_to(real)
    save_consumer_key(link, "ovh-eu", "NEWKEY123")
    assert link.is_symlink()
    assert "NEWKEY123" in real.read_text()


def test_invalid_ini_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "ovh.conf"
    path.write_text("endpoint = ovh-eu\n[ovh-eu\n")
    with pytest.raises(ConfigError, match="not a valid INI file") as caught:
        save_consumer_key(path, "ovh-eu", "NEWKEY123")
    assert "NEWKEY123" not in str(caught.value)
    assert path.read_text() == "endpoint = ovh-eu\n[ovh-eu\n"


def test_warning_for_readable_conf_holding_secrets(tmp_path: Path) -> None:
    path = tmp_path / "ovh.conf"
    path.write_text(EXISTING)
    path.chmod(0o644)
    said: list[str] = []
    assert warn_if_readable(path, said.append)
    (text,) = said
    assert "readable by other users (mode 0644)" in text and f"chmod 600 {path}" in text
    assert "AS1" not in text and "OLDKEY" not in text
    path.chmod(0o600)
    assert not warn_if_readable(path, said.append)
    endpoint_only = tmp_path / "etc.conf"
    endpoint_only.write_text("[default]\nendpoint = ovh-eu\n")
    endpoint_only.chmod(0o644)
    assert not warn_if_readable(endpoint_only, said.append)
    assert not warn_if_readable(tmp_path / "missing.conf", said.append)
    assert len(said) == 1


def test_warning_goes_to_stderr_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ovh.conf"
    path.write_text(EXISTING)
    path.chmod(0o604)
    assert warn_if_readable(path)
    assert capsys.readouterr().err.startswith(f"warning: {path} is readable by other users (mode 0604)")


def test_lookup_order_files_are_each_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    for path in (home / ".ovh.conf", work / "ovh.conf", tmp_path / "extra.conf"):
        path.write_text(EXISTING)
        os.chmod(path, 0o640)
    said: list[str] = []
    warn_about_readable_configs(tmp_path / "extra.conf", said.append)
    assert [text.split(" is readable")[0] for text in said] == [
        str(home / ".ovh.conf"),
        str(work / "ovh.conf"),
        str(tmp_path / "extra.conf"),
    ]
