from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solhost.core.money import format_aud
from solhost.governance.tally import Outcome, consent, majority, median_of_proposals


def test_consent_reached_when_someone_agrees_and_nobody_blocks():
    assert consent(["agree", "agree", "agree", "abstain"]) == Outcome(
        True, "3 agree, 0 block, 1 abstain: consent reached"
    )


def test_consent_single_block_stops_it():
    assert consent(["agree", "agree", "block"]) == Outcome(
        False, "2 agree, 1 block, 0 abstain: blocked, no consent"
    )


def test_consent_disagreement_without_block_stands_aside():
    assert consent(["agree", "disagree"]) == Outcome(
        True, "1 agree, 0 block, 0 abstain, 1 disagree without blocking: consent reached"
    )


def test_consent_no_votes_or_only_abstentions():
    assert consent([]) == Outcome(False, "0 agree, 0 block, 0 abstain: nobody agreed, no consent")
    assert not consent(["abstain", "abstain"]).passed


def test_consent_refuses_unknown_choice():
    with pytest.raises(ValueError, match="unknown choice 'maybe'"):
        consent(["agree", "maybe"])


def test_majority_passes_above_threshold_with_quorum():
    assert majority(
        ["agree", "agree", "disagree"], electorate=4, threshold_bp=5000, quorum_bp=5000
    ) == (Outcome(True, "2 agree, 1 disagree, 0 abstain of 4 members: more than 50% agree, passed"))


def test_majority_exactly_at_quorum_counts():
    # 2 of 4 is exactly 50%: the quorum is met; abstentions count towards it.
    assert majority(["agree", "abstain"], electorate=4, threshold_bp=5000, quorum_bp=5000).passed


def test_majority_below_quorum():
    assert majority(["agree"], electorate=4, threshold_bp=5000, quorum_bp=5000) == Outcome(
        False, "1 agree, 0 disagree, 0 abstain of 4 members: quorum of 50% not reached"
    )


def test_majority_tie_is_not_more_than_half():
    assert majority(["agree", "disagree"], electorate=2, threshold_bp=5000, quorum_bp=5000) == (
        Outcome(
            False, "1 agree, 1 disagree, 0 abstain of 2 members: not more than 50% agree, rejected"
        )
    )


def test_majority_two_thirds_threshold():
    assert majority(
        ["agree", "agree", "disagree"], electorate=3, threshold_bp=6666, quorum_bp=0
    ).passed
    assert not majority(
        ["agree", "agree", "disagree"], electorate=3, threshold_bp=6667, quorum_bp=0
    ).passed


def test_majority_no_votes_and_only_abstentions():
    assert majority([], electorate=3, threshold_bp=5000, quorum_bp=5000).explanation.endswith(
        "quorum of 50% not reached"
    )
    assert not majority([], electorate=0, threshold_bp=5000, quorum_bp=0).passed
    assert not majority(["abstain"] * 3, electorate=3, threshold_bp=5000, quorum_bp=5000).passed


def test_majority_refuses_more_ballots_than_voters():
    with pytest.raises(ValueError, match="3 ballots from an electorate of 2"):
        majority(["agree"] * 3, electorate=2, threshold_bp=5000, quorum_bp=0)


def test_median_odd_count():
    assert median_of_proposals([300, 100, 200, None]) == Outcome(
        True, "3 values proposed, 1 abstain: the median, 200, is adopted", 200
    )


def test_median_even_count_takes_the_lower_middle_value():
    assert median_of_proposals([400, 100, 300, 200]) == Outcome(
        True,
        "4 values proposed, 0 abstain: the median, 200 (the lower of the middle values 200 and 300), is adopted",
        200,
    )


def test_median_tied_middle_values():
    assert median_of_proposals([500, 500]) == Outcome(
        True, "2 values proposed, 0 abstain: the median, 500, is adopted", 500
    )


def test_median_values_are_written_in_their_unit():
    assert median_of_proposals([2500, 1200, 3000], say=format_aud).explanation == (
        "3 values proposed, 0 abstain: the median, $25.00, is adopted"
    )
    assert median_of_proposals([1200, 2500], say=format_aud).explanation == (
        "2 values proposed, 0 abstain: the median, $12.00 (the lower of the middle values "
        "$12.00 and $25.00), is adopted"
    )


def test_median_no_values():
    assert median_of_proposals([]) == Outcome(
        False, "0 values proposed, 0 abstain: no value to adopt"
    )
    assert not median_of_proposals([None, None]).passed


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1))
def test_median_is_a_proposed_value_with_at_least_half_at_or_above_and_below(values):
    adopted = median_of_proposals(values).value
    assert adopted in values
    assert 2 * sum(v <= adopted for v in values) >= len(values)
    assert 2 * sum(v >= adopted for v in values) >= len(values)


@given(
    st.lists(st.sampled_from(["agree", "disagree", "abstain"])),
    st.integers(0, 10),
    st.integers(0, 9999),
    st.integers(0, 10_000),
)
def test_majority_agrees_with_fractions(ballots, extra, threshold_bp, quorum_bp):
    electorate = len(ballots) + extra
    agree, disagree = ballots.count("agree"), ballots.count("disagree")
    expected = (
        electorate > 0
        and Fraction(len(ballots), electorate) >= Fraction(quorum_bp, 10_000)
        and agree + disagree > 0
        and Fraction(agree, agree + disagree) > Fraction(threshold_bp, 10_000)
    )
    outcome = majority(
        ballots, electorate=electorate, threshold_bp=threshold_bp, quorum_bp=quorum_bp
    )
    assert outcome.passed == expected
