"""The lines a period's close posts to the ledger, from its split. Pure: no Django.

Contributions leave the income account for the pools and the partners: each qualified
partner's net share becomes what the steward owes it (its payable account), a partner not
qualified on the last day has its share held, and money held before for a partner that
qualifies now moves from held to payable. The lines balance because the split does.
"""

from collections.abc import Callable, Mapping
from typing import TypeVar

from solhost.distribution.split import PeriodSplit

Account = TypeVar("Account")


def close_lines(
    result: PeriodSplit,
    released: Mapping[str, int],
    *,
    contributions: Account,
    commons: Account,
    solidarity: Account,
    land_back: Account,
    held: Callable[[str], Account],
    payable: Callable[[str], Account],
) -> list[tuple[Account, int, str]]:
    """``(account, cents, memo)`` lines, debit positive, in the order they are posted.

    ``released`` is each partner's held money released by this close (by slug); ``held``
    and ``payable`` give a partner's accounts from its slug.
    """
    lines = [
        (contributions, result.balance.total_in_cents, ""),
        (commons, -result.pools.commons_cents, ""),
        (solidarity, -result.pools.solidarity_cents, ""),
        (land_back, -result.pools.land_back_cents, ""),
    ]
    for slug, figures in result.partners.items():
        if released[slug]:
            lines.append((held(slug), released[slug], f"released to {slug}"))
            lines.append((payable(slug), -released[slug], "released held money"))
        if figures.held_cents:
            lines.append((held(slug), -figures.held_cents, "held: not qualified"))
        elif figures.net_cents:
            lines.append((payable(slug), -figures.net_cents, "net of land back"))
    return lines
