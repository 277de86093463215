"""Counting a decision's votes, one function per decision type. Pure: no Django.

Each function takes the ballots as plain values and returns an ``Outcome``: whether the
proposal passes, a sentence explaining why that anyone can check against the votes, and
(for a median) the value adopted.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from solhost.core.money import format_percent_figure

AGREE: Final = "agree"
DISAGREE: Final = "disagree"
ABSTAIN: Final = "abstain"
BLOCK: Final = "block"

CONSENT_CHOICES: Final = (AGREE, DISAGREE, ABSTAIN, BLOCK)
MAJORITY_CHOICES: Final = (AGREE, DISAGREE, ABSTAIN)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    explanation: str
    value: int | None = None


def _counts(ballots: Sequence[str], allowed: Sequence[str]) -> Counter[str]:
    unknown = sorted({b for b in ballots if b not in allowed})
    if unknown:
        raise ValueError(f"unknown choice {unknown[0]!r}; expected one of {', '.join(allowed)}")
    return Counter(ballots)


def _plural(count: int, word: str, plural: str) -> str:
    return f"{count} {word if count == 1 else plural}"


def consent(ballots: Sequence[str]) -> Outcome:
    """Passes if nobody blocks and at least one organisation agrees.

    A disagreement that is not a block is a stand-aside: recorded, but it does not stop
    the decision.
    """
    counts = _counts(ballots, CONSENT_CHOICES)
    agree, block = counts[AGREE], counts[BLOCK]
    summary = f"{agree} agree, {block} block, {counts[ABSTAIN]} abstain"
    if counts[DISAGREE]:
        summary += f", {counts[DISAGREE]} disagree without blocking"
    if block:
        return Outcome(False, f"{summary}: blocked, no consent")
    if not agree:
        return Outcome(False, f"{summary}: nobody agreed, no consent")
    return Outcome(True, f"{summary}: consent reached")


def majority(
    ballots: Sequence[str], *, electorate: int, threshold_bp: int, quorum_bp: int
) -> Outcome:
    """Passes if enough organisations voted and agree votes exceed the threshold.

    Args:
        ballots: one choice per organisation that voted (agree, disagree or abstain).
        electorate: how many organisations could vote.
        threshold_bp: agree votes must be *more than* this share of agree and disagree
            votes together (5000: more than half; a tie fails). Abstentions are not counted
            either way.
        quorum_bp: votes of any kind, abstentions included, must be *at least* this share
            of the electorate.
    """
    if electorate < len(ballots):
        raise ValueError(f"{len(ballots)} ballots from an electorate of {electorate}")
    counts = _counts(ballots, MAJORITY_CHOICES)
    agree, disagree, cast = counts[AGREE], counts[DISAGREE], len(ballots)
    summary = (
        f"{agree} agree, {disagree} disagree, {counts[ABSTAIN]} abstain "
        f"of {_plural(electorate, 'member', 'members')}"
    )
    if electorate == 0 or cast * 10_000 < quorum_bp * electorate:
        return Outcome(
            False, f"{summary}: quorum of {format_percent_figure(quorum_bp)}% not reached"
        )
    if agree * 10_000 > threshold_bp * (agree + disagree):
        return Outcome(
            True, f"{summary}: more than {format_percent_figure(threshold_bp)}% agree, passed"
        )
    return Outcome(
        False, f"{summary}: not more than {format_percent_figure(threshold_bp)}% agree, rejected"
    )


def median_of_proposals(
    values: Sequence[int | None], *, say: Callable[[int], str] = str
) -> Outcome:
    """Adopts the median of the values the organisations proposed; None is an abstention.

    With an even number of values the *lower* of the two middle values is adopted: the
    result is always a value someone proposed, never a fraction, and it errs towards the
    smaller change in prices and shares. Passes if at least one value was proposed.
    ``say`` writes a value in the explanation, e.g. ``$25.00 a month`` for ``2500``.
    """
    proposed = sorted(v for v in values if v is not None)
    abstained = len(values) - len(proposed)
    summary = f"{_plural(len(proposed), 'value', 'values')} proposed, {abstained} abstain"
    if not proposed:
        return Outcome(False, f"{summary}: no value to adopt")
    middle = (len(proposed) - 1) // 2
    if len(proposed) % 2:
        return Outcome(
            True, f"{summary}: the median, {say(proposed[middle])}, is adopted", proposed[middle]
        )
    low, high = proposed[middle], proposed[middle + 1]
    rule = "" if low == high else f" (the lower of the middle values {say(low)} and {say(high)})"
    return Outcome(True, f"{summary}: the median, {say(low)}{rule}, is adopted", low)
