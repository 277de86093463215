"""Whether a wind-down's dates can be kept. Pure: plain dates in, problems out."""

import datetime
import itertools

from solhost.core.problems import InputProblems

# Field names and their words, in the order the dates must come.
DATE_ORDER = (
    ("announced_on", "the announcement"),
    ("no_new_signups_from", "the end of new sign-ups"),
    ("read_only_from", "read-only"),
    ("data_return_deadline", "the data-return deadline"),
    ("shutdown_on", "the shutdown"),
)


def date_problems(
    dates: dict[str, datetime.date], *, today: datetime.date, minimum_notice_days: int
) -> list[tuple[str, str]]:
    """Every reason the dates cannot be kept, as ``(field, message)`` pairs.

    Each date comes on or after the one before it; the announcement is not in the past
    (residents cannot have been told earlier than now); and residents get at least the
    network's minimum notice between the announcement and the data-return deadline.
    """
    problems: list[tuple[str, str]] = []
    announced = dates["announced_on"]
    if announced < today:
        problems.append(
            ("announced_on", f"The announcement cannot be in the past: today is {today}.")
        )
    for (before, before_words), (field, words) in itertools.pairwise(DATE_ORDER):
        if dates[field] < dates[before]:
            problems.append(
                (
                    field,
                    f"{words.capitalize()} ({dates[field]}) comes before {before_words} "
                    f"({dates[before]}); it must be on or after it.",
                )
            )
    notice = (dates["data_return_deadline"] - announced).days
    if notice < minimum_notice_days:
        problems.append(
            (
                "data_return_deadline",
                f"Residents must have at least {minimum_notice_days} days from the announcement "
                f"to take their data; these dates give {notice}. The earliest deadline is "
                f"{announced + datetime.timedelta(days=minimum_notice_days)}.",
            )
        )
    return problems


def check_dates(
    dates: dict[str, datetime.date], *, today: datetime.date, minimum_notice_days: int
) -> None:
    """Raise ``InputProblems`` naming every problem with the dates."""
    problems = date_problems(dates, today=today, minimum_notice_days=minimum_notice_days)
    if problems:
        raise InputProblems(problems)


# The network's choices for ``wind_down_balance_rule``.
PAY_OUT = "pay_out"
TO_SOLIDARITY = "solidarity"


def settlement(*, held_cents: int, owed_cents: int, rule: str) -> dict[str, int]:
    """The ledger lines that settle a closed partner's money, debit positive, by account:
    ``held`` (held for it until it qualified), ``payable`` (owed to it, carried below the
    minimum payout or not yet paid) and ``solidarity`` (the fund). They sum to zero.

    ``pay_out`` releases the held money into the payable, where it is paid out with the
    rest; ``solidarity`` empties both into the solidarity fund. A payable already overpaid
    (``owed_cents`` below zero) stays as it is: it is a debt to recover, not money to move.
    """
    if rule not in (PAY_OUT, TO_SOLIDARITY):
        raise ValueError(f"unknown rule {rule!r}: {PAY_OUT} or {TO_SOLIDARITY}")
    held, owed = max(held_cents, 0), max(owed_cents, 0)
    if rule == PAY_OUT:
        lines = {"held": held, "payable": -held}
    else:
        lines = {"held": held, "payable": owed, "solidarity": -(held + owed)}
    return {account: cents for account, cents in lines.items() if cents}
