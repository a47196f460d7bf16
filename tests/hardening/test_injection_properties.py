"""Property test over the wire: any text rendered into a path segment or a query value arrives at the
API as exactly that text, inside that one segment or parameter, and the request's signature holds.

In-process (templating, the real client, the sandbox over loopback HTTP) so hypothesis can try many
values; tests/hardening/test_injection_cli.py shows the same through ``ovhflow run``.
"""

from __future__ import annotations

from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovhflow import ovh
from ovhflow.templating import Templates

TEMPLATES = Templates()
# any text but lone surrogates (not encodable, refused as input) and the dot segments (refused)
VALUES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda text: text not in (".", "..")
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_any_value_stays_in_its_segment_and_its_query_value(sandbox, value: str) -> None:
    client = ovh.Client(**sandbox.credentials, retries=False)
    path = TEMPLATES.render_path("/dedicated/server/{{ v }}/burst?note={{ v }}", {"v": value})
    before = len(sandbox.journal)
    try:
        client.get(path)
    except ovh.ResourceNotFoundError:
        pass  # no server has that name: the API looked it up, which is the point
    entries = [e for e in sandbox.journal[before:] if e["path"] != "/auth/time"]
    [entry] = entries
    assert entry["status"] == (200 if value in sandbox.state["servers"] else 404)  # never 400: URL as signed
    head, segment, tail = entry["path"].rsplit("/", 2)
    assert (head, tail) == ("/dedicated/server", "burst") and unquote(segment) == value
    assert entry["query"] == {"note": value}
