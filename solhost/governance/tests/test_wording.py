"""Parameter values in human units, from literal values: no basis points or cents on a page."""

import pytest

from solhost.governance.wording import bound_in_words, value_in_words


@pytest.mark.parametrize(
    ("kind", "unit", "value", "words"),
    [
        ("cents", "AUD cents a month", 100_000, "$1,000.00 a month"),
        ("cents", "AUD cents", 5000, "$50.00"),
        ("cents", "AUD cents per FTE per year", 5_833_360, "$58,333.60 per FTE per year"),
        ("basis_points", "basis points of the window", 9000, "90 % of the window"),
        ("basis_points", "basis points of energy used", 8000, "80 % of energy used"),
        ("basis_points", "basis points of gross revenue", 0, "0 % of gross revenue"),
        (
            "basis_points",
            "basis points of the declared power",
            20_000,
            "200 % of the declared power",
        ),
        ("basis_points", "basis points of each payment", 1250, "12.5 % of each payment"),
        ("integer", "days", 365, "365 days"),
        ("integer", "days", 1, "1 day"),
        ("integer", "metres", 1000, "1,000 metres"),
        ("integer", "W", 1_000_000, "1,000,000 W"),
        (
            "text_list",
            "AUD cents a month",
            ["0", "500", "1200", "2500"],
            "$0.00, $5.00, $12.00, $25.00 a month",
        ),
        (
            "text_list",
            "server roles",
            ["offsite_backup", "dns", "cloud_connector"],
            "off-site backup, DNS, cloud connector",
        ),
        ("text_list", "companies", ["Amazon", "Google", "Microsoft"], "Amazon, Google, Microsoft"),
        ("text_list", "companies", [], "(none)"),
        ("text", "pool", "commons", "the commons pool"),
        ("text", "pool", "somewhere", "somewhere pool"),
    ],
)
def test_values_in_words(kind, unit, value, words):
    assert value_in_words(kind, unit, value) == words


def test_active_days_are_explained():
    words = value_in_words("text", "rule", "active_days")
    assert words.startswith("active days: ")
    assert "in proportion to the days they used it" in words


def test_bounds_read_like_values():
    assert bound_in_words("basis_points", "basis points of the declared power", 10_000) == (
        "100 % of the declared power"
    )
    assert bound_in_words("integer", "days", None) == "—"


def test_codes_in_words():
    from solhost.governance.wording import code_in_words

    assert code_in_words("offsite_backup") == "off-site backup"
    assert code_in_words("unknown_code") == "unknown_code"
