"""Closing a period: freeze its usage, split its money, post it all, in one transaction.

The close gathers a scenario from the database (``queries.build_scenario``: settled
payments, active days, each partner's standing on the period's last day and the
parameters in force then), hands it to the pure split (both in ``queries.close_figures``,
which the steward's preview also uses), and posts the lines the split makes
(``ledger_lines``) to the ledger. Everything happens in one database
transaction: a failure anywhere leaves nothing behind, and a second close of the same
period finds the first and changes nothing.
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from solhost.contributions.models import Payment
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.dates import month_in_words
from solhost.distribution.ledger_lines import close_lines
from solhost.distribution.models import (
    PartnerStatement,
    PaymentReversal,
    PeriodClose,
    ResidentShare,
)
from solhost.distribution.queries import close_figures, why_not_closable
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.metering.models import ActiveDay, FrozenPeriod, UsageEvent
from solhost.metering.periods import parse_period


class CannotClose(ValueError):
    """The period cannot be closed yet, or is not a period."""


class FiguresChanged(CannotClose):
    """The period's inputs changed since its figures were previewed; nothing was closed."""


def _check_closable(period: str, today: datetime.date) -> None:
    """Raise CannotClose, saying why, unless ``period``'s grace for late usage is over."""
    reason = why_not_closable(period, today)
    if reason:
        raise CannotClose(reason)


def close_period(
    *,
    period: str,
    actor,
    today: datetime.date | None = None,
    checked_input_hash: str | None = None,
) -> tuple[PeriodClose, bool]:
    """Close ``period``; return its close and whether this call made it (False: it existed).

    With ``checked_input_hash`` (a preview's), the close goes ahead only if its inputs are
    still the ones previewed: figures someone checked are the figures closed.
    """
    existing = PeriodClose.objects.filter(period=period).first()
    if existing is not None:
        return existing, False
    _check_closable(period, today or timezone.localdate())
    try:
        with transaction.atomic():
            return _close(period, actor, checked_input_hash), True
    except IntegrityError:
        # A concurrent close of the same period won; its result is the period's.
        existing = PeriodClose.objects.filter(period=period).first()
        if existing is None:
            raise
        return existing, False


def _close(period: str, actor, checked_input_hash: str | None) -> PeriodClose:
    _, last = parse_period(period)
    FrozenPeriod.objects.create(period=period)
    if connection.vendor == "postgresql":
        # Usage, payments and their reversals being written now either land before the close reads them or
        # wait, see the period frozen, and are refused: nothing slips in between.
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {UsageEvent._meta.db_table}, {ActiveDay._meta.db_table}, "
                f"{Payment._meta.db_table}, {PaymentReversal._meta.db_table} IN SHARE MODE"
            )
    figures = close_figures(period)
    close, result = figures.close, figures.result
    if checked_input_hash is not None and close.input_hash != checked_input_hash:
        raise FiguresChanged(
            f"the figures of {month_in_words(period)} changed since they were checked (a payment or partner's "
            "standing is new); nothing was closed: check the new figures"
        )
    lines = close_lines(
        result,
        figures.released,
        contributions=accounts.fixed_account(accounts.CONTRIBUTIONS),
        commons=accounts.fixed_account(accounts.COMMONS),
        solidarity=accounts.fixed_account(accounts.SOLIDARITY),
        land_back=accounts.fixed_account(accounts.LAND_BACK),
        held=lambda slug: accounts.held_account(figures.partners[slug]),
        payable=lambda slug: accounts.payable_account(figures.partners[slug]),
    )
    if any(line[1] for line in lines):
        close.ledger_entry = post_transaction(
            description=f"Close of {period}: contributions split ({result.algorithm})",
            postings=lines,
            actor=actor,
            date=last,
            key=f"close:{period}",
        )
    close.closed_by = actor if getattr(actor, "pk", None) else None
    close.save()
    for row in [*figures.statements, *figures.shares]:
        row.close = close
    PartnerStatement.objects.bulk_create(figures.statements)
    ResidentShare.objects.bulk_create(figures.shares, batch_size=2000)
    audit.record(
        actor=actor,
        action=AuditAction.CLOSE_PERIOD,
        obj=close,
        after={
            "period": period,
            "input_hash": close.input_hash,
            "total_in_cents": close.total_in_cents,
        },
    )
    return close
