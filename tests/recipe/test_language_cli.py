"""What operators' scripts do, written directly as recipes, through `ovhflow run` and `validate` (issue 16).

Each test runs the real command line in-process (click's runner) against the sandbox over loopback HTTP,
and checks what the sandbox received as well as what the command printed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ovhflow.cli import main
from tests.helpers import LOCK_DIR, SCHEMAS_DIR


@pytest.fixture
def recipe(tmp_path: Path):
    def write(text: str, name: str = "recipe.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


def ovhflow(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"OVHFLOW_LOCK_DIR": LOCK_DIR, **(env or {})})


def paths(sandbox) -> list[str]:
    return [entry["path"] for entry in sandbox.journal if entry["path"] != "/auth/time"]


# -- 1. paths built from multi-segment values ------------------------------------------------------


def test_segments_splices_a_value_as_several_encoded_segments(sandbox, recipe):
    path = recipe(
        """
        name: service types
        inputs:
          types: {type: list, default: [dedicated/server]}
        steps:
          - id: services
            loop: "{{ inputs.types }}"
            as: kind
            get: /{{ kind | segments }}
          - id: one
            get: /{{ ['dedicated', 'server'] | segments }}/{{ steps.services.results[0][0] }}
          - print: "{{ steps.one.result.name }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    first = sorted(sandbox.state["servers"])[0]
    assert paths(sandbox) == ["/dedicated/server", f"/dedicated/server/{first}"]
    assert done.stdout.strip() == first


@pytest.mark.parametrize(
    "value", ["dedicated//server", "/dedicated/server", "dedicated/server/", "dedicated/../me", ".", ""]
)
def test_segments_refuses_empty_dot_and_dot_dot_segments_before_sending(sandbox, recipe, value):
    path = recipe(
        """
        name: bad splice
        inputs:
          kind: {type: string}
        steps:
          - get: /{{ inputs.kind | segments }}/x
        """
    )
    done = ovhflow("run", str(path), "-p", f"kind={value}", env=sandbox.env())
    assert done.exit_code == 1
    assert "segments:" in done.stderr and "has an empty, '.' or '..' segment" in done.stderr
    assert "recipe.yaml:5:5" in done.stderr
    assert paths(sandbox) == []


def test_validate_api_does_not_take_a_spliced_value_for_one_segment(recipe):
    path = recipe(
        """
        name: spliced
        inputs:
          kind: {type: string, default: server}
        steps:
          - get: /dedicated/{{ inputs.kind | segments }}
        """
    )
    done = ovhflow("validate", "--api", "--schemas", str(SCHEMAS_DIR), str(path))
    assert done.exit_code == 0, done.output
    assert f"{path}:5:10: warning: not checked:" in done.stderr and "splices" in done.stderr


