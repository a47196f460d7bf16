"""`ovhflow cron`: schedule checking, systemd OnCalendar equivalence, and the printed job."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ovhflow.cli.cron_schedule import on_calendar, parse_schedule
from ovhflow.errors import UsageError
from tests.cli_invoke import invoke_ovhflow
from tests.helpers import run_ovhflow

RECIPE = (
    "name: nightly\ninputs:\n  password: {type: string, secret: true, env: NIGHTLY_PASSWORD}\n"
    "  dc: {type: string, default: sbg1}\n  days: {type: integer, default: 7}\nsteps:\n  - log: hello\n"
)


def _cron_matches(schedule: str, moment: dt.datetime) -> bool:
    """A second, independent reading of cron's rules, written plainly for the test."""
    minute, hour, dom, month, dow = schedule.split()

    def match(field: str, value: int, low: int, high: int) -> bool:
        for part in field.split(","):
            base, _, step = part.partition("/")
            start, end = (
                (low, high)
                if base == "*"
                else (
                    (int(base.split("-")[0]), int(base.split("-")[1]))
                    if "-" in base
                    else (int(base), high if step else int(base))
                )
            )
            if start <= value <= end and (value - start) % int(step or 1) == 0:
                return True
        return False

    weekday = (moment.weekday() + 1) % 7
    dom_ok = match(dom, moment.day, 1, 31)
    dow_ok = match(dow, weekday, 0, 7) or (weekday == 0 and match(dow, 7, 0, 7))
    day_ok = (
        (dom_ok or dow_ok) if (not dom.startswith("*") and not dow.startswith("*")) else (dom_ok and dow_ok)
    )
    return (
        match(minute, moment.minute, 0, 59)
        and match(hour, moment.hour, 0, 23)
        and match(month, moment.month, 1, 12)
        and day_ok
    )


SCHEDULES = [
    "0 3 * * *",
    "*/15 * * * *",
    "0 9-17 * * 1-5",
    "30 2 1,15 * *",
    "0 0 1 * 1",
    "5 4 * * 7",
    "0 */6 * * *",
    "0-30/10 8 * 2-3 0,6",
    "0 12 13 * 5",
]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="needs systemd-analyze to evaluate timers"
)
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_on_calendar_fires_when_cron_would(schedule: str) -> None:
    start = dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.timezone.utc)
    expected = []
    moment = start
    while len(expected) < 8:
        moment += dt.timedelta(minutes=1)
        if _cron_matches(schedule, moment):
            expected.append(moment)
    fired: set[dt.datetime] = set()
    for calendar in on_calendar(parse_schedule(schedule)):
        result = subprocess.run(
            [
                "systemd-analyze",
                "calendar",
                "--iterations=8",
                "--base-time=2026-01-01 00:00:00 UTC",
                f"{calendar} UTC",
            ],
            capture_output=True,
            text=True,
            env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, result.stderr
        for stamp in re.findall(
            r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", result.stdout.split("Next elapse")[1]
        ):
            fired.add(dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.timezone.utc))
    assert sorted(fired)[:8] == expected


@pytest.mark.parametrize(
    "bad",
    [
        "0 3 * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "5-1 * * * *",
        "a * * * *",
        "@reboot",
        "1,,2 * * * *",
    ],
)
def test_bad_schedules_are_refused(bad: str) -> None:
    with pytest.raises(UsageError, match="schedule"):
        parse_schedule(bad)


def test_names_and_nicknames() -> None:
    assert on_calendar(parse_schedule("0 6 * jan-mar mon-fri")) == ["Mon..Fri *-01..03-* 06:00:00"]
    assert on_calendar(parse_schedule("@daily")) == ["*-*-* 00:00:00"]
    assert on_calendar(parse_schedule("@hourly")) == ["*-*-* *:00:00"]


