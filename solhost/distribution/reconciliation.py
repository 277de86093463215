"""Payouts reconciled from the steward's bank statement.

A batch's credits leave the bank with their lodgement references (``PAYOUT <slug> B<n>``,
``LAND BACK B<n>``), which the bank prints in the debit's description. A new debit naming
a batch line's reference, for the line's amount, reconciles the line; one naming a payout
of a batch but not matching it is flagged for the steward with the reason. Runs inside
the statement import (``statement_debits_imported``), so an error stores nothing.
"""

import datetime
import re

from solhost.contributions.models import StatementLine
from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.money import format_aud
from solhost.distribution.models import PayoutBatch, PayoutLine

# A payout's or the land back's lodgement reference, with its batch number.
PAYOUT_LIKE = re.compile(r"\b(?:PAYOUT\b.*?|LAND BACK\s+)B(\d+)\b")


def bank_text(text: str) -> str:
    """Upper case, single spaces: banks print references in their own case and spacing."""
    return " ".join(text.upper().split())


def _names(description: str, reference: str) -> bool:
    """Whether the reference stands whole in the description (B1 is not inside B12)."""
    pattern = rf"(?<![A-Z0-9]){re.escape(bank_text(reference))}(?![A-Z0-9])"
    return re.search(pattern, description) is not None


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def reconcile_debits(*, lines: list[StatementLine], actor) -> None:
    """Reconcile the batch lines these debits pay, and flag the payout-like ones that don't;
    called inside the import's transaction."""
    wanted = {}
    for line in lines:
        description = bank_text(line.description)
        if numbers := {int(n) for n in PAYOUT_LIKE.findall(description)}:
            wanted[line.pk] = (description, numbers)
    if not wanted:
        return
    batches = set().union(*(numbers for _, numbers in wanted.values()))
    candidates = list(
        # Locks the lines only: PostgreSQL cannot lock the outer join's missing debits.
        PayoutLine.objects.select_for_update(of=("self",))
        .filter(batch__in=batches)
        .select_related("batch", "statement_line")
    )
    for line in lines:
        if line.pk not in wanted:
            continue
        description, numbers = wanted[line.pk]
        named = [
            c for c in candidates if c.batch_id in numbers and _names(description, c.reference)
        ]
        reason = _reconcile(line, named, actor=actor)
        if reason:
            line.flag = reason[:300]
            line.save(update_fields=["flag"])
            audit.record(actor=actor, action=AuditAction.PAYOUT_DEBIT_FLAG, obj=line, note=reason)


def _reconcile(debit: StatementLine, named: list[PayoutLine], *, actor) -> str:
    """Mark the named line reconciled by the debit, or say why it cannot be."""
    paid = -debit.amount_cents
    if not named:
        return "names a payout batch, but no line of it has this reference"
    fits = [c for c in named if c.amount_cents == paid and c.statement_line is None]
    if not fits:
        payout = named[0]
        if payout.statement_line is not None and payout.amount_cents == paid:
            return (
                f"batch {payout.batch_id}'s {payout.reference} was already reconciled by the "
                f"debit of {_day(payout.statement_line.booked_on)}"
            )
        return (
            f"the bank paid {format_aud(paid)}, but batch {payout.batch_id} has "
            f"{format_aud(payout.amount_cents)} for {payout.reference} to {payout.account_name}"
        )
    payout = fits[0]
    if payout.batch.status != PayoutBatch.Status.SENT:
        return (
            f"pays batch {payout.batch_id}'s {payout.reference}, but the batch is not marked "
            "sent: mark it sent, and this debit reconciles it at the next import"
        )
    before = audit.snapshot(payout)
    payout.statement_line, payout.reconciled_on = debit, debit.booked_on
    payout.save(update_fields=["statement_line", "reconciled_on"])
    audit.record(
        actor=actor,
        action=AuditAction.PAYOUT_RECONCILE,
        obj=payout,
        before=before,
        after=audit.snapshot(payout),
        note=f"debit of {_day(debit.booked_on)}: {debit.description}"[:500],
    )
    return ""


def on_statement_debits(sender, *, lines: list[StatementLine], actor, **kwargs) -> None:
    reconcile_debits(lines=lines, actor=actor)


def flagged_debits(batch: PayoutBatch) -> list[StatementLine]:
    """The flagged debits that name this batch, oldest first."""
    flagged = StatementLine.objects.filter(status=StatementLine.Status.DEBIT).exclude(flag="")
    return [
        line
        for line in flagged
        if batch.pk in {int(n) for n in PAYOUT_LIKE.findall(bank_text(line.description))}
    ]