def test_a_plain_value_still_stays_one_segment(sandbox, recipe):
    path = recipe(
        """
        name: one segment
        steps:
          - get: /dedicated/{{ 'server/x' }}
            ignore_errors: true
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert paths(sandbox) == ["/dedicated/server%2Fx"]


# -- 2. keeping the items for which an expression holds, mapping an expression --------------------


def test_select_expr_and_map_expr_in_loop_set_and_rows(sandbox, recipe, tmp_path):
    out = tmp_path / "sbg.csv"
    path = recipe(
        f"""
        name: filter by expression
        inputs:
          datacenter: {{type: string, default: sbg1}}
        steps:
          - id: names
            get: /dedicated/server
          - id: servers
            loop: "{{{{ steps.names.result }}}}"
            get: /dedicated/server/{{{{ item }}}}
          - set:
              here: "{{{{ steps.servers.results | select_expr('item.datacenter == inputs.datacenter') }}}}"
              elsewhere: >-
                {{{{ steps.servers.results | reject_expr('s.datacenter == inputs.datacenter', name='s') }}}}
          - id: bursts
            loop: "{{{{ here | map_expr('item.name') }}}}"
            get: /dedicated/server/{{{{ item }}}}/burst
          - csv:
              path: {out.name}
              rows: "{{{{ steps.servers.results | select_expr('item.datacenter == inputs.datacenter') }}}}"
              columns: {{name: "{{{{ row.name }}}}"}}
          - print: "{{{{ here | length }}}} {{{{ elsewhere | length }}}} {{{{ steps.names.result|length }}}}"
        """
    )
    done = ovhflow(
        "run", "--no-batch", str(path), "--output-dir", str(tmp_path), env=sandbox.env()
    )  # one GET each
    assert done.exit_code == 0, done.output
    servers = sandbox.state["servers"]
    in_sbg = sorted(name for name, server in servers.items() if server["datacenter"] == "sbg1")
    assert in_sbg and len(in_sbg) < len(servers)
    assert sorted(p.split("/")[3] for p in paths(sandbox) if p.endswith("/burst")) == in_sbg
    header, *rows = out.read_text().split()
    assert header == "name" and sorted(rows) == in_sbg
    assert done.stdout.split() == [str(len(in_sbg)), str(len(servers) - len(in_sbg)), str(len(servers))]


def test_expression_filters_are_checked_by_validate(recipe):
    path = recipe(
        """
        name: bad expressions
        inputs:
          days: {type: integer, default: 3}
        steps:
          - id: s
            get: /dedicated/server
          - log: "{{ steps.s.result | select_expr('item >') }}"
          - log: "{{ steps.s.result | select_expr('item.x > inputs.dayz') }}"
          - log: "{{ steps.s.result | map_expr('c.x ~ undefined_name', name='c') }}"
          - log: "{{ steps.s.result | map_expr('item.__class__') }}"
        """
    )
    done = ovhflow("validate", str(path))
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert any(line.startswith(f"{path}:7:10: template syntax error") for line in lines), lines
    assert any(line.startswith(f"{path}:8:10: inputs.dayz is not a declared input") for line in lines)
    assert any(line.startswith(f"{path}:9:10: undefined name 'undefined_name'") for line in lines)
    assert any(line.startswith(f"{path}:10:10:") and "'__class__'" in line for line in lines)


# -- 3. plain text to stdout -------------------------------------------------------------------------


def test_print_writes_formatted_lines_to_stdout(sandbox, recipe):
    path = recipe(
        """
        name: bills as lines
        steps:
          - id: ids
            get: /me/bill
          - id: bills
            loop: "{{ steps.ids.result }}"
            get: /me/bill/{{ item }}
          - loop: "{{ steps.bills.results }}"
            as: b
            print: "{{ '%12s (%s): %10s --> %s' % (b.billId, b.date, b.priceWithTax.text, b.pdfUrl) }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    expected = [
        "%12s (%s): %10s --> %s" % (b["billId"], b["date"], b["priceWithTax"]["text"], b["pdfUrl"])  # noqa: UP031 (the script's own format)
        for b in sandbox.state["bills"].values()
    ]
    assert sorted(done.stdout.splitlines()) == sorted(expected)
    assert all(line not in done.stderr for line in expected)  # stdout only, no time stamps


