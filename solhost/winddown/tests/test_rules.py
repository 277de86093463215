"""The dates a wind-down must keep and how a closed partner's money is settled, with
literal dates and amounts and no database."""

import datetime

import pytest

from solhost.core.problems import InputProblems
from solhost.winddown import rules
from solhost.winddown.rules import check_dates, date_problems

DAY = datetime.date(2026, 12, 1)
GOOD = {
    "announced_on": DAY,
    "no_new_signups_from": DAY,
    "read_only_from": datetime.date(2027, 2, 1),
    "data_return_deadline": datetime.date(2027, 3, 1),
    "shutdown_on": datetime.date(2027, 3, 1),
}


def test_dates_in_order_with_enough_notice_pass():
    assert date_problems(GOOD, today=DAY, minimum_notice_days=90) == []


def test_exactly_the_minimum_notice_is_enough():
    assert date_problems(GOOD, today=DAY, minimum_notice_days=90) == []
    [(where, message)] = date_problems(GOOD, today=DAY, minimum_notice_days=91)
    assert where == "data_return_deadline"
    assert message == (
        "Residents must have at least 91 days from the announcement to take their data; "
        "these dates give 90. The earliest deadline is 2027-03-02."
    )


def test_an_announcement_in_the_past_is_refused():
    [(where, message)] = date_problems(
        GOOD, today=DAY + datetime.timedelta(days=1), minimum_notice_days=0
    )
    assert where == "announced_on" and "today is 2026-12-02" in message


def test_each_date_out_of_order_is_named():
    dates = {**GOOD, "shutdown_on": datetime.date(2027, 2, 28)}
    problems = date_problems(dates, today=DAY, minimum_notice_days=0)
    assert problems == [
        (
            "shutdown_on",
            "The shutdown (2027-02-28) comes before the data-return deadline (2027-03-01); "
            "it must be on or after it.",
        )
    ]


def test_check_dates_raises_every_problem_at_once():
    dates = {**GOOD, "read_only_from": datetime.date(2026, 11, 1)}
    with pytest.raises(InputProblems) as refused:
        check_dates(dates, today=DAY, minimum_notice_days=100)
    assert [where for where, _ in refused.value.problems] == [
        "read_only_from",
        "data_return_deadline",
    ]


def test_paying_out_releases_the_held_money_into_the_payable():
    lines = rules.settlement(held_cents=5678, owed_cents=1234, rule="pay_out")
    assert lines == {"held": 5678, "payable": -5678}


def test_the_solidarity_rule_empties_both_into_the_fund():
    lines = rules.settlement(held_cents=5678, owed_cents=1234, rule="solidarity")
    assert lines == {"held": 5678, "payable": 1234, "solidarity": -6912}
    assert sum(lines.values()) == 0


def test_an_overpaid_payable_is_left_to_recover():
    assert rules.settlement(held_cents=0, owed_cents=-300, rule="solidarity") == {}
    assert rules.settlement(held_cents=100, owed_cents=-300, rule="solidarity") == {
        "held": 100,
        "solidarity": -100,
    }


def test_nothing_to_settle_gives_no_lines():
    assert rules.settlement(held_cents=0, owed_cents=0, rule="pay_out") == {}
    assert rules.settlement(held_cents=0, owed_cents=1234, rule="pay_out") == {}


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown rule 'keep'"):
        rules.settlement(held_cents=1, owed_cents=1, rule="keep")
