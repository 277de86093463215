import datetime

import pytest

from solhost.metering.periods import parse_period, previous_month


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (datetime.date(2026, 11, 25), datetime.date(2026, 10, 1)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 2, 1)),
        (datetime.date(2026, 1, 1), datetime.date(2025, 12, 1)),
    ],
)
def test_the_previous_month_starts_on_its_first_day(day, first):
    assert previous_month(day) == first


def test_a_period_runs_from_its_first_to_its_last_day():
    assert parse_period("2024-02") == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    with pytest.raises(ValueError, match="write the month as YYYY-MM"):
        parse_period("2026-13")
