"""The client over real HTTP against the sandbox on 127.0.0.1: python-ovh scripts run unchanged,
faults are retried as promised, and batch reads / expanded listings give the same results whether the
API supports them or the client falls back to plain calls."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ovhflow import ovh
from ovhflow.ovh.retries import retry_policy
from tests.helpers import REPO_ROOT

FAST_RETRIES = retry_policy(6, backoff_factor=0)

# The manual's examples, only `import ovh` changed to `from ovhflow import ovh` (and the missing comma of
# the mail redirection example added: as printed it is a syntax error).
WELCOME = """
from ovhflow import ovh

client = ovh.Client(
    endpoint=ENDPOINT,
    application_key=APPLICATION_KEY,
    application_secret=APPLICATION_SECRET,
    consumer_key=CONSUMER_KEY,
)

# Print nice welcome message
print("Welcome", client.get('/me')['firstname'])
"""

BILLS = """
from ovhflow import ovh

# create a client without a consumerKey
client = ovh.Client()

# Grab bill list
bills = client.get('/me/bill')
for bill in bills:
    details = client.get('/me/bill/%s' % bill)
    print("%12s (%s): %10s --> %s" % (
        bill,
        details['date'],
        details['priceWithTax']['text'],
        details['pdfUrl'],
    ))
"""

BURST = """
from ovhflow import ovh

# create a client
client = ovh.Client()

# get list of all server names
servers = client.get('/dedicated/server/')

# find all servers in SBG-1 datacenter
for server in servers:
    details = client.get('/dedicated/server/%s' % server)
    if details['datacenter'] == 'sbg1':
        # enable burst on server
        client.put('/dedicated/server/%s/burst' % server, status='active')
        print("Enabled burst for %s server located in SBG-1" % server)
"""

MAIL = """
from ovhflow import ovh

DOMAIN = "example.com"
SOURCE = "sales@example.com"
DESTINATION = "contact@example.com"

# create a client
client = ovh.Client()

# Create a new alias
client.post('/email/domain/%s/redirection' % DOMAIN,
        _from=SOURCE,
        to=DESTINATION,
        localCopy=False
    )
print("Installed new mail redirection from %s to %s" % (SOURCE, DESTINATION))
"""

CREDENTIALS_LIST = """
from ovhflow import ovh
from tabulate import tabulate

# create a client
client = ovh.Client()

credentials = client.get('/me/api/credential', status='validated')

# pretty print credentials status
table = []
for credential_id in credentials:
    credential_method = '/me/api/credential/'+str(credential_id)
    credential = client.get(credential_method)
    application = client.get(credential_method+'/application')

    table.append([
        credential_id,
        '[%s] %s' % (application['status'], application['name']),
        application['description'],
        credential['creation'],
        credential['expiration'],
        credential['lastUse'],
    ])
print(tabulate(table, headers=['ID', 'App Name', 'Description',
                               'Token Creation', 'Token Expiration', 'Token Last Use']))
"""

# The example pretty-prints with the third-party `tabulate`, which is not a dependency here: a minimal
# stand-in keeps the script itself unchanged.
TABULATE_STANDIN = """
def tabulate(rows, headers=()):
    return "\\n".join(" | ".join(str(cell) for cell in row) for row in [list(headers), *rows])
