"""``ovhflow validate --api`` on recipe files: each check at its FILE:LINE:COL; the gallery passes."""

from __future__ import annotations

from pathlib import Path

from ovhflow.sandbox import Sandbox
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR, SCHEMAS_DIR

HERE = Path(__file__).parent / "recipes"


def validate(*paths: Path | str, env: dict[str, str] | None = None, schemas: bool = True):
    args = ["validate", *(["--schemas", str(SCHEMAS_DIR)] if schemas else ["--api"]), *map(str, paths)]
    return invoke_ovhflow(*args, env=env)


def test_each_mistake_is_reported_where_it_is_written() -> None:
    done = validate(HERE / "mistakes.yaml")
    assert done.returncode == 2
    file = str(HERE / "mistakes.yaml")
    assert done.stderr.splitlines() == [
        f"{file}:7:10: error: unknown API path '/dedicated/servr' (did you mean /dedicated/server?)",
        f"{file}:9:20: error: body.status: 'activ' is not one of dedicated.server.BurstStatusEnum: "
        "active, inactive, inactiveLocked (did you mean 'active'?)",
        f"{file}:10:11: error: POST is not an operation of /dedicated/server/{{serviceName}}/burst "
        "(it has GET, PUT)",
        f"{file}:13:7: error: unknown query parameter 'date.fro' for GET /me/bill "
        "(did you mean 'date.from'?)",
        f"{file}:15:21: error: query parameter 'status': 'valide' is not one of auth.CredentialStateEnum: "
        "expired, pendingValidation, refused, validated (did you mean 'validated'?)",
        f"{file}:17:5: error: missing required field 'to' of email.domain.RedirectionCreation",
        f"{file}:19:7: error: unknown field 'too' in email.domain.RedirectionCreation (did you mean 'to'?)",
        f"{file}:20:18: error: body.localCopy: expected boolean, got string",
        f"{file}:23:14: warning: GET /domain/data/extension is deprecated since 2021-02-01, "
        "to be removed on 2021-08-31; "
        "use /domain/extensions instead",
        f"{file}:25:14: warning: GET /auth/time needs no authentication: add 'auth: false' so no credentials "
        "are sent",
        f"{file}:27:5: error: missing required field 'fieldType' of domain.zone.RecordCreate",
        f"{file}:29:12: error: body.ttl: expected long (a number), got string",
        f"{file}:34:20: error: body.accessRules[0].method: 'GOT' is not one of auth.HTTPMethodEnum: "
        "DELETE, GET, PATCH, POST, PUT (did you mean 'GET'?)",
        f"{file}:36:11: error: unknown field 'pth' in auth.AccessRuleRequest (did you mean 'path'?)",
    ]
    assert done.stdout == ""


def test_findings_point_into_included_files_and_old_style_bodies() -> None:
    done = validate(HERE / "includes-mistake.yaml")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{HERE / 'included-filter.yaml'}:12:16: error: body.operand: 'contain' is not one of "
        "domain.DomainFilterOperandEnum: checkspf, contains, noContains (did you mean 'contains'?)"
    ]


def test_warnings_alone_do_not_fail() -> None:
    done = validate(HERE / "warnings-only.yaml")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{HERE / 'warnings-only.yaml'}: ok\n"
    warning = "4:10: warning: GET /dedicated/server/log is deprecated"
    assert done.stderr == f"{HERE / 'warnings-only.yaml'}:{warning}\n"


# Gallery paths whose API is picked at run time (python-ovh's service types, spliced): said, not hidden.
RUN_TIME_APIS = {
    "service-list.yaml": ["27:10", "36:10"],
    "services-expiring.yaml": ["27:10", "36:10"],
}


def test_every_gallery_recipe_passes() -> None:
    recipes = sorted(RECIPES_DIR.glob("*.yaml")) + sorted(RECIPES_DIR.glob("*.yml"))
    assert recipes, "the gallery is empty"
    done = validate(*recipes)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{path}: ok" for path in recipes]
    notes = [line.split(": warning: not checked: the API of ", 1) for line in done.stderr.splitlines()]
    assert all(len(note) == 2 for note in notes), done.stderr  # nothing but those notes
    where = {}
    for place, _ in notes:
        file, line, col = place.rsplit(":", 2)
        where.setdefault(Path(file).name, []).append(f"{line}:{col}")
    assert where == RUN_TIME_APIS


def test_api_uses_the_cache_of_the_configured_endpoint(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    with Sandbox(servers=1, bills=1, schema_dir=SCHEMAS_DIR) as sb:
        env["OVH_ENDPOINT"] = sb.url
        nothing = validate(HERE / "warnings-only.yaml", env=env, schemas=False)
        assert nothing.returncode == 3
        assert (
            nothing.stderr == f"error: no API schemas cached for {sb.url}: run 'ovhflow schemas pull' "
            "(or give --schemas DIR)\n"
        )
        assert invoke_ovhflow("schemas", "pull", env=env).returncode == 0
        burst = RECIPES_DIR / "burst-sbg1.yaml"
        done = validate(HERE / "includes-mistake.yaml", burst, env=env, schemas=False)
    assert done.returncode == 2
    assert "included-filter.yaml:12:16: error: body.operand: 'contain'" in done.stderr
    assert done.stdout == f"{RECIPES_DIR / 'burst-sbg1.yaml'}: ok\n"
