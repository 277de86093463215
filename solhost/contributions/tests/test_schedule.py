"""Due days of a pledge and the payment a reminder may be about."""

import datetime

import pytest

from solhost.contributions.schedule import due_date, latest_overdue

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "n", "expected"),
    [
        ("weekly", 2, D(2026, 10, 15)),
        ("fortnightly", 1, D(2026, 10, 15)),
        ("monthly", 1, D(2026, 11, 1)),
        ("yearly", 1, D(2027, 10, 1)),
    ],
)
def test_due_days_follow_the_frequency(frequency, n, expected):
    assert due_date(D(2026, 10, 1), frequency, n) == expected


def test_a_monthly_pledge_on_the_31st_falls_due_on_the_months_last_day():
    assert due_date(D(2026, 1, 31), "monthly", 1) == D(2026, 2, 28)
    assert due_date(D(2026, 1, 31), "monthly", 2) == D(2026, 3, 31)


def test_only_the_latest_payment_past_its_grace_is_overdue():
    start = D(2026, 10, 1)
    assert latest_overdue(start, "monthly", grace_days=7, today=D(2026, 10, 8)) is None
    assert latest_overdue(start, "monthly", grace_days=7, today=D(2026, 10, 9)) == (
        D(2026, 10, 1),
        D(2026, 11, 1),
    )
    assert latest_overdue(start, "monthly", grace_days=7, today=D(2027, 1, 20)) == (
        D(2027, 1, 1),
        D(2027, 2, 1),
    )
    assert latest_overdue(start, "weekly", grace_days=3, today=D(2026, 10, 12)) == (
        D(2026, 10, 8),
        D(2026, 10, 15),
    )


def test_an_unknown_frequency_is_named():
    with pytest.raises(ValueError, match="unknown frequency 'daily'"):
        due_date(D(2026, 10, 1), "daily", 1)
