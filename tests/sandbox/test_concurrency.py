"""Many clients at once: every write lands exactly once and the journal holds every request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.sandbox.helpers import SignedSession


def test_parallel_writes_and_reads_stay_consistent(sandbox) -> None:
    before = set(sandbox.state["zones"]["example.com"]["records"])
    names = list(sandbox.state["servers"])

    def work(index: int) -> tuple[int, str]:
        session = SignedSession(sandbox.credentials)
        record = session.ok(
            "POST",
            "/domain/zone/example.com/record",
            {"fieldType": "A", "subDomain": f"h{index}", "target": "1.2.3.4"},
        )
        status = ["active", "inactive"][index % 2]
        session.ok("PUT", f"/dedicated/server/{names[index % len(names)]}/burst", {"status": status})
        session.ok("GET", "/dedicated/server/" + names[index % len(names)])
        session.http.close()
        return record["id"], record["subDomain"]

    with ThreadPoolExecutor(16) as pool:
        created = list(pool.map(work, range(48)))
    assert len({record_id for record_id, _ in created}) == 48
    records = sandbox.state["zones"]["example.com"]["records"]
    assert set(records) - before == {str(record_id) for record_id, _ in created}
    assert sorted(sub for _, sub in created) == sorted(f"h{i}" for i in range(48))
    assert len(sandbox.journal) == 48 * 3 and len(sandbox.writes()) == 48 * 2
    assert {e["status"] for e in sandbox.journal} == {200}
