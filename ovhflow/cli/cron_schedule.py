"""Cron schedules: checking a five-field schedule and turning it into systemd ``OnCalendar=`` lines.

``ovhflow cron`` prints a crontab line and a systemd timer for the same job, so the timer must fire at
exactly the times cron would. Each field is expanded to its set of values, then written back in systemd's
syntax (``a..b`` ranges, ``a/step`` repetitions, lists). Cron runs a job when *either* the day of month or
the day of week matches if both are restricted; systemd wants both, so that case gives two lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ovhflow.errors import UsageError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SYSTEMD_WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, MONTHS, 1),
    _Field("day of week", 0, 7, WEEKDAYS, 0),
)


@dataclass(frozen=True)
class Schedule:
    """A checked cron schedule: its text and the set of values of each field."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday; cron's 7 is folded into 0
    days_restricted: bool
    weekdays_restricted: bool


def _number(text: str, spec: _Field, schedule: str) -> int:
    lowered = text.lower()
    if spec.names and lowered in spec.names:
        return spec.names.index(lowered) + spec.name_base
    if not text.isdigit():
        raise UsageError(f"schedule {schedule!r}: {spec.name} {text!r} is not a number")
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise UsageError(f"schedule {schedule!r}: {spec.name} {value} is outside {spec.low}-{spec.high}")
    return value


def _expand(field: str, spec: _Field, schedule: str) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                problem = f"{spec.name} step {step_text!r} is not a positive number"
                raise UsageError(f"schedule {schedule!r}: {problem}")
            step = int(step_text)
        if base == "*":
            low, high = spec.low, spec.high
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _number(first, spec, schedule), _number(last, spec, schedule)
            if low > high:
                raise UsageError(f"schedule {schedule!r}: {spec.name} range {base!r} goes backwards")
        elif base:
            low = _number(base, spec, schedule)
            high = spec.high if slash else low
        else:
            raise UsageError(f"schedule {schedule!r}: empty {spec.name} in {field!r}")
        values.update(range(low, high + 1, step))
    return values


def parse_schedule(text: str) -> Schedule:
    """Check a cron schedule (five fields, or ``@daily`` and friends); a bad one is a usage error (exit 2)."""
    expression = NICKNAMES.get(text.strip().lower(), text)
    if text.strip().lower() == "@reboot":
        raise UsageError("schedule '@reboot' is not a time of day; use a systemd service or cron directly")
    fields = expression.split()
    if len(fields) != 5:
        raise UsageError(
            f"schedule {text!r}: expected 5 fields (minute hour day-of-month month day-of-week), "
            f"got {len(fields)}"
        )
    expanded = [_expand(field, spec, text) for field, spec in zip(fields, FIELDS, strict=True)]
    weekdays = {0 if day == 7 else day for day in expanded[4]}
    return Schedule(
        text=" ".join(fields),
        minutes=frozenset(expanded[0]),
        hours=frozenset(expanded[1]),
        days=frozenset(expanded[2]),
        months=frozenset(expanded[3]),
        weekdays=frozenset(weekdays),
        days_restricted=not fields[2].startswith("*"),
        weekdays_restricted=not fields[4].startswith("*"),
    )


def _runs(ordered: list[int], spell: Callable[[int], str]) -> str:
    """``1,2,3,5`` -> ``1..3,5``: runs of three or more become systemd ranges."""
    parts: list[str] = []
    start = previous = ordered[0]
    for value in [*ordered[1:], None]:
        if value is not None and value == previous + 1:
            previous = value
            continue
        if previous - start >= 2:
            parts.append(f"{spell(start)}..{spell(previous)}")
        else:
            parts.extend(spell(v) for v in range(start, previous + 1))
        if value is not None:
            start = previous = value
    return ",".join(parts)


def _compact(values: frozenset[int], low: int, high: int) -> str:
    """systemd's shortest spelling of a value set: ``*``, ``a/step``, ``a..b`` runs, or a list."""
    ordered = sorted(values)
    if ordered == list(range(low, high + 1)):
        return "*"
    if len(ordered) > 2:
        step = ordered[1] - ordered[0]
        if ordered == list(range(ordered[0], high + 1, step)) and ordered[-1] + step > high:
            return f"{ordered[0]:02d}/{step}"
    return _runs(ordered, lambda value: f"{value:02d}")


def _weekday_spec(weekdays: frozenset[int]) -> str:
    if len(weekdays) == 7:
        return ""
    return _runs(sorted(weekdays), lambda day: SYSTEMD_WEEKDAYS[day]) + " "


def on_calendar(schedule: Schedule) -> list[str]:
    """The systemd ``OnCalendar=`` values firing at the same times as ``schedule`` (one or two)."""
    time_part = f"{_compact(schedule.hours, 0, 23)}:{_compact(schedule.minutes, 0, 59)}:00"
    month = _compact(schedule.months, 1, 12)
    day = _compact(schedule.days, 1, 31)
    all_days = frozenset(range(1, 32))
    all_weekdays = frozenset(range(7))
    if schedule.days_restricted and schedule.weekdays_restricted:
        return [
            f"{_weekday_spec(schedule.weekdays)}*-{month}-* {time_part}",
            f"*-{month}-{day} {time_part}",
        ]
    weekdays = schedule.weekdays if schedule.weekdays_restricted else all_weekdays
    days = schedule.days if schedule.days_restricted else all_days
    return [f"{_weekday_spec(weekdays)}*-{month}-{_compact(days, 1, 31)} {time_part}"]