def test_print_masks_secret_inputs(sandbox, recipe):
    path = recipe(
        """
        name: secret
        inputs:
          token: {type: string, secret: true}
        steps:
          - print: "token={{ inputs.token }}"
        """
    )
    done = ovhflow("run", str(path), "-p", "token=hunter2-not-shown", env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert "hunter2-not-shown" not in done.output
    assert done.stdout.strip() == "token=***"


# -- 4. dates ----------------------------------------------------------------------------------------


def test_date_helpers_are_timezone_aware_and_compare_dates_with_datetimes(sandbox, recipe):
    today = dt.date.today()
    path = recipe(
        f"""
        name: dates
        steps:
          - print: "{{{{ '{today + dt.timedelta(days=10)}' | days_until }}}}"
          - print: "{{{{ '{today - dt.timedelta(days=90)}' | days_since }}}}"
          - print: "{{{{ ('2026-01-31' | ovh_date) < ('2026-01-31T10:00:00+01:00' | ovh_date) }}}}"
          - print: "{{{{ ('2026-01-31T00:30:00+01:00' | ovh_date) < ('2026-01-31' | ovh_date) }}}}"
          - print: "{{{{ days_ago(90) < now() < days_from_now(60) }}}}"
          - print: "{{{{ ('{today - dt.timedelta(days=91)}' | ovh_date) < days_ago(90) }}}}"
          - print: "{{{{ days_ago(1).tzinfo is not none }}}}"
          - print: "{{{{ ((days_ago(3) - days_ago(5)).total_seconds() / 86400) | round | int }}}}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == ["10", "90", "True", "True", "True", "True", "True", "2"]


# -- 5. joins and records ----------------------------------------------------------------------------


def test_subelements_keeps_parents_with_empty_lists_when_asked(sandbox, recipe):
    path = recipe(
        """
        name: outer join
        steps:
          - set:
              blocks:
                - {ip: 192.0.2.0/29, reverses: [a.example.com, b.example.com]}
                - {ip: 198.51.100.0/30, reverses: []}
          - loop: "{{ blocks | subelements('reverses', keep_empty=true) }}"
            print: "{{ item[0].ip }} {{ item[1] or '-' }}"
          - print: "{{ blocks | subelements('reverses') | length }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        "192.0.2.0/29 a.example.com",
        "192.0.2.0/29 b.example.com",
        "198.51.100.0/30 -",
        "2",
    ]


def test_records_of_a_looped_group_are_mappings(sandbox, recipe):
    path = recipe(
        """
        name: group records
        steps:
          - id: names
            get: /dedicated/server
          - id: per_server
            loop: "{{ steps.names.result[:2] }}"
            steps:
              - id: server
                get: /dedicated/server/{{ item }}
          - set: {row: "{{ steps.per_server.results[0] }}"}
          - print: "{{ row is mapping }} {{ row.get('server').result.name }} {{ row.get('nothing', 'none') }}"
          - print: "{{ row | list }} {{ (row | dictsort)[0][0] }} {{ steps.per_server.items[0] is mapping }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    first = sorted(sandbox.state["servers"])[0]
    assert done.stdout.splitlines() == [f"True {first} none", "['server'] server True"]


def test_errors_about_records_never_show_internal_class_names(sandbox, recipe):
    path = recipe(
        """
        name: wrong index
        steps:
          - id: per_item
            loop: [a]
            steps:
              - id: inner
                set: {x: 1}
          - print: "{{ steps.per_item.results[0][0] }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 1
    assert "a mapping (keys: inner) has no element 0" in done.stderr
    assert "ovhflow." not in done.stderr and "Namespace" not in done.stderr

    for action in ("table", "csv"):
        given_a_record = recipe(
            f"""
            name: rows from a group
            steps:
              - id: group
                steps:
                  - id: inner
                    set: {{x: 1}}
              - {action}:
                  path: out.csv
                  rows: "{{{{ steps.group.result }}}}"
                  columns: {{x: "{{{{ row }}}}"}}
            """.replace("path: out.csv", "path: out.csv" if action == "csv" else "title: t"),
            f"{action}.yaml",
        )
        done = ovhflow("run", str(given_a_record), env=sandbox.env())
        assert done.exit_code == 1
        assert f"{action}: `rows` must be a list, got a mapping" in done.stderr
        assert "Namespace" not in done.stderr and "ovhflow." not in done.stderr


def test_a_looped_set_records_one_mapping_per_item_and_keeps_its_variables_inside(sandbox, recipe):
    path = recipe(
        """
        name: looped set
        steps:
          - id: pairs
            loop: [a, b]
            set: {upper: "{{ item | upper }}", n: "{{ loop.index }}"}
          - print: "{{ steps.pairs.results | map_expr('item.upper ~ item.n') | join(',') }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "A1,B2"
    misread = recipe(
        """
        name: looped set read as a variable
        steps:
          - loop: [a, b]
            set: {upper: "{{ item | upper }}"}
          - print: "{{ upper }}"
        """,
        "misread.yaml",
    )
    done = ovhflow("validate", str(misread))
    assert done.exit_code == 2
    assert f"{misread}:5:12: undefined name 'upper'" in done.stderr


# -- 6. format and real data -------------------------------------------------------------------------


def test_format_accepts_ids_and_refuses_huge_widths_given_as_arguments(sandbox, recipe):
    path = recipe(
        """
        name: ids are data
        steps:
          - print: "{{ '%s' | format('FR12345678') }}"
          - print: "{{ 'Order 1234567: %s' % 'FR12345678' }}"
          - print: "{{ 'Bill {} of order {}'.format('FR12345678', 123456789) }}"
          - print: "{{ '%*s|' % (12, 'FR1') }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        "FR12345678",
        "Order 1234567: FR12345678",
        "Bill FR12345678 of order 123456789",
        "         FR1|",
    ]
    huge = recipe(
        """
        name: huge width
        steps:
          - print: "{{ '{:{}}'.format('a', 9e8) }}"
        """,
        "huge.yaml",
    )
    done = ovhflow("run", str(huge), env=sandbox.env())
    assert done.exit_code == 1
    assert "format width 900,000,000 is too large" in done.stderr


# -- 7. paths without a leading slash ----------------------------------------------------------------


def test_paths_without_a_leading_slash_are_refused_before_any_request(sandbox, recipe):
    path = recipe(
        """
        name: no slash
        steps:
          - id: s
            get: /dedicated/server
          - get: me/bill
          - put: "{{ steps.s.result[0] }}/burst"
            body: {status: active}
        """
    )
    checked = ovhflow("validate", str(path))
    assert checked.exit_code == 2
    said = "steps[1].get: a string of 7 characters is not valid: an API path starts with /"
    assert f"{path}:5:10: {said}" in checked.stderr
    assert f"{path}:6:10: steps[2].put:" in checked.stderr
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 2
    assert paths(sandbox) == []


def test_a_fragment_in_a_path_is_refused_by_validate_and_a_value_with_hash_is_encoded(sandbox, recipe):
    """A '#' starts a URL's fragment, which is never sent: the request signed with it was refused as
    "Invalid signature" (exit 3, blaming the credentials). Literal text with '#' is refused before any
    request; a value rendered into the path has its '#' percent-encoded like any other character."""
    path = recipe(
        """
        name: fragment
        steps:
          - get: '/me?x=1#frag'
          - put: "/dedicated/server/{{ inputs.name }}#x"
            body: {status: active}
        inputs:
          name: {default: a}
        """
    )
    checked = ovhflow("validate", str(path))
    assert checked.exit_code == 2
    said = "is not valid: an API path has no '#'"
    assert f"{path}:3:10: steps[0].get: a string of 12 characters {said}" in checked.stderr
    assert f"{path}:4:10: steps[1].put:" in checked.stderr and "Traceback" not in checked.stderr
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 2 and paths(sandbox) == []
    encoded = recipe(
        """
        name: hash in a value
        steps:
          - get: "/me/bill/{{ 'a#b' }}{# a comment # #}"
            ignore_errors: true
        """
    )
    assert ovhflow("validate", str(encoded)).exit_code == 0
    ovhflow("run", str(encoded), env=sandbox.env())
    assert [p for p in paths(sandbox) if "bill" in p] == ["/me/bill/a%23b"]


# -- 8. messages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name: t\nsteps:\n  - id: s\n    get: /me\n  - loop: {{ steps.s.result }}\n    log: x\n",
            ":5:11: a value starting with {{ must be quoted, or YAML reads it as a mapping: "
            'write "{{ steps.s.result }}"',
        ),
        (
            "name: t\nsteps:\n  - log: {{ inputs.x }} done\n",
            ":3:10: invalid YAML: a value starting with {{ must be quoted",
        ),
        ("name: t\nsteps:\n  - id: s\n\tget: /me\n", ":4:1: invalid YAML: a tab in the indentation"),
        ("name: t\nsteps:\n  -\tlog: a\n", ":3:4: invalid YAML: a tab in the indentation"),
    ],
)
def test_classic_yaml_slips_are_explained(recipe, text, expected):
    path = recipe(text)
    done = ovhflow("validate", str(path))
    assert done.exit_code == 2
    assert done.stderr.startswith(f"{path}{expected}"), done.stderr


def test_a_loop_over_something_else_than_a_list_points_at_the_loop_line(sandbox, recipe):
    path = recipe(
        """
        name: not a list
        steps:
          - id: me
            get: /me
          - name: loop over a mapping
            log: "{{ item }}"
            loop: "{{ steps.me.result }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 1
    assert f"{path}:7:11: loop: expected a list, got a mapping (keys: " in done.stderr


# -- 9. loop.index -----------------------------------------------------------------------------------


def test_loop_index_counts_from_1_and_index0_from_0_as_in_jinja(sandbox, recipe):
    path = recipe(
        """
        name: counting
        steps:
          - loop: [a, b, c]
            print: "{{ loop.index }} {{ loop.index0 }} {{ loop.revindex }} {{ loop.first }} {{ loop.last }}"
        """
    )
    done = ovhflow("run", str(path), env=sandbox.env())
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == ["1 0 3 True False", "2 1 2 False False", "3 2 1 False True"]
