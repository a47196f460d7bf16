"""Run events and RunInfo: order of hooks, masked secret inputs, redaction, a failing run-end plugin."""

from __future__ import annotations

from ovhflow import hookimpl
from ovhflow.engine.runner import run_recipe
from ovhflow.plugin.manager import load_plugins
from ovhflow.recipe.model import InputSpec
from ovhflow.reporting.redaction import Redactor
from ovhflow.reporting.reporter import ConsoleReporter
from tests.engine.helpers import FakeClient, recipe, step


def test_event_order_and_item_records(run_steps):
    steps = [step("get", "/a", id="a"), step("log", "{{ item }}", id="l", loop=[1, 2])]
    result, events = run_steps(steps, FakeClient({"GET /a": 1}))
    kinds = [(kind, payload if kind in ("step_start",) else None) for kind, payload in events.events]
    assert [k for k, _ in kinds] == [
        "run_start", "step_start", "step_end", "step_start", "item_end", "item_end", "step_end", "run_end",
    ]  # fmt: skip
    items = [payload for kind, payload in events.events if kind == "item_end"]
    assert [(step_id, index, record["item"], record["status"]) for step_id, index, record in items] == [
        ("l", 0, 1, "ok"),
        ("l", 1, 2, "ok"),
    ]
    run = events.events[-1][1]
    assert run.exit_status == 0 and run.counts["ok"] == 3


def test_secret_inputs_are_masked_and_redacted(run_steps):
    specs = {"token": InputSpec("token", secret=True), "name": InputSpec("name")}
    steps = [step("log", "token is {{ inputs.token }}"), step("fail", "bad {{ inputs.token }}")]
    result, events = run_steps(steps, inputs={"token": "s3cr3t-value", "name": "n"}, specs=specs)
    assert result.info.inputs == {"token": "***", "name": "n"}
    assert events.messages == ["token is ***"]
    assert "s3cr3t-value" not in result.info.error and "s3cr3t-value" not in str(result.info.errors)


class Capture(ConsoleReporter):
    def __init__(self, messages, warnings):
        super().__init__()
        self.message = lambda text, step_id=None: messages.append(text)
        self.warning = warnings.append


def test_failing_run_end_plugin_does_not_stop_the_others():
    seen = []

    class Broken:
        @hookimpl
        def ovhflow_run_end(self, run):
            raise RuntimeError("boom")

    class Working:
        @hookimpl
        def ovhflow_run_end(self, run):
            seen.append(run.exit_status)

    plugins = load_plugins(entry_points=False)
    plugins.manager.register(Working(), name="working")
    plugins.manager.register(Broken(), name="broken")
    messages, warnings = [], []
    result = run_recipe(
        recipe([step("log", "hi")]),
        {},
        plugins=plugins,
        client=FakeClient(),
        redactor=Redactor(),
        reporter=Capture(messages, warnings),
    )
    assert result.exit_status == 0 and seen == [0]
    assert warnings == ["plugin 'broken' failed at run end: boom"]
    assert messages == ["hi"]


def test_a_run_end_wrapper_runs_around_its_plugin_implementation(run_steps):
    """``impl.function(run=...)`` on a wrapper only made a generator: the wrapper never ran."""
    seen = []

    class Timing:
        @hookimpl(wrapper=True)
        def ovhflow_run_end(self, run):
            seen.append(("before", run.exit_status))
            result = yield
            seen.append(("after", run.exit_status))
            return result

    class Reporter:
        @hookimpl
        def ovhflow_run_end(self, run):
            seen.append(("report", run.exit_status))

    result, _ = run_steps([step("log", "hi")], extra_plugins=(Timing(), Reporter()))
    assert result.exit_status == 0
    assert ("before", 0) in seen and ("after", 0) in seen and ("report", 0) in seen


def test_step_end_is_reported_before_a_run_stopping_error(run_steps):
    """Rejected credentials stop the run, in a loop or not, but the step still ends (failed) first."""
    from ovhflow.errors import ConfigError

    for looped in (False, True):
        client = FakeClient({"GET /a": ConfigError("credentials rejected")})
        extra = {"loop": [1, 2]} if looped else {}
        result, events = run_steps([step("get", "/a", id="a", **extra)], client)
        kinds = [kind for kind, _ in events.events]
        assert kinds[-2:] == ["step_end", "run_end"], (looped, kinds)
        report = events.reports()["a"]
        assert report.status == "failed"
        assert report.error == "credentials rejected"
        assert isinstance(result.error, ConfigError)
        assert result.exit_status == ConfigError.exit_status


def test_a_step_report_read_late_is_the_json_ready_copy_of_the_records(run_steps):
    """A report's result and items are made when a plugin first reads them: the same JSON-ready copies
    (groups' records as dicts, failures under ignore_errors shown as ignored), equal to a StepReport
    built with them, and its item counts are those of its items."""
    from ovhflow.plugin_api import StepReport

    group = step(
        "steps",
        None,
        id="g",
        loop=["a", "b", "c"],
        ignore_errors=True,
        steps=[step("get", "/x/{{ item }}", id="x"), step("log", "{{ steps.x.result }}", id="l")],
    )
    from ovhflow.ovh.exceptions import ResourceNotFoundError

    missing = ResourceNotFoundError("no b")
    client = FakeClient({"GET /x/a": {"n": 1}, "GET /x/b": missing, "GET /x/c": {"n": 3}})
    result, events = run_steps([group], client)
    report = events.reports()["g"]
    counts = report.item_counts()
    assert counts == {"ok": 2, "ignored": 1}
    assert [item["status"] for item in report.items] == ["ok", "ignored", "ok"]
    first = report.items[0]["result"]
    assert type(first) is dict and type(first["x"]) is dict and first["x"]["result"] == {"n": 1}
    assert report.result == [report.items[0]["result"], report.items[2]["result"]]
    eager = StepReport(**{name: getattr(report, name) for name in StepReport.__dataclass_fields__})
    assert eager == report and repr(eager).split("(", 1)[1] == repr(report).split("(", 1)[1]
    assert report.item_counts() == counts
