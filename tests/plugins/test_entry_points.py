"""ovhflow's entry-point scan finds what importlib.metadata finds, without importing it.

:mod:`ovhflow.plugin.entry_points` reads ``*.dist-info`` folders itself (start-up time); these tests hold
it to importlib.metadata's answers: on this environment (every group, so every installed file is read),
on distributions installed for the test (twice, in two folders; as an egg-info), and for what it leaves
to importlib.metadata (a zip file on ``sys.path``, a file importlib.metadata refuses).
"""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile
from pathlib import Path

import pytest

from ovhflow.errors import PluginError
from ovhflow.plugin import entry_points
from ovhflow.plugin.manager import DISABLE_ENV, load_plugins
from tests.plugins.test_plugin_manager import GOOD_PLUGIN, install_distribution, write_plugin


def expected(group: str) -> list[tuple[str, str, tuple[str, str]]]:
    return [
        (entry.name, entry.value, (dist.metadata["Name"], dist.metadata["Version"]))
        for dist in importlib.metadata.distributions()
        for entry in dist.entry_points
        if entry.group == group
    ]


def scanned(group: str) -> list[tuple[str, str, tuple[str, str]]]:
    return [(entry.name, entry.value, entry.about()) for entry in entry_points.find(group)]


def test_every_group_of_this_environment_reads_as_importlib_metadata_reads_it() -> None:
    groups = {entry.group for dist in importlib.metadata.distributions() for entry in dist.entry_points}
    assert {"ovhflow", "console_scripts"} <= groups
    for group in sorted(groups):
        assert scanned(group) == expected(group), group


@pytest.fixture
def sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    write_plugin(first, "acme_ovhflow", GOOD_PLUGIN)
    install_distribution(first, "acme-tools", "3.1.4", {"acme": "acme_ovhflow", "other": "acme_ovhflow:x"})
    install_distribution(second, "acme_tools", "2.0", {"acme": "acme_ovhflow"})  # an older copy, later
    egg = second / "legacy_tool.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: legacy-tool\nVersion: 0.9\n\nbody: x\n")
    (egg / "entry_points.txt").write_text(
        "# comment\n[console_scripts]\nx = y\n\n[ovhflow]\nlegacy=acme_ovhflow\n"
    )
    monkeypatch.syspath_prepend(str(second))
    monkeypatch.syspath_prepend(str(first))
    return first, second


def test_installed_distributions_are_found_in_path_order(
    sites: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = scanned("ovhflow")
    assert found == expected("ovhflow")
    names = [(name, about) for name, _, about in found]
    assert names[:4] == [
        ("acme", ("acme-tools", "3.1.4")),
        ("other", ("acme-tools", "3.1.4")),
        ("acme", ("acme_tools", "2.0")),
        ("legacy", ("legacy-tool", "0.9")),
    ]
    monkeypatch.setenv(DISABLE_ENV, "other,legacy")  # their modules are the same as acme's, or missing
    plugins = load_plugins()
    record = next(record for record in plugins.records if record.name == "acme")
    assert record.source == "entry point acme_ovhflow (acme-tools 3.1.4)"  # the first copy wins


def test_a_zip_on_sys_path_is_read_by_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zipped.writestr("zipped-1.0.dist-info/entry_points.txt", "[ovhflow]\nzipped = zipped_plugin\n")
    monkeypatch.syspath_prepend(str(archive))
    assert ("zipped", "zipped_plugin", ("zipped", "1.0")) in scanned("ovhflow")
    assert scanned("ovhflow") == expected("ovhflow")


def test_a_file_importlib_metadata_refuses_is_a_plugin_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_distribution(tmp_path, "broken-meta", "1.0", {"fine": "fine_module"})
    (tmp_path / "broken-meta-1.0.dist-info" / "entry_points.txt").write_text("[ovhflow]\nno equals sign\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises((ValueError, TypeError)):  # which one depends on the Python version
        expected("ovhflow")
    with pytest.raises(PluginError, match="^the installed entry points could not be read: "):
        load_plugins()


def test_another_finder_of_distributions_is_asked_through_importlib_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        @staticmethod
        def find_spec(*args: object) -> None:
            return None

        @staticmethod
        def find_distributions(context: object = None) -> list[importlib.metadata.Distribution]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    calls = []
    monkeypatch.setattr(entry_points, "_from_importlib_metadata", lambda group: calls.append(group) or [])
    assert entry_points.find("ovhflow") == [] and calls == ["ovhflow"]