def test_cron_prints_crontab_line_and_units(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "night job%.yaml"
    recipe.write_text(RECIPE)
    (tmp_path / "ovh.conf").write_text("[default]\nendpoint = ovh-eu\n")
    # a subprocess: the printed job starts the executable this process was started as, found as cron would
    result = run_ovhflow(
        "cron",
        recipe.name,
        "--schedule",
        "0 3 * * 1-5",
        "-p",
        "dc=sbg1",
        "--wait-lock",
        "300",
        env=isolated_env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    cron_line = next(line for line in text.splitlines() if line.startswith("0 3 * * 1-5 "))
    state = Path(isolated_env["XDG_STATE_HOME"]) / "ovhflow"
    assert "'" + str(recipe).replace("%", "\\%") + "'" in cron_line  # absolute, quoted, % escaped for cron
    assert " run " in cron_line and "--log-format json" in cron_line
    assert f"--report {state}/ovhflow-night-job.report.json" in cron_line
    assert f"2>> {state}/ovhflow-night-job.log" in cron_line
    assert f"--config {tmp_path / 'ovh.conf'}" in cron_line  # ./ovh.conf made absolute: cron runs in $HOME
    assert "-p dc=sbg1" in cron_line and "--wait-lock 300" in cron_line
    assert f"--output-dir {tmp_path}" in cron_line  # outputs where cron was set up, not in $HOME
    assert "UMask=0077" in text and "NoNewPrivileges=yes" in text
    assert ("\nUser=" in text) == (os.geteuid() == 0)  # a system unit names its user; a user unit runs as it
    executable = cron_line.split()[5]
    assert Path(executable).is_absolute()
    assert "OnCalendar=Mon..Fri *-*-* 03:00:00" in text
    assert "ExecStart=" in text and "%%.yaml" in text and "Type=oneshot" in text
    assert "WantedBy=timers.target" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze to check units")
def test_printed_units_pass_systemd_verify(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "burst.yaml"
    recipe.write_text(RECIPE)
    result = run_ovhflow(
        "cron", str(recipe), "--schedule", "0 0 1 * 1", "--name", "burst", env=isolated_env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    units: dict[str, list[str]] = {}
    current = None
    for line in result.stdout.splitlines():
        header = re.match(r"# --- .*/(burst\.(service|timer)) ---", line)
        if header:
            current = header.group(1)
            units[current] = []
        elif line.startswith("# Then"):
            current = None
        elif current:
            units[current].append(line)
    assert set(units) == {"burst.service", "burst.timer"}
    assert sum(line.startswith("OnCalendar=") for line in units["burst.timer"]) == 2  # dom OR dow, as cron
    for name, lines in units.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    check = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "burst.timer"), str(tmp_path / "burst.service")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_cron_refuses_bad_input(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(RECIPE)
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("name: broken\nsteps: []\n")
    cases = [
        (["cron", str(recipe), "--schedule", "0 3 * *"], "expected 5 fields"),
        (["cron", str(recipe), "--schedule", "0 25 * * *"], "hour 25"),
        (["cron", str(tmp_path / "missing.yaml"), "--schedule", "@daily"], "no such file"),
        (
            ["cron", str(recipe), "--schedule", "@daily", "-p", "password=hunter22"],
            "input password is secret",
        ),
        (  # the name as run reads it, spaces stripped: no way around the secret check
            ["cron", str(recipe), "--schedule", "@daily", "-p", " password =hunter22"],
            "input password is secret",
        ),
        (["cron", str(recipe), "--schedule", "@daily", "-p", "novalue"], "expected NAME=VALUE"),
        (
            ["cron", str(recipe), "--schedule", "@daily", "-p", "hunter22"],
            "-p option #1: expected NAME=VALUE",
        ),
        (["cron", str(invalid), "--schedule", "@daily"], "invalid.yaml:2:"),
    ]
    for args, expected in cases:
        result = invoke_ovhflow(*args, env=isolated_env, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr
        assert "hunter22" not in result.stdout + result.stderr
