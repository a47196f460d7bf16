"""Whatever a recipe or a request holds, the checks answer with findings, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovhflow.apicheck import Catalog, check_recipe
from ovhflow.apicheck.models import TypeChecker
from ovhflow.sandbox.strict import check_request
from tests.apicheck.test_check_steps import Recipe, Step
from tests.helpers import SCHEMAS_DIR

CATALOG = Catalog.from_dir(SCHEMAS_DIR)
TYPE_NAMES = sorted(CATALOG.models) + [
    "string",
    "long",
    "boolean",
    "double",
    "string[]",
    "map[string]string",
    "complexType.Range<long>",
    "no.such.Type",
    "T",
    "",
]
PATHS = sorted(CATALOG.paths)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["{{ x }}", "active", "0", "true"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
path_texts = st.sampled_from(PATHS).map(lambda p: p.replace("{", "{{ ").replace("}", " }}")) | st.text(
    max_size=20
)
quick = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
few = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # slower ones


@quick
@given(st.sampled_from(TYPE_NAMES), json_values)
def test_type_checks_never_raise(type_name: str, value: object) -> None:
    for checker in (
        TypeChecker({}, CATALOG.models),
        TypeChecker({}, CATALOG.models, templates=False, from_query=True),
    ):
        assert all(p.message for p in checker.check(value, type_name))


@quick
@given(st.sampled_from(["get", "post", "put", "delete"]), path_texts, json_values, json_values, json_values)
def test_step_checks_never_raise(action: str, path: str, query: object, body: object, auth: object) -> None:
    step = Step(action, path, {"query": query, "body": body, "auth": auth})
    for finding in check_recipe(Recipe([step]), CATALOG):
        assert finding.severity in ("error", "warning") and finding.message


@few
@given(
    path_texts,
    st.sampled_from(["{{ item }}", "{{ item.name }}", "x{{ item }}y", "{{ item | segments }}"]),
    st.lists(json_values, max_size=6),
)
def test_known_values_of_any_shape_never_raise(path: str, reference: str, items: list) -> None:
    """Every value a literal loop gives a templated segment is checked, whatever the loop holds."""
    step = Step("get", path.replace("{{ x }}", reference, 1) + "/" + reference)
    step.loop = items  # type: ignore[attr-defined]
    for finding in check_recipe(Recipe([step]), CATALOG):
        assert finding.severity in ("error", "warning") and finding.message


@quick
@given(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    path_texts,
    st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3),
    json_values,
)
def test_strict_checks_never_raise(method: str, path: str, query: dict, body: object) -> None:
    assert all(isinstance(p, str) and p for p in check_request(CATALOG, method, "/1.0" + path, query, body))
