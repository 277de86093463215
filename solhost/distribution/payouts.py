"""Paying partners: the steward records each transfer out of what a partner is owed.

A partner's payable account (a liability) grows at every close by its net share and
shrinks with each payout. A payout may never take it below zero, on its own date or on
any later one, so a payout dated in the past cannot overdraw what a later payout
already took.
"""

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.money import format_dollars
from solhost.core.problems import InputProblems
from solhost.distribution.models import Payout
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.books import balance
from solhost.ledger.models import Account, Posting
from solhost.partners.models import Organisation


def owed_cents(partner: Organisation, *, on: datetime.date | None = None) -> int:
    """What the steward owes ``partner`` at the end of day ``on`` (today if not given)."""
    return -balance(accounts.payable_account(partner), at=on or timezone.localdate())


def _payable_from(account: Account, day: datetime.date) -> int:
    """The least the account owes on ``day`` or any later day: what a payout then may take."""
    owed = least = -balance(account, at=day)
    later = (
        Posting.objects.filter(account=account, transaction__date__gt=day)
        .order_by("transaction__date", "transaction_id")
        .values_list("amount_cents", flat=True)
    )
    for cents in later:
        owed -= cents
        least = min(least, owed)
    return least


def record_payout(
    *,
    partner: Organisation,
    amount_cents: int,
    paid_on: datetime.date,
    bank_reference: str,
    token: str,
    actor,
) -> Payout | None:
    """Record a transfer to ``partner``; None if this form (``token``) was recorded before.

    Raises InputProblems naming the field at fault: an amount of zero or less, a date in
    the future, or more than the partner is owed from that date on.
    """
    problems = []
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        problems.append(("amount", "must be more than zero"))
    if paid_on > timezone.localdate():
        problems.append(("paid_on", "is in the future"))
    if problems:
        raise InputProblems(problems)
    key = "form:" + hashlib.sha256(token.encode()).hexdigest()[:60]
    with transaction.atomic(durable=True):
        account = accounts.payable_account(partner)
        # One payout at a time per partner: two stewards paying at once cannot both spend
        # the same balance.
        Account.objects.select_for_update().get(pk=account.pk)
        if Payout.objects.filter(key=key).exists():
            return None
        payable = _payable_from(account, paid_on)
        if amount_cents > payable:
            raise InputProblems(
                [
                    (
                        "amount",
                        f"is more than the {format_dollars(payable)} AUD owed to {partner} "
                        f"from {paid_on.isoformat()} on",
                    )
                ]
            )
        entry = post_transaction(
            description=f"Payout to {partner.slug}",
            postings=[
                (account, amount_cents, bank_reference),
                (accounts.fixed_account(accounts.BANK), -amount_cents, bank_reference),
            ],
            actor=actor,
            date=paid_on,
            key=f"payout:{key}",
        )
        payout = Payout.objects.create(
            partner=partner,
            paid_on=paid_on,
            amount_cents=amount_cents,
            bank_reference=bank_reference,
            key=key,
            recorded_by=actor if getattr(actor, "pk", None) else None,
            ledger_entry=entry,
        )
        audit.record_saved(payout, actor=actor, action=AuditAction.PAYOUT)
    return payout
