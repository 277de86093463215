import datetime
import hashlib

import pytest

from solhost.contributions.payments_csv import (
    PaymentLine,
    parse_payments_csv,
    read_payments_csv,
)
from solhost.core.problems import InputProblems

TODAY = datetime.date(2026, 10, 10)


def key(text: str) -> str:
    return "csv:" + hashlib.sha256(text.encode()).hexdigest()[:60]


def test_lines_become_payments_in_cents_with_their_line_numbers():
    text = 'date,reference,amount\n2026-10-03, r-abc ,12.50\n\n2026-10-04,S-XYZ,"$1,200"\n'
    assert read_payments_csv(text, today=TODAY) == [
        PaymentLine(datetime.date(2026, 10, 3), "R-ABC", 1250, key("2026-10-03|R-ABC|1250|1"), 2),
        PaymentLine(
            datetime.date(2026, 10, 4), "S-XYZ", 120000, key("2026-10-04|S-XYZ|120000|1"), 4
        ),
    ]


def test_the_header_is_optional():
    lines = read_payments_csv("2026-10-03,R-ABC,5", today=TODAY)
    assert [(x.reference, x.amount_cents, x.line) for x in lines] == [("R-ABC", 500, 1)]


def test_identical_lines_are_distinct_payments_told_apart_by_their_order():
    first, second = read_payments_csv("2026-10-03,R-ABC,5\n2026-10-03,r-abc,5.00", today=TODAY)
    assert first.key == key("2026-10-03|R-ABC|500|1")
    assert second.key == key("2026-10-03|R-ABC|500|2")


def test_a_payment_dated_today_is_fine_but_not_tomorrow():
    assert read_payments_csv("2026-10-10,R-ABC,5", today=TODAY)
    with pytest.raises(InputProblems) as caught:
        read_payments_csv("2026-10-11,R-ABC,5", today=TODAY)
    assert caught.value.problems == [("line 1, date", "2026-10-11 is in the future")]


def test_every_bad_line_is_listed_with_where_and_why():
    text = "\n".join(
        [
            "2026-10-03,R-ABC,12.00",
            "03/10/2026,R-ABC,12.00",
            "2026-10-03,R-ABC,twelve",
            "2026-10-03,,5",
            "2026-10-03,R-ABC",
            "2026-10-03,R-ABC,0",
        ]
    )
    with pytest.raises(InputProblems) as caught:
        read_payments_csv(text, today=TODAY)
    assert caught.value.problems == [
        ("line 2, date", "'03/10/2026' is not a date like 2026-10-03"),
        ("line 3, amount", "'twelve' is not an amount of dollars, e.g. 12 or 12.50"),
        ("line 4, reference", "is empty"),
        ("line 5", "has 2 columns; write date, reference, amount"),
        ("line 6, amount", "must be more than zero"),
    ]


@pytest.mark.parametrize("text", ["", "date,reference,amount\n", "\n , , \n"])
def test_a_file_without_payments_is_refused(text):
    with pytest.raises(InputProblems) as caught:
        read_payments_csv(text, today=TODAY)
    assert caught.value.problems == [("file", "has no payment lines")]


def test_every_lines_date_and_reference_are_kept_for_the_callers_checks():
    text = "date,reference,amount\n2026-10-03,r-abc,twelve\n03/10/2026,R-DEF,5\n2026-10-04,,5\n"
    found = parse_payments_csv(text, today=TODAY)
    assert found.lines == []
    assert found.named == [
        (2, datetime.date(2026, 10, 3), "R-ABC"),
        (3, None, "R-DEF"),
        (4, datetime.date(2026, 10, 4), ""),
    ]
    assert [(number, where) for number, where, _ in found.problems] == [
        (2, "line 2, amount"),
        (3, "line 3, date"),
        (4, "line 4, reference"),
    ]


def test_a_reference_with_a_control_character_is_refused():
    found = parse_payments_csv("2026-10-03,R-A\x00B,5\n2026-10-03,R-\tC,5", today=TODAY)
    assert found.lines == [] and [code for _, _, code in found.named] == ["", ""]
    assert [problem[1:] for problem in found.problems] == [
        ("line 1, reference", "holds a character that is not text"),
        ("line 2, reference", "holds a character that is not text"),
    ]


def test_lines_ended_by_a_lone_carriage_return_are_read():
    lines = read_payments_csv("date,reference,amount\r2026-10-03,R-ABC,5\r", today=TODAY)
    assert [(x.reference, x.amount_cents, x.line) for x in lines] == [("R-ABC", 500, 2)]


def test_a_file_that_cannot_be_read_as_csv_is_refused_at_its_line():
    text = "2026-10-03,R-ABC,5\n2026-10-04,R-ABC," + "9" * 200_000 + "\n"
    with pytest.raises(InputProblems) as refused:
        read_payments_csv(text, today=TODAY)
    ((where, problem),) = refused.value.problems
    assert where == "line 2"
    assert problem.startswith("cannot be read as CSV")
