import hashlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solhost.distribution.allocation import allocate, tie_break_key

FAST = settings(max_examples=200, deadline=None)


def test_an_even_split_needs_no_rounding():
    assert allocate(1200, {"commons": 1000, "solidarity": 500, "providers": 8500}, "s") == {
        "commons": 120,
        "solidarity": 60,
        "providers": 1020,
    }


def test_the_leftover_cent_goes_to_the_largest_remainder():
    # 2333 × 1000 / 10000 = 233.3, × 500 → 116.65, × 8500 → 1983.05: one cent left over,
    # and solidarity's remainder (6500 of 10000) is the largest.
    assert allocate(2333, {"commons": 1000, "solidarity": 500, "providers": 8500}, "s") == {
        "commons": 233,
        "solidarity": 117,
        "providers": 1983,
    }


def test_equal_remainders_are_ordered_by_the_salted_sha256():
    salt = "2026-10:dee"
    mail = hashlib.sha256(b"2026-10:dee:mail").hexdigest()
    chat = hashlib.sha256(b"2026-10:dee:chat").hexdigest()
    assert (tie_break_key(salt, "mail"), tie_break_key(salt, "chat")) == (mail, chat)
    assert chat < mail
    assert allocate(3, {"mail": 1, "chat": 1}, salt) == {"mail": 1, "chat": 2}


def test_the_salt_changes_who_wins_a_tie():
    # Under each salt the lower digest wins; across salts the winner differs.
    winners = {
        salt: max(allocate(1, {"a": 1, "b": 1}, salt).items(), key=lambda kv: kv[1])[0]
        for salt in ("2026-10:x", "2026-10:y", "2026-11:x", "2026-11:y")
    }
    for salt, winner in winners.items():
        loser = "b" if winner == "a" else "a"
        assert tie_break_key(salt, winner) < tie_break_key(salt, loser)
    assert set(winners.values()) == {"a", "b"}


def test_a_zero_total_gives_zeros():
    assert allocate(0, {"a": 3, "b": 1}, "s") == {"a": 0, "b": 0}


def test_one_cent_goes_to_exactly_one_recipient():
    assert allocate(1, {"a": 3, "b": 1}, "s") == {"a": 1, "b": 0}
    shares = allocate(1, {"a": 1, "b": 1, "c": 1}, "s")
    assert sorted(shares.values()) == [0, 0, 1]


def test_all_zero_weights_give_zeros_and_leave_the_total_to_the_caller():
    assert allocate(500, {"a": 0, "b": 0}, "s") == {"a": 0, "b": 0}
    assert allocate(500, {}, "s") == {}


def test_a_zero_weight_never_receives_a_cent():
    assert allocate(7, {"a": 0, "b": 1, "c": 1}, "s")["a"] == 0


def test_a_single_recipient_gets_everything():
    assert allocate(12345, {"only": 7}, "s") == {"only": 12345}


@pytest.mark.parametrize(
    ("total", "weights"),
    [(-1, {"a": 1}), (10, {"a": 1, "b": -1})],
)
def test_negative_amounts_are_refused(total, weights):
    with pytest.raises(ValueError, match="must not be negative"):
        allocate(total, weights, "s")


@pytest.mark.parametrize(
    ("total", "weights"), [(1.5, {"a": 1}), (10, {"a": True}), (10, {"a": 2.0})]
)
def test_fractions_and_booleans_are_refused(total, weights):
    with pytest.raises(TypeError, match="whole number"):
        allocate(total, weights, "s")


totals = st.integers(min_value=0, max_value=10**12)
weight_maps = st.dictionaries(
    st.text(min_size=1, max_size=8), st.integers(min_value=0, max_value=10**6), max_size=12
)
salts = st.text(max_size=20)


@FAST
@given(totals, weight_maps, salts)
def test_nothing_is_created_or_lost(total, weights, salt):
    shares = allocate(total, weights, salt)
    assert shares.keys() == weights.keys()
    assert all(share >= 0 for share in shares.values())
    expected = total if sum(weights.values()) else 0
    assert sum(shares.values()) == expected


@FAST
@given(totals, weight_maps, salts)
def test_each_share_is_within_one_cent_of_its_exact_quota(total, weights, salt):
    weight_sum = sum(weights.values())
    shares = allocate(total, weights, salt)
    for key, weight in weights.items():
        quota = Fraction(total * weight, weight_sum) if weight_sum else Fraction(0)
        assert abs(shares[key] - quota) < 1


@FAST
@given(totals, weight_maps, salts)
def test_extra_cents_go_to_remainders_no_smaller_than_any_left_without(total, weights, salt):
    weight_sum = sum(weights.values())
    shares = allocate(total, weights, salt)
    if not weight_sum:
        return
    remainder = {key: total * w % weight_sum for key, w in weights.items()}
    rounded_up = {key for key, w in weights.items() if shares[key] > total * w // weight_sum}
    for up in rounded_up:
        for key in weights.keys() - rounded_up:
            assert (remainder[up], tie_break_key(salt, key)) >= (
                remainder[key],
                tie_break_key(salt, up),
            )


@FAST
@given(totals, weight_maps, salts, st.randoms(use_true_random=False))
def test_the_result_is_deterministic_whatever_the_order_of_keys(total, weights, salt, random):
    items = list(weights.items())
    random.shuffle(items)
    assert allocate(total, dict(items), salt) == allocate(total, weights, salt)
    assert allocate(total, weights, salt) == allocate(total, weights, salt)
