"""The job ``ovhflow cron`` prints: its crontab line, its systemd service and timer, and its files.

Apart from the command (cli/cron_cmd.py), which checks the recipe and assembles the ``ovhflow run``
arguments: this module only turns that command line into text cron and systemd read right, with each
one's quoting (cron's ``%``, systemd's ``%`` and ``$``) and where the job's log, results and report go.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
from pathlib import Path
from typing import NamedTuple

from ovhflow.cli.cron_schedule import on_calendar, parse_schedule

_SAFE_WORD = re.compile(r"^[A-Za-z0-9_@+=:,./-]+$")


def state_dir() -> Path:
    """Where logs and reports go by default: ``$XDG_STATE_HOME/ovhflow`` when set, else /var/log/ovhflow
    for root, else ``~/.local/state/ovhflow``."""
    if os.environ.get("XDG_STATE_HOME"):
        return Path(os.environ["XDG_STATE_HOME"]) / "ovhflow"
    if os.geteuid() == 0:
        return Path("/var/log/ovhflow")
    return Path(os.path.expanduser("~/.local/state")) / "ovhflow"


def crontab_escape(command: str) -> str:
    """Cron turns an unescaped ``%`` into a newline; a backslash keeps it a percent sign."""
    return command.replace("%", "\\%")


def systemd_quote(word: str) -> str:
    """One ExecStart= word: bare when plain, else double-quoted; ``%`` and ``$`` doubled for systemd."""
    if not _SAFE_WORD.match(word):
        word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return word.replace("%", "%%").replace("$", "$$")


def render(
    schedule_text: str, recipe: Path, name: str, command: list[str], log: Path, out: Path, report: Path
) -> str:
    """The text printed: crontab line, then the service and timer units, with where each one goes."""
    schedule = parse_schedule(schedule_text)
    unit_dir = "/etc/systemd/system" if os.geteuid() == 0 else "~/.config/systemd/user"
    systemctl = "systemctl" if os.geteuid() == 0 else "systemctl --user"
    cron_line = f"{schedule.text} {crontab_escape(shlex.join(command))} >> {shlex.quote(str(out))} "
    cron_line += f"2>> {shlex.quote(str(log))}"
    calendars = "\n".join(f"OnCalendar={value}" for value in on_calendar(schedule))
    exec_start = " ".join(systemd_quote(word) for word in command)
    # a system unit without User= runs as root: name who runs it (a user unit runs as its user)
    user = f"User={pwd.getpwuid(os.geteuid()).pw_name}\n" if os.geteuid() == 0 else ""
    escaped_out, escaped_log = (str(p).replace("%", "%%") for p in (out, log))
    return f"""\
# Runs {recipe} on schedule "{schedule.text}" ({name}).
# The lock is on: a run still going when the next one starts makes the new one exit 4.
# JSON log (stderr): {log}   results (stdout): {out}   report of the latest run: {report}
# First: mkdir -p {" ".join(shlex.quote(str(folder)) for folder in sorted({log.parent, report.parent}))}

# --- crontab line (add it with: crontab -e) ---
{cron_line}

# --- {unit_dir}/{name}.service ---
[Unit]
Description=ovhflow recipe {recipe.name.replace("%", "%%")}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
{user}UMask=0077
NoNewPrivileges=yes
ExecStart={exec_start}
StandardOutput=append:{escaped_out}
StandardError=append:{escaped_log}

# --- {unit_dir}/{name}.timer ---
[Unit]
Description=Schedule of {name}.service (cron: {schedule.text})

[Timer]
{calendars}
Unit={name}.service

[Install]
WantedBy=timers.target

# Then: {systemctl} daemon-reload && {systemctl} enable --now {name}.timer
"""


class JobFiles(NamedTuple):
    """Where a scheduled job writes: its JSON log (stderr), its results (stdout) and its report."""

    log: Path
    out: Path
    report: Path

    @classmethod
    def resolve(cls, job: str, log_file: str | None, report_file: str | None) -> JobFiles:
        """The files given, made absolute now (the job starts in another folder), else the state folder's."""
        folder = state_dir()
        log = Path(log_file).resolve() if log_file else folder / f"{job}.log"
        report = Path(report_file).resolve() if report_file else folder / f"{job}.report.json"
        return cls(log, log.with_suffix(".out"), report)
