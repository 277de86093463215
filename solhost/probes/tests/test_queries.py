import datetime

import pytest

from solhost.probes.queries import Availability, window_start


@pytest.mark.parametrize(
    ("checks", "up", "words"),
    [
        (0, 0, "No checks"),
        (288, 288, "100 %"),
        (288, 0, "0 %"),
        (288, 287, "99.65 %"),
        # Down once in 90 days of 5-minute checks: nearly 100 %, but never shown as it.
        (25_920, 25_919, "99.99 %"),
        (3, 1, "33.33 %"),
    ],
)
def test_availability_in_words(checks, up, words):
    assert Availability(checks, up).words == words


def test_a_window_counts_whole_hours_ending_with_the_current_one():
    now = datetime.datetime(2026, 3, 1, 10, 25, tzinfo=datetime.UTC)
    assert window_start(now, datetime.timedelta(hours=24)) == datetime.datetime(
        2026, 2, 28, 11, 0, tzinfo=datetime.UTC
    )
