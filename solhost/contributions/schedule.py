"""When a pledge's payments fall due, and which due payment a reminder may be about.

Pure: plain dates in, plain dates out.
"""

import calendar
import datetime

FREQUENCIES = ("weekly", "fortnightly", "monthly", "yearly")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month = 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def due_date(start: datetime.date, frequency: str, n: int) -> datetime.date:
    """The ``n``-th due day (0 is ``start``)."""
    if frequency == "weekly":
        return start + datetime.timedelta(weeks=n)
    if frequency == "fortnightly":
        return start + datetime.timedelta(weeks=2 * n)
    if frequency == "monthly":
        return _add_months(start, n)
    if frequency == "yearly":
        return _add_months(start, 12 * n)
    raise ValueError(f"unknown frequency {frequency!r}; one of {', '.join(FREQUENCIES)}")


def latest_overdue(
    start: datetime.date, frequency: str, *, grace_days: int, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The latest payment whose grace has passed by ``today``, as its period (due day,
    next due day), or None when none has. Only the latest: a reminder never lists a past."""
    grace = datetime.timedelta(days=grace_days)
    if start + grace >= today:
        return None
    n = 0
    while due_date(start, frequency, n + 1) + grace < today:
        n += 1
    return due_date(start, frequency, n), due_date(start, frequency, n + 1)
