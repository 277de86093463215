"""Months and days as people read them. Pure: no Django.

Months are stored, sent and put in links as ``YYYY-MM`` (an accounting period, a month of
energy data); pages and messages say ``October 2026`` and ``5 November 2026`` instead.
"""

import datetime


def month_in_words(month: str) -> str:
    """``"2026-10"`` as ``"October 2026"``; ValueError if ``month`` is not ``YYYY-MM``."""
    return f"{datetime.date.fromisoformat(f'{month}-01'):%B %Y}"


def day_in_words(day: datetime.date) -> str:
    """``date(2026, 11, 5)`` as ``"5 November 2026"``: no leading zero, the month named."""
    return f"{day.day} {day:%B %Y}"


def moment_with_zone(text: str) -> datetime.datetime | None:
    """The moment ``text`` names in ISO 8601 with its zone (``2026-12-07T03:45Z``,
    ``…+10:00``); None for anything else, a moment without a zone included."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