"""


def _run_script(tmp_path: Path, sandbox: Any, source: str, prelude: str = "") -> str:
    script = tmp_path / "example.py"
    script.write_text(prelude + textwrap.dedent(source))
    (tmp_path / "tabulate.py").write_text(TABULATE_STANDIN)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env.update(sandbox.env())
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(tmp_path)])
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_welcome_example(tmp_path: Path, sandbox: Any) -> None:
    creds = sandbox.credentials
    prelude = "".join(
        f"{name.upper()} = {creds[name]!r}\n"
        for name in ("endpoint", "application_key", "application_secret", "consumer_key")
    )
    assert _run_script(tmp_path, sandbox, WELCOME, prelude) == "Welcome Alice\n"


def test_bill_list_example(tmp_path: Path, sandbox: Any) -> None:
    lines = _run_script(tmp_path, sandbox, BILLS).splitlines()
    bill_ids = ovh.Client(**sandbox.credentials).get("/me/bill")
    assert len(lines) == len(bill_ids) == 6
    assert all(bill_id in line and "-->" in line for bill_id, line in zip(bill_ids, lines, strict=True))


def test_burst_in_sbg1_example(tmp_path: Path, sandbox: Any) -> None:
    client = ovh.Client(**sandbox.credentials)
    names = client.get("/dedicated/server")
    in_sbg1 = [n for n in names if client.get(f"/dedicated/server/{n}")["datacenter"] == "sbg1"]
    output = _run_script(tmp_path, sandbox, BURST)
    assert output.splitlines() == [f"Enabled burst for {n} server located in SBG-1" for n in in_sbg1]
    assert all(client.get(f"/dedicated/server/{n}/burst")["status"] == "active" for n in in_sbg1)
    puts = [e for e in sandbox.journal if e["method"] == "PUT"]
    assert [e["body"] for e in puts] == [{"status": "active"}] * len(in_sbg1)


def test_mail_redirection_example_sends_from(tmp_path: Path, sandbox: Any) -> None:
    output = _run_script(tmp_path, sandbox, MAIL)
    assert output == "Installed new mail redirection from sales@example.com to contact@example.com\n"
    posted = [e for e in sandbox.journal if e["method"] == "POST"]
    assert [e["body"] for e in posted] == [
        {"from": "sales@example.com", "to": "contact@example.com", "localCopy": False}
    ]
    client = ovh.Client(**sandbox.credentials)
    created = client.get(
        "/email/domain/example.com/redirection", _from="sales@example.com", to="contact@example.com"
    )
    assert len(created) == 1
    assert client.get(f"/email/domain/example.com/redirection/{created[0]}")["to"] == "contact@example.com"


def test_credentials_listing_example(tmp_path: Path, sandbox: Any) -> None:
    lines = _run_script(tmp_path, sandbox, CREDENTIALS_LIST).splitlines()
    validated = ovh.Client(**sandbox.credentials).get("/me/api/credential", status="validated")
    assert lines[0].startswith("ID | App Name")
    assert len(lines) == 1 + len(validated) and validated
    listing = [e for e in sandbox.journal if e["path"] == "/me/api/credential"]
    assert listing[0]["query"] == {"status": "validated"}


def test_signed_calls_work_despite_a_skewed_server_clock(sandbox_factory: Any) -> None:
    skewed = sandbox_factory(servers=2, bills=1, clock_skew=-3600)
    client = ovh.Client(**skewed.credentials)
    assert client.get("/me")["firstname"] == "Alice"
    assert -3610 < client.time_delta < -3590


def test_server_errors_and_drops_are_retried_for_reads(sandbox_factory: Any) -> None:
    faulty = sandbox_factory(servers=12, bills=1, error_rate=0.3, drop_rate=0.1, seed=3)
    client = ovh.Client(**faulty.credentials, retries=FAST_RETRIES)
    names = client.get("/dedicated/server")
    details = [client.get(f"/dedicated/server/{n}") for n in names]
    assert [d["name"] for d in details] == names
    statuses = [e["status"] for e in faulty.journal if e["path"].startswith("/dedicated/server")]
    assert any(s is not None and s >= 500 for s in statuses) or any(e.get("dropped") for e in faulty.journal)
    assert len(statuses) > len(names) + 1  # some calls needed more than one attempt


def test_post_is_sent_once_even_when_it_fails(sandbox_factory: Any) -> None:
    faulty = sandbox_factory(servers=12, bills=1, error_rate=0.5, seed=5)
    client = ovh.Client(**faulty.credentials, retries=FAST_RETRIES)
    names = ovh.Client(**faulty.credentials, retries=FAST_RETRIES).get("/dedicated/server")
    failures = 0
    for name in names:
        try:
            client.post(f"/dedicated/server/{name}/reboot")
        except ovh.APIError:
            failures += 1
    posts = [e for e in faulty.journal if e["method"] == "POST"]
    assert len(posts) == len(names)
    assert failures == sum(1 for e in posts if e["status"] >= 500) > 0


def test_429_is_retried_after_the_servers_retry_after(sandbox_factory: Any) -> None:
    limited = sandbox_factory(servers=2, bills=1, rate_limit=5)
    client = ovh.Client(**limited.credentials, retries=retry_policy(5, backoff_factor=0))
    results = [client.get("/me")["firstname"] for _ in range(10)]
    assert results == ["Alice"] * 10
    assert any(e["status"] == 429 for e in limited.journal)


def test_client_rate_limit_keeps_under_the_servers_limit(sandbox_factory: Any) -> None:
    limited = sandbox_factory(servers=2, bills=1, rate_limit=20)
    client = ovh.Client(**limited.credentials, rate_limit=10, retries=False)
    assert [client.get("/me")["firstname"] for _ in range(12)] == ["Alice"] * 12
    assert all(e["status"] != 429 for e in limited.journal)


@pytest.mark.parametrize("chunk_size", [5, 50])
def test_get_batch_gives_the_same_results_with_and_without_api_support(
    sandbox_factory: Any, chunk_size: int
) -> None:
    results = {}
    for supported in (True, False):
        sb = sandbox_factory(servers=12, bills=1, batch=supported)
        client = ovh.Client(**sb.credentials)
        keys = [*client.get("/dedicated/server"), "no-such-server.example"]
        results[supported] = client.get_batch("/dedicated/server", keys, chunk_size=chunk_size)
        batch_calls = [e for e in sb.journal if e["headers"].get("X-Ovh-Batch") == ","]
        if supported:
            assert len(batch_calls) == -(-len(keys) // chunk_size)
            assert all(e["status"] == 200 for e in batch_calls)
        else:
            assert len(batch_calls) == 1 and batch_calls[0]["status"] == 400  # refused once, not per chunk
    assert results[True] == results[False]
    assert [r["key"] for r in results[True]] == keys
    missing = results[True][-1]
    assert missing["value"] is None and "does not exist" in missing["error"]
    assert all(r["error"] is None and r["value"]["name"] == r["key"] for r in results[True][:-1])


def test_get_batch_fetches_chunks_concurrently_in_key_order(sandbox_factory: Any) -> None:
    sequential = {}
    for supported in (True, False):
        sb = sandbox_factory(servers=23, bills=1, batch=supported, latency=0.01)
        client = ovh.Client(**sb.credentials)
        keys = [*client.get("/dedicated/server"), "no-such-server.example"]
        sequential[supported] = client.get_batch("/dedicated/server", keys, chunk_size=5)
        concurrent = client.get_batch("/dedicated/server", keys, chunk_size=5, concurrency=4)
        assert concurrent == sequential[supported]
        assert [r["key"] for r in concurrent] == keys
    assert sequential[True] == sequential[False]


@pytest.mark.parametrize(
    ("filter_", "sort", "order"),
    [
        (None, None, None),
        ("datacenter:eq=sbg1", None, None),
        ("datacenter:in=sbg1,gra1", "name", "DESC"),
        ("name:like=%25ns%25&state:eq=ok", "name", "ASC"),
        ("monitoring:eq=True&linkSpeed:gt=500&noSuchField:ne=x", "datacenter", "DESC"),
    ],
)
def test_iter_expanded_gives_the_same_results_with_and_without_api_support(
    sandbox_factory: Any, filter_: str | None, sort: str | None, order: str | None
) -> None:
    results = {}
    for supported in (True, False):
        sb = sandbox_factory(servers=12, bills=1, expand=supported)
        client = ovh.Client(**sb.credentials)
        results[supported] = list(
            client.iter_expanded(
                "/dedicated/server", page_size=5, filter=filter_, sort=sort, sort_order=order
            )
        )
        listing_calls = [e for e in sb.journal if e["path"] == "/dedicated/server"]
        if supported:
            assert all(e["headers"]["X-Pagination-Mode"] == "CachedObjectList-Pages" for e in listing_calls)
            assert len(sb.journal) <= 1 + 3  # /auth/time + at most 3 pages of 5, instead of 1 + 12
    assert results[True] == results[False]
    if sort:
        keys = [obj[sort] for obj in results[True]]
        assert keys == sorted(keys, reverse=order == "DESC")
    if filter_ is None:
        assert len(results[True]) == 12


def test_iter_v2_follows_the_cursor(sandbox: Any) -> None:
    client = ovh.Client(**sandbox.credentials)
    everything = client.get("/v2/iam/resource")
    paged = list(client.iter_v2("/v2/iam/resource", page_size=3))
    assert paged == everything and len(everything) > 3
    calls = [e for e in sandbox.journal if e["path"] == "/v2/iam/resource"]
    assert len(calls) == 1 + -(-len(everything) // 3)
    assert all(e["headers"].get("X-Pagination-Cursor") for e in calls[2:])


def test_one_client_from_a_thread_pool(sandbox: Any) -> None:
    client = ovh.Client(**sandbox.credentials, pool_size=8)
    names = client.get("/dedicated/server")
    sequential = [client.get(f"/dedicated/server/{n}") for n in names]
    fresh = ovh.Client(**sandbox.credentials, pool_size=8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda n: fresh.get(f"/dedicated/server/{n}"), names * 4))
    assert parallel == sequential * 4
    assert sum(1 for e in sandbox.journal if e["path"] == "/auth/time") == 2  # one per client
    assert all(e["status"] == 200 for e in sandbox.journal)
