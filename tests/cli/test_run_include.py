"""`include:` with `with:` through the command line: the included recipe's inputs, steps and result."""

from __future__ import annotations

MAIN = """\
name: main
steps:
  - id: ids
    get: /dedicated/server
  - id: each
    loop: "{{ steps.ids.result[:2] }}"
    include: burst-one.yaml
    with: {server: "{{ item }}"}
  - log: >-
      statuses {{ steps.each.results | map(attribute='burst') | map(attribute='result')
      | map(attribute='status') | join(',') }}
"""

INCLUDED = """\
name: one
inputs:
  server: {type: string, required: true}
  label: {type: string, default: server}
steps:
  - id: burst
    get: /dedicated/server/{{ inputs.server }}/burst
  - log: "{{ inputs.label }} {{ inputs.server }} {{ steps.burst.result.status }}"
"""


def test_include_runs_the_other_recipe_per_item(sandbox, ovhflow_invoke, tmp_path):
    (tmp_path / "main.yaml").write_text(MAIN)
    (tmp_path / "burst-one.yaml").write_text(INCLUDED)
    done = ovhflow_invoke("run", str(tmp_path / "main.yaml"), env=sandbox.env())
    assert done.returncode == 0, done.stderr
    names = list(sandbox.state["servers"])[:2]
    statuses = [sandbox.state["bursts"][name]["status"] for name in names]
    for name, status in zip(names, statuses, strict=True):
        assert f"server {name} {status}" in done.stderr
    assert f"statuses {','.join(statuses)}" in done.stderr
    burst_reads = [e["path"] for e in sandbox.journal if e["path"].endswith("/burst")]
    assert burst_reads == [f"/dedicated/server/{name}/burst" for name in names]
