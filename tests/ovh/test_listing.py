"""Batch reads, expanded listings and v2 cursors against a scripted loopback server: what is sent, and
how each refusal falls back to plain calls."""

from __future__ import annotations

import json

import pytest

from ovhflow import ovh
from ovhflow.ovh.pagination_filter import matches, parse_filter, sort_objects
from tests.ovh.helpers import CREDENTIALS, SERVER_TIME, Captured, CaptureServer, Reply

SERVERS = {f"ns{n}": {"name": f"ns{n}", "dc": "sbg1" if n % 2 else "gra1", "n": n} for n in range(1, 8)}


class FakeApi:
    """``/srv`` listing and objects, with batch and expanded modes that can be switched off."""

    def __init__(self, server: CaptureServer, batch: str = "ok", expand: str = "ok") -> None:
        self.batch = batch  # ok | refuse400 | refuse404 | ignore | partial
        self.expand = expand  # ok | refuse400 | ignore | no-total
        server.responder = self.respond

    def respond(self, request: Captured) -> Reply:
        path = request.path.removeprefix("/1.0")
        if path == "/auth/time":
            return Reply(body=SERVER_TIME)
        if path == "/srv":
            return self._listing(request)
        key = path.removeprefix("/srv/")
        if request.header("X-Ovh-Batch") == ",":
            return self._batch(key.split(","))
        if key in SERVERS:
            return Reply(body=SERVERS[key])
        return Reply(status=404, body={"message": f"The requested object ({key}) does not exist"})

    def _batch(self, keys: list[str]) -> Reply:
        if self.batch.startswith("refuse"):
            return Reply(status=int(self.batch[-3:]), body={"message": "no batch here"})
        if self.batch == "ignore":
            return Reply(status=404, body={"message": "The requested object does not exist"})
        items = [
            {
                "key": k,
                "value": SERVERS.get(k),
                "error": None if k in SERVERS else "The requested object does not exist",
            }
            for k in keys
        ]
        if self.batch == "partial":
            items = items[1:]
        return Reply(body=list(reversed(items)))

    def _listing(self, request: Captured) -> Reply:
        ids = list(SERVERS)
        if request.header("X-Pagination-Mode") != "CachedObjectList-Pages" or self.expand == "ignore":
            return Reply(body=ids)
        if self.expand == "refuse400":
            return Reply(status=400, body={"message": "mode refused"})
        size, number = (
            int(request.header("X-Pagination-Size") or 0),
            int(request.header("X-Pagination-Number") or 0),
        )
        page = [SERVERS[i] for i in ids][(number - 1) * size : number * size]
        headers = {} if self.expand == "no-total" else {"X-Pagination-Elements": str(len(ids))}
        return Reply(body=page, headers=headers)


@pytest.fixture
def client(server: CaptureServer) -> ovh.Client:
    return ovh.Client(server.url, **CREDENTIALS)


def _api_requests(server: CaptureServer) -> list[Captured]:
    return [r for r in server.requests if not r.path.endswith("/auth/time")]


def test_get_batch_sends_chunks_with_the_batch_header_and_keeps_key_order(
    server: CaptureServer, client
) -> None:
    FakeApi(server)
    keys = ["ns3", "ns1", "nope", "ns7", "ns2"]
    result = client.get_batch("/srv/", keys, chunk_size=2)
    assert [r["key"] for r in result] == keys
    assert [r["value"] for r in result] == [SERVERS.get(k) for k in keys]
    assert result[2]["error"] == "The requested object does not exist"
    sent = _api_requests(server)
    assert [r.target for r in sent] == ["/1.0/srv/ns3,ns1", "/1.0/srv/nope,ns7", "/1.0/srv/ns2"]
    assert [r.header("X-Ovh-Batch") for r in sent] == [",", ",", None]  # a lone key is a plain GET
    assert all(r.header("X-Ovh-Signature") for r in sent)


@pytest.mark.parametrize("mode", ["refuse400", "refuse404", "ignore"])
def test_get_batch_falls_back_to_one_get_per_key_once_refused(
    server: CaptureServer, client, mode: str
) -> None:
    FakeApi(server, batch=mode)
    keys = ["ns1", "ns2", "missing", "ns4", "ns5"]
    result = client.get_batch("/srv", keys, chunk_size=2)
    assert [r["value"] for r in result] == [SERVERS.get(k) for k in keys]
    assert result[2]["error"] == "The requested object (missing) does not exist"
    batched = [r for r in _api_requests(server) if r.header("X-Ovh-Batch")]
    assert len(batched) == 1  # the refusal is remembered for the next chunks
    plain = [r.target for r in _api_requests(server) if not r.header("X-Ovh-Batch")]
    assert plain == [f"/1.0/srv/{k}" for k in keys]


def test_get_batch_fetches_keys_the_batch_answer_left_out(server: CaptureServer, client) -> None:
    FakeApi(server, batch="partial")
    result = client.get_batch("/srv", ["ns1", "ns2", "ns3"])
    assert [r["value"] for r in result] == [SERVERS["ns1"], SERVERS["ns2"], SERVERS["ns3"]]
    assert _api_requests(server)[-1].target == "/1.0/srv/ns1"


