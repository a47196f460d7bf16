"""``ovhflow schemas pull|list`` end to end: the real CLI pulling from the sandbox over loopback HTTP."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from ovhflow.apicheck.cache import cached_catalog
from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import SCHEMA_SUBSET, SCHEMAS_DIR, run_ovhflow

# The sandbox serves a subset, so that some APIs of the root listings are "not published".
DOCUMENTS = sorted(d for d in SCHEMA_SUBSET if not d.endswith("_index.json"))


@pytest.fixture
def sandbox(schema_subset: Path):
    with Sandbox(servers=2, bills=2, schema_dir=schema_subset) as sb:
        yield sb


def schema_requests(sb: Sandbox) -> list[tuple[str, int]]:
    return [(e["path"], e["status"]) for e in sb.journal if e["path"].endswith((".json", "/"))]


def test_pull_downloads_then_revalidates(sandbox: Sandbox, tmp_path: Path, monkeypatch) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env)
    assert first.returncode == 0, first.stderr
    listed = len(json.loads((SCHEMAS_DIR / "v1/_index.json").read_text())["apis"]) + len(
        json.loads((SCHEMAS_DIR / "v2/_index.json").read_text())["apis"]
    )
    counts = f"{len(DOCUMENTS) + 2} downloaded, 0 unchanged, {listed - len(DOCUMENTS)} not published"
    assert counts in first.stdout
    folder = tmp_path / "ovhflow" / "schemas" / f"127.0.0.1_{sandbox.port}"
    for relative in [*DOCUMENTS, "v1/_index.json", "v2/_index.json"]:
        assert (folder / relative).read_bytes() == (SCHEMAS_DIR / relative).read_bytes()
    meta = json.loads((folder / ".meta.json").read_text())
    assert meta["endpoint"] == sandbox.url
    assert meta["documents"]["v1/me.json"]["etag"] and meta["documents"]["v1/me.json"]["last_modified"]
    assert {status for _, status in schema_requests(sandbox)} == {200, 404}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    catalog = cached_catalog(sandbox.url)
    assert catalog is not None and catalog.operation("/dedicated/server/{serviceName}/burst", "PUT")
    assert "/cloud" in catalog.listed_apis

    del sandbox.journal[:]
    second = invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env)
    assert second.returncode == 0, second.stderr
    assert f"0 downloaded, {len(DOCUMENTS) + 2} unchanged" in second.stdout
    found = schema_requests(sandbox)
    assert sorted(path for path, status in found if status == 304) == sorted(
        ["/", "/v2/"] + ["/" + d[3:] if d.startswith("v1/") else "/" + d for d in DOCUMENTS]
    )
    assert all(status in (304, 404) for _, status in found)


def test_a_lost_document_is_downloaded_again(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env).returncode == 0
    folder = tmp_path / "ovhflow" / "schemas" / f"127.0.0.1_{sandbox.port}"
    (folder / "v1" / "ip.json").unlink()
    again = invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env)
    assert f"1 downloaded, {len(DOCUMENTS) + 1} unchanged" in again.stdout
    assert (folder / "v1" / "ip.json").is_file()


def test_list_shows_what_is_cached(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    empty = invoke_ovhflow("schemas", "list", env=env)
    assert empty.returncode == 0 and "no schemas cached" in empty.stdout
    assert invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env).returncode == 0
    listing = invoke_ovhflow("schemas", "list", env=env)
    assert listing.returncode == 0
    line = listing.stdout.strip()
    assert line.startswith(f"{sandbox.url}\t{len(DOCUMENTS)} documents\tpulled 20")


def test_bad_endpoints_are_one_clear_message(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    unknown = invoke_ovhflow("schemas", "pull", "--endpoint", "ovh-mars", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: unknown endpoint 'ovh-mars'")
    assert "Traceback" not in unknown.stderr
    with Sandbox(servers=1, bills=1) as no_schemas:  # serves no schema documents: every one is a 404
        refused = invoke_ovhflow("schemas", "pull", "--endpoint", no_schemas.url, env=env)
    assert refused.returncode == 3
    assert "could not download the API schema listing" in refused.stderr and "Traceback" not in refused.stderr


def write_schema_folder(root: Path, listing: list[str], documents: dict[str, str]) -> Path:
    (root / "v1").mkdir(parents=True)
    apis = [{"path": path, "schema": "{path}.{format}"} for path in listing]
    (root / "v1" / "_index.json").write_text(json.dumps({"apis": apis, "basePath": "x/1.0"}))
    for relative, text in documents.items():
        (root / "v1" / relative).write_text(text)
    return root


def test_listing_paths_cannot_escape_the_cache(tmp_path: Path) -> None:
    document = json.dumps({"apis": [], "models": {}, "resourcePath": "/good"})
    served = write_schema_folder(
        tmp_path / "served", ["/../../evil", "/ok/../../x", "/good", "//x"], {"good.json": document}
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with Sandbox(servers=1, bills=1, schema_dir=served) as sb:
        done = invoke_ovhflow("schemas", "pull", "--endpoint", sb.url, env=env)
        requested = sorted(e["path"] for e in sb.journal)
    assert done.returncode == 0, done.stderr
    assert "/good.json" in requested and not any("evil" in p or "x.json" in p for p in requested)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert [p for p in written if not p.startswith("served/")] == [
        f"cache/ovhflow/schemas/127.0.0.1_{sb.port}/.meta.json",
        f"cache/ovhflow/schemas/127.0.0.1_{sb.port}/v1/_index.json",
        f"cache/ovhflow/schemas/127.0.0.1_{sb.port}/v1/good.json",
    ]


def test_documents_that_fail_are_named_and_exit_1(tmp_path: Path) -> None:
    good = json.dumps({"apis": [], "models": {}, "resourcePath": "/good"})
    served = write_schema_folder(
        tmp_path / "served", ["/good", "/broken"], {"good.json": good, "broken.json": "<html>oops"}
    )
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with Sandbox(servers=1, bills=1, schema_dir=served) as sb:
        done = invoke_ovhflow("schemas", "pull", "--endpoint", sb.url, env=env)
    assert done.returncode == 1
    assert done.stderr == "error: could not download v1/broken.json: not JSON\n"
    assert "2 downloaded" in done.stdout  # the listing and good.json


def test_a_failing_endpoint_is_retried_then_reported(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR, error_rate=1.0) as sb:
        # a subprocess: the retry lines reach stderr through the logging set-up of a process that has none
        # (in pytest's process its log capture would take them)
        done = run_ovhflow("schemas", "pull", "--endpoint", sb.url, env=env)
        listing_tries = [e for e in sb.journal if e["path"] == "/"]
    assert done.returncode == 3
    *retries, last = done.stderr.splitlines()
    assert last.startswith(f"error: could not download the API schema listing from {sb.url}/ (")
    assert "v1/_index.json: HTTP 5" in last and "Traceback" not in done.stderr
    assert len(listing_tries) == 3
    # each retry is said as it happens (the client's retry lines), one per listing and attempt left
    assert sum("/1.0/ on " in line and "trying again" in line for line in retries) == 2


def test_a_damaged_cached_listing_is_fetched_again(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env).returncode == 0
    listing = tmp_path / "ovhflow" / "schemas" / f"127.0.0.1_{sandbox.port}" / "v1" / "_index.json"
    listing.write_text("{damaged")
    damaged = invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env)
    assert damaged.returncode == 1  # the v1 listing was unchanged (304) but its copy is unreadable
    assert "v1/_index.json: cached copy is not JSON" in damaged.stderr and "Traceback" not in damaged.stderr
    repaired = invoke_ovhflow("schemas", "pull", "--endpoint", sandbox.url, env=env)
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(listing.read_text())["apis"]


def test_a_rate_limited_pull_waits_as_retry_after_asks(tmp_path: Path) -> None:
    good = json.dumps({"apis": [], "models": {}, "resourcePath": "/good"})
    served = write_schema_folder(tmp_path / "served", ["/good"], {"good.json": good})
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with Sandbox(servers=1, bills=1, schema_dir=served, rate_limit=1) as sb:  # one request a second
        done = invoke_ovhflow("schemas", "pull", "--endpoint", sb.url, env=env)
        answers = [(e["path"], e["status"]) for e in sb.journal]
    assert done.returncode == 0, done.stderr
    assert "2 downloaded, 0 unchanged, 1 not published, 0 failed"  # no v2 listing in done.stdout
    assert 429 in {status for _, status in answers}, answers  # the limit was hit, yet nothing failed
    # The first retry has no backoff of its own: only waiting out Retry-After keeps it from a second 429.
    for (path, status), (next_path, next_status) in pairwise(answers):
        if status == 429 and next_path == path:
            assert next_status != 429, answers
