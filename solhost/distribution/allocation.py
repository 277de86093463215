"""Splitting an amount of cents by whole-number weights, to the cent. Pure: no Django.

This is the one rounding rule of the region (ARCHITECTURE.md, "The split"): the
largest-remainder method, with ties broken by a salted hash so that no recipient is
favoured by its name or its place in a list, and anyone can recompute every cent.
"""

import hashlib
from collections.abc import Mapping


def tie_break_key(salt: str, key: str) -> str:
    """The hex digest that orders equal remainders: lowest first gets the cent."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def _check_whole(value: object, what: str) -> int:
    # bool is an int in Python; True cents or True days are a mistake, not a number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def allocate(total_cents: int, weights: Mapping[str, int], salt: str) -> dict[str, int]:
    """Split ``total_cents`` between the keys of ``weights`` in proportion to the weights.

    Args:
        total_cents (int):
            the amount to split, a whole number of cents, zero or more
        weights (Mapping[str, int]):
            a map of recipient keys to whole-number weights, zero or more each
        salt (str):
            text that makes the tie-break particular to this split, e.g.
            ``"2026-10:ana"``; the same salt always breaks ties the same way

    Each key first gets its base share ``total_cents * w // W`` (``W`` is the sum of
    the weights). The cents left over, fewer than the number of keys, go one each to
    the keys with the largest remainders ``total_cents * w % W``; equal remainders are
    ordered by ascending ``sha256(f"{salt}:{key}").hexdigest()``.

    A zero total, or weights that are all zero (or none at all), give every key zero:
    there is nobody to give the money to, and the caller decides where it goes.

    Returns a new dict with the same keys as ``weights``.

    Raises:
        TypeError: if the total or a weight is not a whole number
        ValueError: if the total or a weight is negative
    """
    _check_whole(total_cents, "total_cents")
    for key, weight in weights.items():
        _check_whole(weight, f"the weight of {key!r}")

    weight_sum = sum(weights.values())
    if total_cents == 0 or weight_sum == 0:
        return dict.fromkeys(weights, 0)

    shares = {key: total_cents * weight // weight_sum for key, weight in weights.items()}
    leftover = total_cents - sum(shares.values())
    by_remainder = sorted(
        weights,
        key=lambda key: (-(total_cents * weights[key] % weight_sum), tie_break_key(salt, key)),
    )
    for key in by_remainder[:leftover]:
        shares[key] += 1

    assert sum(shares.values()) == total_cents, (total_cents, weights, salt, shares)
    return shares
