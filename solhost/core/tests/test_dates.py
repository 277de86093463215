import datetime

import pytest
from django.template import Context, Template

from solhost.core.dates import day_in_words, month_in_words


def test_a_month_is_named_with_its_year():
    assert month_in_words("2026-10") == "October 2026"
    assert month_in_words("2027-01") == "January 2027"


def test_a_day_has_no_leading_zero_and_its_month_named():
    assert day_in_words(datetime.date(2026, 11, 5)) == "5 November 2026"


def test_text_that_is_no_month_is_refused():
    with pytest.raises(ValueError):
        month_in_words("2026-13")


def test_the_filter_writes_months_as_core_dates_does():
    page = Template("{% load dates %}{{ period|month_words }}").render(
        Context({"period": "2026-10"})
    )
    assert page == "October 2026"
