"""The recipes of ``recipes/`` that use the first-party plugins, run for real: ``ovhflow run`` in-process
against a sandbox on 127.0.0.1, files compared byte for byte with the sandbox's own data; as a subprocess
where the process is the subject (killed mid-export, a terminal for stdout, SIGTERM).
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from ovhflow_plugins.table import plain_table

from ovhflow.files.atomic import TEMP_SUFFIX
from ovhflow.sandbox.auth import now_iso
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import RECIPES_DIR


def csv_text(rows: list[list[str]]) -> str:
    """RFC 4180 text, built independently of the plugin, for comparison."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def own_lock_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of recipes/*.yaml elsewhere (another test session) must not hold these runs' locks."""
    monkeypatch.setenv("OVHFLOW_LOCK_DIR", str(tmp_path_factory.mktemp("locks")))


def run_recipe(name: str, sandbox, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return invoke_ovhflow("run", str(RECIPES_DIR / name), *args, env=sandbox.env(), cwd=cwd)


def test_bills_csv_has_one_row_per_bill(sandbox, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = run_recipe("bills-csv.yaml", sandbox, "-p", "output=out/bills.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    bills = list(sandbox.state["bills"].values())
    assert len(bills) == 6
    expected = [["bill", "date", "total", "pdf"]] + [
        [b["billId"], b["date"], b["priceWithTax"]["text"], b["pdfUrl"]] for b in bills
    ]
    assert (tmp_path / "out" / "bills.csv").read_bytes() == csv_text(expected).encode("utf-8")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["bills.csv"]
    assert "csv: wrote 6 rows to out/bills.csv" in result.stderr


def test_bill_details_csv_has_one_row_per_line(sandbox, tmp_path: Path) -> None:
    result = run_recipe("bill-details-csv.yaml", sandbox, "-p", "output=lines.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = [
        [
            "bill",
            "date",
            "line",
            "description",
            "domain",
            "period_start",
            "period_end",
            "quantity",
            "unit_price",
            "total",
            "currency",
        ]
    ]
    for bill_id, bill in sandbox.state["bills"].items():
        for line in sandbox.state["billDetails"][bill_id].values():
            expected.append(
                [
                    bill_id,
                    bill["date"][:10],
                    line["billDetailId"],
                    line["description"],
                    line["domain"],
                    line["periodStart"],
                    line["periodEnd"],
                    line["quantity"],
                    str(line["unitPrice"]["value"]),
                    str(line["totalPrice"]["value"]),
                    line["totalPrice"]["currencyCode"],
                ]
            )
    assert len(expected) > 7  # some bills have several lines
    assert (tmp_path / "lines.csv").read_bytes() == csv_text(expected).encode("utf-8")


def test_bills_csv_in_check_mode_writes_nothing(sandbox, tmp_path: Path) -> None:
    result = run_recipe("bills-csv.yaml", sandbox, "--check", "-p", "output=bills.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "csv: would write 6 rows to bills.csv" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_authorized_applications_table(sandbox, tmp_path: Path) -> None:
    started = now_iso()
    result = run_recipe("authorized-apps-table.yaml", sandbox, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    state = sandbox.state
    # The run's own credential is used by every call: the table shows its lastUse as the run read it,
    # which the run's later calls moved on (by a second, when a second boundary falls in between).
    printed = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[2:] if line.strip()}
    rows = []
    for credential in state["credentials"].values():
        if credential["status"] != "validated":
            continue
        application = state["applications"][str(credential["applicationId"])]
        last_use = credential["lastUse"] or ""
        if last_use >= started:
            shown = printed[str(credential["credentialId"])]
            assert started <= shown <= last_use
            last_use = shown
        rows.append(
            [
                str(credential["credentialId"]),
                f"[{application['status']}] {application['name']}",
                application["description"],
                credential["creation"] or "",
                credential["expiration"] or "",
                last_use,
            ]
        )
    assert len(rows) >= 5
    headers = ["ID", "App Name", "Description", "Token Creation", "Token Expiration", "Token Last Use"]
    numeric = [True] + [False] * 5  # credential ids are numbers: right-aligned
    assert result.stdout == plain_table(headers, rows, numeric, "Authorized applications") + "\n"
    assert result.stdout.splitlines()[0] == "Authorized applications"  # the title, kept off a terminal
    assert result.stdout.splitlines()[1].split() == [
        "ID",
        "App",
        "Name",
        "Description",
        "Token",
        "Creation",
        "Token",
        "Expiration",
        "Token",
        "Last",
        "Use",
    ]


# -- alerts --------------------------------------------------------------------------------------


def test_failing_run_alerts_the_webhook(sandbox, tmp_path: Path, webhook_receiver) -> None:
    args = ("-p", "output=missing-folder/bills.csv", "--notify-webhook", webhook_receiver.url)
    result = run_recipe("alert-on-failure.yaml", sandbox, *args, cwd=tmp_path)
    assert result.returncode == 1
    (request,) = webhook_receiver.requests
    body = request["json"]
    assert body["recipe"] == "Nightly bill export with failure alert"
    assert body["status"] == "failed"
    assert body["exit_code"] == 1
    assert body["counts"]["failed"] == 1
    assert (
        f"csv: cannot write missing-folder/bills.csv: folder {tmp_path}/missing-folder does not exist"
        in (body["error"])
    )
    assert body["text"].startswith("ovhflow: Nightly bill export with failure alert failed (exit 1)")
    assert "warning" not in result.stderr


def test_successful_run_sends_no_alert(sandbox, tmp_path: Path, webhook_receiver) -> None:
    args = ("-p", "output=bills.csv", "--notify-webhook", webhook_receiver.url)
    result = run_recipe("alert-on-failure.yaml", sandbox, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert webhook_receiver.requests == []
    assert (tmp_path / "bills.csv").exists()


def test_notify_section_of_the_recipe(sandbox, tmp_path: Path, webhook_receiver, smtp_server) -> None:
    """`when: always`, webhook headers, e-mail with a password from the environment; a failing receiver
    is a warning and never changes the exit code."""
    inbox, smtp_port = smtp_server
    recipe = tmp_path / "notify.yaml"
    recipe.write_text(
        textwrap.dedent(
            f"""\
            name: Welcome with a report
            notify:
              when: always
              webhook: {{url: "{webhook_receiver.url}", headers: {{X-Team: billing}}}}
              email:
                to: [ops@example.com]
                host: 127.0.0.1
                port: {smtp_port}
                username: bot
                password_env: E2E_SMTP_PASSWORD
            steps:
              - get: /me
            """
        ),
        encoding="utf-8",
    )
    env = {**sandbox.env(), "E2E_SMTP_PASSWORD": "s3cret-pw"}
    result = invoke_ovhflow("run", str(recipe), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (request,) = webhook_receiver.requests
    assert request["headers"]["X-Team"] == "billing"
    assert request["json"]["status"] == "succeeded"
    assert inbox.logins == [("bot", "s3cret-pw")]
    (mail,) = inbox.messages
    assert mail["to"] == ["ops@example.com"]
    assert mail["message"]["Subject"] == "ovhflow: Welcome with a report succeeded"
    assert "warning" not in result.stderr

    webhook_receiver.status = 503
    result = invoke_ovhflow("run", str(recipe), env={**env, "E2E_SMTP_PASSWORD": "wrong"}, cwd=tmp_path)
    assert result.returncode == 0
    (warning,) = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert "warning: plugin 'notify' failed at run end: webhook http://127.0.0.1:" in warning
    assert "answered HTTP 503" in warning
    assert "; e-mail via 127.0.0.1" in warning
    assert "SECRETTOKEN" not in result.stderr
    assert len(inbox.messages) == 1

    args = ("run", str(recipe), "--log-format", "json")
    result = invoke_ovhflow(*args, env={**env, "E2E_SMTP_PASSWORD": "wrong"}, cwd=tmp_path)
    assert result.returncode == 0
    events = [json.loads(line) for line in result.stderr.splitlines()]  # every line is one JSON object
    (warning,) = [event for event in events if "failed at run end" in event.get("message", "")]
    assert (warning["event"], warning["level"]) == ("warning", "warning")
    assert warning["message"].startswith("plugin 'notify' failed at run end: webhook http://127.0.0.1:")
    assert "SECRETTOKEN" not in result.stderr


# -- a killed export leaves the previous file or none ------------------------------------------------

SLOW_FILTER = '''
"""Test plugin: a filter that takes its time, so a run can be killed while the CSV is being written."""
import time
from ovhflow import hookimpl


@hookimpl
def ovhflow_template_filters():
    def slowly(value):
        time.sleep(0.3)
        return value
    return {"slowly": slowly}
'''


def slow_export_recipe(folder: Path) -> Path:
    recipe = folder / "slow-export.yaml"
    text = (RECIPES_DIR / "bills-csv.yaml").read_text(encoding="utf-8")
    recipe.write_text(
        text.replace('bill: "{{ row.bill }}"', 'bill: "{{ row.bill | slowly }}"'), encoding="utf-8"
    )
    assert "slowly" in recipe.read_text(encoding="utf-8")
    return recipe


def kill_during_export(sandbox, folder: Path, target: Path) -> None:
    plugins = folder / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "slow_filter.py").write_text(SLOW_FILTER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env.update(sandbox.env())
    command = [
        sys.executable,
        "-m",
        "ovhflow",
        "run",
        str(slow_export_recipe(folder)),
        "--plugins-dir",
        str(plugins),
        "-p",
        f"output={target.name}",
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder
    )
    try:
        pattern = f".{target.name}.*{TEMP_SUFFIX}"
        while not list(target.parent.glob(pattern)):  # the export has started writing
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL


@pytest.mark.timeout(60)
def test_killed_export_leaves_no_file(sandbox, tmp_path: Path) -> None:
    target = tmp_path / "bills.csv"
    kill_during_export(sandbox, tmp_path, target)
    assert not target.exists()


@pytest.mark.timeout(60)
def test_killed_export_leaves_the_previous_file(sandbox, tmp_path: Path) -> None:
    target = tmp_path / "bills.csv"
    first = run_recipe("bills-csv.yaml", sandbox, "-p", f"output={target.name}", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    previous = target.read_bytes()
    assert previous.count(b"\r\n") == 7
    kill_during_export(sandbox, tmp_path, target)
    assert target.read_bytes() == previous
    # the next run replaces the file and removes what the killed writer left behind
    again = run_recipe("bills-csv.yaml", sandbox, "-p", f"output={target.name}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert target.read_bytes() == previous
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_json_to_stdout_and_json_lines_to_a_file(sandbox, tmp_path: Path) -> None:
    recipe = tmp_path / "bills-json.yaml"
    recipe.write_text(
        textwrap.dedent(
            """\
            name: Bills as JSON
            steps:
              - id: ids
                get: /me/bill
              - id: bill
                loop: "{{ steps.ids.result }}"
                get: /me/bill/{{ item }}
              - json: {data: "{{ steps.ids.result }}"}
              - json: {data: "{{ steps.bill.results }}", path: bills.jsonl, lines: true}
              - json:
                  data: "{{ steps.bill.results | sum_by('date', date_format='%Y') }}"
                  path: per-year.json
            """
        ),
        encoding="utf-8",
    )
    result = invoke_ovhflow("run", str(recipe), "-q", env=sandbox.env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    bills = sandbox.state["bills"]
    assert json.loads(result.stdout) == list(bills)
    lines = (tmp_path / "bills.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(bills.values())
    per_year: dict[str, Decimal] = {}
    for bill in bills.values():
        year = bill["date"][:4]
        per_year[year] = per_year.get(year, Decimal(0)) + Decimal(str(bill["priceWithTax"]["value"]))
    written = json.loads((tmp_path / "per-year.json").read_text(encoding="utf-8"))
    assert written == {year: float(total) for year, total in per_year.items()}


def test_authorized_applications_table_on_a_terminal(sandbox, tmp_path: Path) -> None:
    """With stdout on a pseudo-terminal, the same recipe prints rich's boxed table."""
    import pty

    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env.update(sandbox.env(), COLUMNS="160", LINES="50")
    command = [sys.executable, "-m", "ovhflow", "run", "-q", str(RECIPES_DIR / "authorized-apps-table.yaml")]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0, process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    text = b"".join(chunks).decode("utf-8")
    assert "Authorized applications" in text
    assert "┏" in text and "┃" in text  # rich's box, not the plain table's dashes
    for credential in sandbox.state["credentials"].values():
        if credential["status"] == "validated":
            assert str(credential["credentialId"]) in text
    assert "[active] backup-script" in text  # data, not rich markup


def test_notify_webhook_option_without_a_notify_section(sandbox, tmp_path: Path, webhook_receiver) -> None:
    args = ("-p", "output=missing/bills.csv", "--notify-webhook", webhook_receiver.url)
    result = run_recipe("bills-csv.yaml", sandbox, *args, cwd=tmp_path)
    assert result.returncode == 1
    (request,) = webhook_receiver.requests
    assert request["json"]["recipe"] == "Export bills to CSV"
    assert request["json"]["status"] == "failed"


@pytest.mark.timeout(60)
def test_interrupted_run_alerts_the_webhook(sandbox_factory, tmp_path: Path, webhook_receiver) -> None:
    slow = sandbox_factory(servers=1, bills=6, latency=0.3)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVH_")}
    env.update(slow.env())
    command = [
        sys.executable,
        "-m",
        "ovhflow",
        "run",
        str(RECIPES_DIR / "bills-csv.yaml"),
        "-p",
        "output=bills.csv",
        "--notify-webhook",
        webhook_receiver.url,
        "--no-batch",  # one slow GET per bill, so that the run is still reading when it is stopped
    ]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not any("/me/bill/" in str(entry.get("path")) for entry in slow.journal):  # fetching bills
            assert process.poll() is None
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
    finally:
        if process.poll() is None:
            process.kill()
        if process.stderr:
            process.stderr.close()
    (request,) = webhook_receiver.requests
    assert request["json"]["status"] == "interrupted"
    assert request["json"]["exit_code"] == 143
    assert not (tmp_path / "bills.csv").exists()
