"""The schema-driven sandbox answers every API of the shared schema corpus, and every answer fits its model.

For each v1 document: each GET without path parameters is called; where it lists items, the first item
is taken and every GET under it is called (deeper ``{param}`` segments take the first item of their own
listing). Each answer is checked strictly against the operation's response type. All over real HTTP,
through :mod:`ovhflow.ovh`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from ovhflow import ovh
from ovhflow.sandbox import Sandbox
from ovhflow.sandbox.identity import id_in
from tests.helpers import SCHEMAS_DIR
from tests.sandbox.response_models import ResponseCheck

V1 = SCHEMAS_DIR / "v1"
DOCUMENTS = sorted(p for p in V1.rglob("*.json") if p.name != "_index.json")


@pytest.fixture(scope="module")
def client() -> Any:
    with Sandbox(servers=2, bills=2, schema_dir=SCHEMAS_DIR) as sb:
        yield ovh.Client(**sb.credentials)


def get_operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Path template -> its GET operation."""
    found = {}
    for api in document.get("apis") or []:
        for operation in api.get("operations") or []:
            if operation.get("httpMethod") == "GET":
                found[api["path"].rstrip("/") or "/"] = operation
    return found


def fill(template: str, firsts: dict[str, Any]) -> str | None:
    """The template with each ``{param}`` replaced by the first item of the listing above it."""
    segments = template.strip("/").split("/")
    out = []
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            prefix = "/" + "/".join(segments[: index + 1])
            if prefix not in firsts:
                return None
            out.append(quote(str(firsts[prefix]), safe=""))
        else:
            out.append(segment)
    return "/" + "/".join(out)


def walk_document(client: Any, document: dict[str, Any]) -> tuple[int, list[str], set[str]]:
    """Call the document's GETs as described above; return (calls, problems, undefined types)."""
    check = ResponseCheck(document.get("models") or {})
    gets = get_operations(document)
    firsts: dict[str, Any] = {}
    problems: list[str] = []
    calls = 0
    roots = [t for t in gets if "{" not in t]
    ordered = roots + sorted((t for t in gets if "{" in t), key=lambda t: (t.count("/"), t))
    for template in ordered:
        path = fill(template, firsts)
        if path is None:
            continue
        try:
            answer = client.get(path)
        except ovh.APIError as error:
            problems.append(f"GET {path}: {error}")
            continue
        calls += 1
        operation = gets[template]
        problems += [f"GET {path}: {p}" for p in check.problems(answer, operation["responseType"], "answer")]
        item = next(
            (t for t in gets if t.startswith(template + "/{") and t.count("/") == template.count("/") + 1),
            None,
        )
        if item is not None and isinstance(answer, list) and answer:
            segments = item.strip("/").split("/")
            first = id_in(answer[0], segments[-1][1:-1], segments[-2] if len(segments) > 1 else "")
            if first is not None:  # objects without an id field (MarketPlace.Partner) cannot be followed
                firsts[item] = first
    return calls, problems, check.undefined


def test_every_api_answers_every_get_with_its_model(client: Any) -> None:
    total = 0
    problems: list[str] = []
    walked = 0
    for file in DOCUMENTS:
        document = json.loads(file.read_text(encoding="utf-8"))
        if not any("{" not in template for template in get_operations(document)):
            continue  # nothing to list without a parameter (cloudDB has no operations, distribution/image)
        calls, found, _ = walk_document(client, document)
        assert calls, f"{file.relative_to(V1)}: no GET answered"
        walked += 1
        total += calls
        problems += found
    assert walked >= 66, walked
    assert total > 2500, total
    assert problems == [], f"{len(problems)} problems, first: {problems[:20]}"


def test_the_walk_would_see_a_wrong_answer() -> None:
    """The strict check itself: a missing field, a bad enum, a bad address and a bad date are caught."""
    document = json.loads((V1 / "vps.json").read_text(encoding="utf-8"))
    check = ResponseCheck(document["models"])
    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR) as sb:
        client = ovh.Client(**sb.credentials)
        name = client.get("/vps")[0]
        answer = client.get(f"/vps/{name}/serviceInfos")
        assert check.problems(answer, "services.Service") == []
    assert check.problems({**answer, "status": "fine"}, "services.Service")
    assert check.problems({k: v for k, v in answer.items() if k != "expiration"}, "services.Service")
    assert check.problems({**answer, "expiration": "soon"}, "services.Service")
    assert check.problems(["300.1.2.3"], "ipv4[]") and check.problems(["1.2.3.4/33"], "ipBlock[]")
    assert Path(V1 / "vps.json").is_file()
