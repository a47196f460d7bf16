"""Published schema documents served from a folder, with validators for conditional requests."""

from __future__ import annotations

import json

import pytest
import requests

from ovhflow.sandbox.api import ApiError
from ovhflow.sandbox.schemas import SchemaFolder
from tests.helpers import SCHEMAS_DIR


def test_schema_documents_and_root_listings(sandbox_factory, schema_subset) -> None:
    sb = sandbox_factory(servers=1, bills=1, schema_dir=schema_subset)
    server = requests.get(sb.url + "/dedicated/server.json", timeout=10)
    assert server.status_code == 200
    assert server.content == (SCHEMAS_DIR / "v1/dedicated/server.json").read_bytes()
    assert server.json()["resourcePath"] == "/dedicated/server"
    root = requests.get(sb.url + "/", timeout=10).json()
    assert root == json.loads((SCHEMAS_DIR / "v1/_index.json").read_text())
    assert requests.get(sb.root + "/v2/iam.json", timeout=10).json()["resourcePath"] == "/iam"
    assert requests.get(sb.root + "/v2/", timeout=10).json()["apis"]
    assert requests.get(sb.url + "/cloud.json", timeout=10).status_code == 404  # listed, not in the folder

    again = requests.get(sb.url + "/dedicated/server.json", headers={"If-None-Match": server.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = requests.get(sb.url + "/me.json", timeout=10).headers["Last-Modified"]
    assert requests.get(sb.url + "/me.json", headers={"If-Modified-Since": since}).status_code == 304


def test_no_schema_folder_means_not_found(sandbox) -> None:
    response = requests.get(sandbox.url + "/dedicated/server.json", timeout=10)
    assert response.status_code == 404 and response.json()["class"] == "Client::NotFound"


def test_documents_outside_the_folder_are_not_served() -> None:
    folder = SchemaFolder(SCHEMAS_DIR / "v2")
    with pytest.raises(ApiError) as refused:
        folder.reply("..", "/README.md", {})
    assert refused.value.status == 404
