"""Months as accounting periods, and when each one stops taking usage. Pure: no Django.

A period is a calendar month in the region's time, written ``YYYY-MM``. Usage for it is
accepted until the end of its last day plus a grace of some days (a network parameter),
so late reports from partners still count; after that the period closes.
"""

import datetime
import re

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def parse_period(text: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of period ``text`` (``YYYY-MM``); ValueError if it is not one."""
    match = _PERIOD.fullmatch(text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a period: write the month as YYYY-MM, e.g. 2026-10")
    first = datetime.date(int(match[1]), int(match[2]), 1)
    return first, next_month(first) - datetime.timedelta(days=1)


def next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def period_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_day_for_usage(period: str, grace_days: int) -> datetime.date:
    """The last day on which usage for ``period`` is still accepted."""
    _, last = parse_period(period)
    return last + datetime.timedelta(days=grace_days)
