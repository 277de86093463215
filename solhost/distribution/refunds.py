"""Giving a payment back: a refund to the payer, or the bank taking it back.

Either is a reversing ledger transaction (bank −, and contributions or the solidarity
fund +), never an edit of the payment, and only while the payment's month is open: the
close leaves a reversed payment out of the split, and the public page counts it out of
the month it was paid in, so a closed month's figures stay as published.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from solhost.contributions.models import Payment
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.dates import month_in_words
from solhost.core.money import format_aud
from solhost.core.problems import InputProblems
from solhost.distribution.models import PaymentReversal
from solhost.ledger.actions import reverse
from solhost.metering.models import FrozenPeriod
from solhost.metering.periods import period_of


def why_not_reversible(payment: Payment) -> str:
    """Why the payment cannot be given back now, or "" when its month is open."""
    period = period_of(payment.received_on)
    if FrozenPeriod.objects.filter(period=period).exists():
        return f"its month, {month_in_words(period)}, is closed and split: a closed month's payments stay"
    return ""


def reverse_payment(
    *, payment: Payment, kind: str, reversed_on: datetime.date, reason: str, actor
) -> PaymentReversal:
    """Post the payment's reversal; InputProblems names each field at fault, posting nothing."""
    problems = []
    if kind not in PaymentReversal.Kind.values:
        problems.append(("kind", "Choose a refund or a reversal by the bank."))
    if reversed_on < payment.received_on:
        problems.append(
            ("reversed_on", f"Is before the payment was received, {payment.received_on:%-d %b %Y}.")
        )
    if reversed_on > timezone.localdate():
        problems.append(("reversed_on", "Is in the future."))
    if not reason.strip():
        problems.append(("reason", "Say why, for the books."))
    if problems:
        raise InputProblems(problems)
    with transaction.atomic(durable=True):
        payment = (
            Payment.objects.select_for_update().select_related("ledger_entry").get(pk=payment.pk)
        )
        if PaymentReversal.objects.filter(payment=payment).exists():
            raise InputProblems([("payment", "This payment was already given back.")])
        if closed := why_not_reversible(payment):
            raise InputProblems([("payment", f"It cannot be given back: {closed}.")])
        label = PaymentReversal.Kind(kind).label
        entry = reverse(
            entry=payment.ledger_entry,
            actor=actor,
            date=reversed_on,
            reason=f"{label}, {format_aud(payment.amount_cents)}: {reason.strip()}",
        )
        reversal = PaymentReversal.objects.create(
            payment=payment,
            kind=kind,
            reversed_on=reversed_on,
            reason=reason.strip(),
            ledger_entry=entry,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        # A close may have committed since the check above; once the reversal is in, a close
        # waits for this transaction (it locks the reversals table), so checking again is enough.
        if closed := why_not_reversible(payment):
            raise InputProblems([("payment", f"It cannot be given back: {closed}.")])
        audit.record_saved(reversal, actor=actor, action=AuditAction.PAYMENT_REVERSE)
    return reversal