def test_get_batch_does_not_hide_credential_errors(server: CaptureServer, client) -> None:
    server.responder = lambda r: (
        Reply(body=SERVER_TIME) if r.path.endswith("/auth/time")
        else Reply(status=403, body={"errorCode": "INVALID_CREDENTIAL", "message": "bad key"})
    )  # fmt: skip
    with pytest.raises(ovh.InvalidCredential):
        client.get_batch("/srv", ["ns1", "ns2"])


def test_iter_expanded_pages_with_the_control_panel_headers(server: CaptureServer, client) -> None:
    FakeApi(server)
    objects = list(
        client.iter_expanded("/srv", page_size=3, filter="dc:eq=sbg1", sort="n", sort_order="desc")
    )
    assert objects == list(SERVERS.values())  # the fake ignores filter and sort: only the paging is checked
    sent = _api_requests(server)
    assert [r.header("X-Pagination-Number") for r in sent] == ["1", "2", "3"]
    first = sent[0]
    assert first.header("X-Pagination-Mode") == "CachedObjectList-Pages"
    assert (first.header("X-Pagination-Size"), first.header("X-Pagination-Filter")) == ("3", "dc:eq=sbg1")
    assert (first.header("X-Pagination-Sort"), first.header("X-Pagination-Sort-Order")) == ("n", "DESC")


def test_iter_expanded_without_a_total_stops_at_a_short_page(server: CaptureServer, client) -> None:
    FakeApi(server, expand="no-total")
    assert list(client.iter_expanded("/srv", page_size=4)) == list(SERVERS.values())
    assert len(_api_requests(server)) == 2


@pytest.mark.parametrize("mode", ["refuse400", "ignore"])
def test_iter_expanded_falls_back_and_filters_and_sorts_locally(
    server: CaptureServer, client, mode: str
) -> None:
    FakeApi(server, expand=mode)
    objects = list(
        client.iter_expanded("/srv", page_size=3, filter="dc:eq=sbg1", sort="n", sort_order="DESC")
    )
    assert [o["name"] for o in objects] == ["ns7", "ns5", "ns3", "ns1"]
    listing_calls = [r for r in _api_requests(server) if r.path == "/1.0/srv"]
    assert len(listing_calls) == (2 if mode == "refuse400" else 1)  # "ignore" answered the ids already
    list(client.iter_expanded("/srv"))
    assert len([r for r in _api_requests(server) if r.header("X-Pagination-Mode")]) == 1  # remembered


def test_iter_v2_follows_cursor_next_until_there_is_none(server: CaptureServer, client) -> None:
    pages = {None: ([1, 2], "c1"), "c1": ([3, 4], "c2"), "c2": ([5], None)}

    def respond(request: Captured) -> Reply:
        if request.path.endswith("/auth/time"):
            return Reply(body=SERVER_TIME)
        items, cursor = pages[request.header("X-Pagination-Cursor")]
        return Reply(body=items, headers={"X-Pagination-Cursor-Next": cursor} if cursor else {})

    server.responder = respond
    assert list(client.iter_v2("/v2/thing", page_size=2)) == [1, 2, 3, 4, 5]
    sent = _api_requests(server)
    assert [r.target for r in sent] == ["/v2/thing"] * 3
    assert [r.header("X-Pagination-Cursor") for r in sent] == [None, "c1", "c2"]
    assert {r.header("X-Pagination-Size") for r in sent} == {"2"}


def test_pagination_filter_operators() -> None:
    obj = {"name": "ns12.ip-1.eu", "n": 12, "ok": True, "spec": {"dc": "sbg1"}, "none": None}
    assert matches(obj, parse_filter("spec.dc:eq=sbg1&n:ge=12&n:lt=13&ok:eq=true"))
    assert matches(obj, parse_filter("name:like=ns%25.eu&name:ne=x&spec.dc:in=gra1,sbg1"))
    assert matches(obj, parse_filter("n:gt=9"))  # numbers compare as numbers, not text
    assert matches(obj, parse_filter("ok:eq=True&ok:in=true,false&n:eq=12.0&n:in=11,12"))
    assert not matches(obj, parse_filter("missing:eq=x")) and not matches(obj, parse_filter("none:eq=null"))
    assert matches(obj, parse_filter("missing:ne=x&none:ne=x"))
    assert not matches(obj, parse_filter("name:like=ip%25"))
    assert parse_filter("a:in=x%2Cy,z")[0].value == ("x,y", "z")
    with pytest.raises(ValueError, match="key:op=value"):
        parse_filter("name:contains=x")


def test_sort_objects_numbers_text_and_missing_last() -> None:
    objects = [{"n": 10}, {"n": 9}, {}, {"n": 100}]
    assert sort_objects(objects, "n") == [{"n": 9}, {"n": 10}, {"n": 100}, {}]
    assert sort_objects(objects, "n", "DESC") == [{"n": 100}, {"n": 10}, {"n": 9}, {}]


def test_bad_filter_fails_before_any_request(server: CaptureServer, client) -> None:
    with pytest.raises(ValueError):
        list(client.iter_expanded("/srv", filter="oops"))
    assert server.requests == []
    assert json.dumps(SERVERS)  # the fixture data is plain JSON
