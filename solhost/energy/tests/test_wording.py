"""S2.2 and S3 in words, from literal figures: what residents, partners and the steward read."""

import datetime

import pytest

from solhost.energy.wording import (
    NOT_ANALYSED,
    STATUS_WORDS,
    OutageFigures,
    RenewableFigures,
    last_day_of_grace,
    outage_words,
    renewable_words,
)


def renewable(status="met", share=9345, days=365, coverage=10_000) -> RenewableFigures:
    return RenewableFigures(
        status=status,
        share_bp=share,
        days_measured=days,
        coverage_bp=coverage,
        window_days=365,
        least_bp=8000,
        min_coverage_bp=9000,
    )


def outage(status="met", lasted=72.0, analysed=True) -> OutageFigures:
    return OutageFigures(
        status=status,
        hours_required=72,
        hours_lasted=lasted,
        grace_last_day=datetime.date(2027, 3, 31),
        analysed=analysed,
    )


def test_a_judged_share_over_the_whole_window():
    words = renewable_words(renewable())
    assert words.short == "93.45 % renewable over the last 365 days"
    assert words.sentence == (
        "93.45 % renewable over the last 365 days, at least the 80 % the charter asks."
    )
    assert not words.thin


def test_a_share_below_the_least_says_so_and_how_many_days_it_covers():
    words = renewable_words(renewable("not_met", share=6210, days=350, coverage=9589))
    assert words.short == "62.1 % renewable over the last 365 days, below 80 %"
    assert words.sentence == (
        "62.1 % renewable over the 350 days measured of the last 365 days, below the 80 % "
        "the charter asks."
    )


def test_a_share_over_too_few_days_states_the_coverage_and_is_not_judged():
    words = renewable_words(renewable("needs_evidence", share=10_000, days=28, coverage=767))
    assert words.thin
    assert words.short == "100 % renewable so far, over 28 days measured"
    assert words.sentence == (
        "100 % renewable over the 28 days measured so far; the share is judged once 90 % of "
        "365 days are measured (7.67 % now)."
    )
    assert words.status_words == "Not yet shown"


def test_too_few_days_with_no_load_recorded():
    words = renewable_words(renewable("needs_evidence", share=None, days=1, coverage=27))
    assert words.short == "Not measured enough yet (1 day of 365)"
    assert words.thin


def test_no_readings_at_all():
    assert renewable_words(renewable("needs_evidence", share=None, coverage=None)) == NOT_ANALYSED
    assert outage_words(outage("needs_evidence", lasted=None, analysed=False)) == NOT_ANALYSED
    assert NOT_ANALYSED.short == "No meter readings yet"


def test_outage_met():
    words = outage_words(outage())
    assert words.short == "Rides through a 72-hour power outage"
    assert words.sentence == (
        "Keeps its essential service running through a 72-hour power outage, whenever it starts."
    )


def test_outage_not_met_says_how_long_it_lasts_in_whole_hours():
    words = outage_words(outage("not_met", lasted=31.75))
    assert words.short == "Lasts 31 hours of a 72-hour power outage at worst"
    assert words.sentence == (
        "At worst its battery lasts 31 hours of the 72-hour power outage the charter asks it "
        "to ride through."
    )


def test_outage_in_grace_names_the_day_and_what_it_lasts_so_far():
    words = outage_words(outage("grace", lasted=40.0))
    assert (
        words.short
        == "Start-up grace: must ride through a 72-hour power outage after 31 March 2027"
    )
    assert words.sentence.endswith("after 31 March 2027. So far it lasts 40 hours at worst.")
    assert outage_words(outage("grace", lasted=None)).sentence.endswith("after 31 March 2027.")


def test_outage_with_too_little_battery_data_is_not_yet_shown():
    words = outage_words(outage("needs_evidence", lasted=None))
    assert (words.short, words.thin) == ("Outage readiness not yet shown", True)
    assert words.status_words == "Not yet shown"


@pytest.mark.parametrize(("status", "shown"), list(STATUS_WORDS.items()))
def test_every_status_has_words_and_missing_proof_never_reads_as_a_failure(status, shown):
    assert shown
    if status == "needs_evidence":
        assert "not met" not in shown.lower()


def test_the_grace_window_counts_the_first_day_of_operation():
    assert last_day_of_grace(datetime.date(2026, 4, 1), 365) == datetime.date(2027, 3, 31)
