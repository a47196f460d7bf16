"""`validate --api` has no blind spots (issue 18): every mistake is refused, every unchecked path said."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovhflow.apicheck import Catalog
from ovhflow.apicheck.models import TypeChecker
from tests.apicheck.test_check_steps import Recipe, Step
from tests.apicheck.test_check_steps import findings as step_findings
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import SCHEMAS_DIR

HERE = Path(__file__).parent / "recipes"
DATETIME = "expected datetime (ISO 8601, e.g. 2024-01-31 or 2024-01-31T10:00:00+01:00)"


def test_each_former_blind_spot_is_an_error_where_it_is_written() -> None:
    file = HERE / "blind-spots.yaml"
    done = invoke_ovhflow("validate", "--schemas", str(SCHEMAS_DIR), str(file))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{file}:9:10: error: unknown API path '/domain/zone/{{{{ inputs.zone }}}}/records/"
        "{{ inputs.record }}' (did you mean /domain/zone/{zoneName}/record/{id}?)",
        f"{file}:10:10: error: unknown API path '/dedicated/server/{{{{ inputs.server }}}}/serviceinfos' "
        "(did you mean /dedicated/server/{serviceName}/serviceInfos?)",
        f"{file}:11:10: error: unknown API path '/domain/zone/example.com/recordz' "
        "(did you mean /domain/zone/{zoneName}/record?)",
        f"{file}:12:10: error: path parameter {{id}} of /domain/zone/{{zoneName}}/record/{{id}}: "
        "expected long, got 'abc'",
        f"{file}:15:18: error: query parameter 'date.from': {DATETIME}, got 'last month'",
        f"{file}:16:16: error: query parameter 'date.to': {DATETIME}, got '2024-13-01'",
        f"{file}:20:7: error: field 'datacenter' of dedicated.server.Dedicated is read-only: "
        "the API sets it, a request cannot",
        f"{file}:21:10: error: unknown API path '/vpss' (did you mean /vps?) (with inputs.family = 'vpss')",
        f"{file}:22:10: error: unknown API path '/dedicated/{{{{ inputs.server }}}}/serviceInfos' "
        "(did you mean /dedicatedCloud/{serviceName}/serviceInfos?) (with kind = 'dedicated')",
        f"{file}:27:10: error: path parameter {{credentialId}} of /me/api/credential/{{credentialId}}: "
        "expected long, got 'latest' (with item = 'latest')",
    ]


def test_unchecked_paths_are_one_warning_each_and_do_not_fail(schema_subset: Path) -> None:
    file = HERE / "unchecked.yaml"
    done = invoke_ovhflow("validate", "--schemas", str(schema_subset), str(file))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{file}: ok\n"
    assert done.stderr.splitlines() == [
        f"{file}:6:10: warning: not checked: the API of '/{{{{ inputs.service_type }}}}' is only known "
        "at run time",
        f"{file}:7:10: warning: not checked: the schemas in use have no document for the /cloud API",
        f"{file}:8:10: warning: not checked: the schemas in use have no document for the /cloud API",
    ]


def test_a_templated_segment_never_stands_for_a_fixed_word(catalog: Catalog) -> None:
    assert catalog.match("/dedicated/server/{{ s }}/serviceinfos") == []
    assert catalog.match("/domain/zone/{{ zone }}/records/{{ id }}") == []
    assert catalog.match("/me/{{ what }}") == []
    assert catalog.templates_for_fixed_words("/dedicated/{{ k }}/{{ s }}/burst") == [
        "/dedicated/server/{serviceName}/burst"
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/domain/zone/example.com/recordz", ["/domain/zone/{zoneName}/record"]),
        ("/dedicated/server/{{ s }}/serviceinfos", ["/dedicated/server/{serviceName}/serviceInfos"]),
        ("/me/bills/{{ id }}", ["/me/bill/{billId}"]),
        ("/dedicatd/server", ["/dedicated/server"]),
        ("/dedicated/server/{{ s }}/burst/now", ["/dedicated/server/{serviceName}/burst"]),  # one too many
        ("/v2/iam/resources", ["/v2/iam/resource"]),
        ("/me/{{ what }}", []),  # dozens of /me/<word>/{id} are as close: no hint beats a random one
    ],
)
def test_suggestions_compare_segment_by_segment(catalog: Catalog, path: str, expected: list[str]) -> None:
    assert catalog.suggest_paths(path) == expected


def test_each_known_value_of_a_templated_segment_is_checked(catalog: Catalog) -> None:
    looped = Step("get", "/me/bill/{{ item }}/details")
    looped.loop = ["FR1", "FR2"]  # type: ignore[attr-defined]
    assert step_findings(catalog, looped) == []
    wrong = Step("get", "/{{ family }}/{{ name }}/serviceInfos")
    wrong.loop, wrong.as_ = ["vps", "hosting", "dedicated"], "family"  # type: ignore[attr-defined]
    found = step_findings(catalog, wrong)
    assert found == [
        "error: unknown API path '/hosting/{{ name }}/serviceInfos' (did you mean "
        "/hosting/privateDatabase/{serviceName}/serviceInfos or /hosting/reseller/{serviceName}/serviceInfos "
        "or /hosting/web/{serviceName}/serviceInfos?) (with family = 'hosting')",
        "error: unknown API path '/dedicated/{{ name }}/serviceInfos' (did you mean "
        "/dedicatedCloud/{serviceName}/serviceInfos?) (with family = 'dedicated')",
    ]


def test_known_values_follow_groups_and_shadowing(catalog: Catalog) -> None:
    inner = Step("get", "/me/api/credential/{{ item }}")
    outer = Step("group", None, steps=[inner])
    outer.loop = ["x"]  # type: ignore[attr-defined]
    assert step_findings(catalog, outer) == [
        "error: path parameter {credentialId} of /me/api/credential/{credentialId}: expected long, "
        "got 'x' (with item = 'x')"
    ]
    inner.loop = "{{ steps.ids.result }}"  # type: ignore[attr-defined]  # its own item, unknown
    assert step_findings(catalog, outer) == []


def test_an_inputs_choices_are_its_known_values(catalog: Catalog) -> None:
    from ovhflow.apicheck import check_recipe
    from ovhflow.recipe.model import InputSpec

    recipe = Recipe([Step("get", "/{{ inputs.kind }}")])
    recipe.inputs = {"kind": InputSpec("kind", choices=["vps", "xdsl", "nope"])}  # type: ignore[attr-defined]
    found = [f.message for f in check_recipe(recipe, catalog)]
    assert found == ["unknown API path '/nope' (with inputs.kind = 'nope')"]


def test_a_value_with_a_slash_stays_one_segment(catalog: Catalog) -> None:
    step = Step("get", "/{{ item }}")
    step.loop = ["hosting/web"]  # type: ignore[attr-defined]
    assert step_findings(catalog, step) == [
        "error: unknown API path '/hosting%2Fweb' (a value fills one segment: the run sends its '/' as %2F; "
        "'| segments' splices it) (with item = 'hosting/web')"
    ]


def test_values_spliced_as_segments_are_checked_when_known(catalog: Catalog) -> None:
    looped = Step("get", "/{{ item | segments }}/{{ name }}/serviceInfos")
    looped.loop = ["dedicated/server", "cloud/project", "license/cpanel", "hosting/webb"]  # type: ignore[attr-defined]
    assert step_findings(catalog, looped) == [
        "error: unknown API path '/hosting/webb/{{ name }}/serviceInfos' (did you mean "
        "/hosting/web/{serviceName}/serviceInfos?) (with item = 'hosting/webb')"
    ]
    assert step_findings(catalog, Step("get", "/{{ 'dedicated/server' | segments }}/{{ s }}/burst")) == []
    assert step_findings(catalog, Step("get", "/dedicated/{{ kind | segments }}/{{ s }}/burst")) == [
        "warning: not checked: '/dedicated/{{ kind | segments }}/{{ s }}/burst' splices in segments known "
        "only at run time"
    ]


def test_dates_times_and_datetimes_must_be_iso_8601() -> None:
    query = TypeChecker({}, from_query=True).check
    for good in ("2024-01-31", "2024-01-31T10:00:00+01:00", "2024-01-31T10:00:00Z", "2024-01-31 10:00"):
        assert query(good, "datetime") == [], good
    for bad in ("last month", "2024-02-30", "31/01/2024", "2024-01-31T25:00:00", "now"):
        assert query(bad, "datetime") != [], bad
    assert query("2024-01-31", "date") == [] and query("2024-01-31T10:00:00", "date") != []
    assert query("10:30:00", "time") == [] and query("10h30", "time") != []
    body = TypeChecker({}).check
    assert [p.message for p in body("tomorrow", "datetime")] == [f"{DATETIME}, got 'tomorrow'"]


def test_read_only_fields_are_refused_in_recipes_only(catalog: Catalog) -> None:
    from ovhflow.apicheck.request import body_problems

    op = catalog.operation("/dedicated/server/{serviceName}", "PUT")
    assert op is not None
    body = {"monitoring": True, "datacenter": "sbg1", "state": "ok", "rack": "R1"}
    refused = body_problems(catalog, op, body, templates=True, refuse_read_only=True)
    assert [(p.key_path, p.on_key) for p in refused] == [(("datacenter",), True), (("rack",), True)]
    assert body_problems(catalog, op, body) == []  # a client sending back an object it read
    assert (
        step_findings(catalog, Step("put", "/dedicated/server/{{ s }}", {"body": {"monitoring": True}})) == []
    )
