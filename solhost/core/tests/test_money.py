import pytest
from hypothesis import given
from hypothesis import strategies as st

from solhost.core.money import (
    format_aud,
    format_bp,
    format_decimal,
    format_dollars,
    format_percent_figure,
    parse_aud,
)

LARGEST = 999_999_999_99  # nine digits of dollars: the most parse_aud reads


@pytest.mark.parametrize(
    "text, cents", [("12", 1200), ("12.5", 1250), ("$1,200.05", 120005), (" 0 ", 0)]
)
def test_dollars_are_read_as_whole_cents(text, cents):
    assert parse_aud(text) == cents


@pytest.mark.parametrize("text", ["", "12.345", "-5", "ten", "1e3"])
def test_anything_else_is_not_an_amount(text):
    with pytest.raises(ValueError, match="not an amount"):
        parse_aud(text)


@pytest.mark.parametrize(
    "cents, people, dollars, decimal",
    [
        (0, "$0.00", "0.00", "0.00"),
        (5, "$0.05", "0.05", "0.05"),
        (-5, "−$0.05", "-0.05", "-0.05"),
        (100, "$1.00", "1.00", "1.00"),
        (-195, "−$1.95", "-1.95", "-1.95"),
        (-150, "−$1.50", "-1.50", "-1.50"),
        (-250, "−$2.50", "-2.50", "-2.50"),
        (120005, "$1,200.05", "1,200.05", "1200.05"),
        (5_833_360, "$58,333.60", "58,333.60", "58333.60"),
        (123456789, "$1,234,567.89", "1,234,567.89", "1234567.89"),
        (-123456789, "−$1,234,567.89", "-1,234,567.89", "-1234567.89"),
    ],
)
def test_each_form_writes_every_amount_of_either_sign(cents, people, dollars, decimal):
    assert (format_aud(cents), format_dollars(cents), format_decimal(cents)) == (
        people,
        dollars,
        decimal,
    )


@given(st.integers(min_value=0, max_value=LARGEST))
def test_what_is_written_reads_back_as_the_same_cents(cents):
    assert parse_aud(format_aud(cents)) == cents
    assert parse_aud(format_dollars(cents)) == cents
    assert parse_aud(format_decimal(cents)) == cents


@given(st.integers(min_value=-LARGEST, max_value=LARGEST))
def test_a_negative_amount_is_its_positive_with_a_sign(cents):
    assert format_aud(-abs(cents)) == ("−" if cents else "") + format_aud(abs(cents))
    assert format_decimal(-abs(cents)) == ("-" if cents else "") + format_decimal(abs(cents))


@pytest.mark.parametrize(
    "basis_points, figure",
    [
        (0, "0"),
        (1, "0.01"),
        (50, "0.5"),
        (-50, "-0.5"),
        (999, "9.99"),
        (1000, "10"),
        (5000, "50"),
        (6667, "66.67"),
        (8750, "87.5"),
        (10_000, "100"),
    ],
)
def test_shares_are_written_exactly_with_no_trailing_zeros(basis_points, figure):
    assert format_percent_figure(basis_points) == figure
    assert format_bp(basis_points) == f"{figure} %"


@given(st.integers(min_value=-1_000_000, max_value=1_000_000))
def test_a_share_reads_back_as_the_same_basis_points(basis_points):
    whole, _, decimals = format_percent_figure(abs(basis_points)).partition(".")
    assert int(whole) * 100 + int(decimals.ljust(2, "0") or "0") == abs(basis_points)
