"""The one way money enters the books: ``post_transaction``, and its undo, ``reverse``."""

import datetime
from collections.abc import Iterable

from django.db import transaction as db_transaction

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.ledger.models import Account, Posting, Transaction, writing


class Unbalanced(ValueError):
    """Postings that do not sum to zero cents, or a transaction with fewer than two."""


def post_transaction(
    *,
    description: str,
    postings: Iterable[tuple[Account, int] | tuple[Account, int, str]],
    actor,
    date: datetime.date,
    key: str | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Write one balanced transaction: ``(account, cents[, memo])`` lines, debit positive.

    Lines of zero cents are dropped; the rest must sum to zero and be at least two.
    ``key`` names the cause; posting the same key again raises IntegrityError, so callers
    that replay look it up first inside their own transaction.
    """
    lines = [(line[0], line[1], line[2] if len(line) > 2 else "") for line in postings]
    for _, cents, _ in lines:
        if isinstance(cents, bool) or not isinstance(cents, int):
            raise Unbalanced(f"amounts are whole cents, got {cents!r}")
    lines = [line for line in lines if line[1] != 0]
    total = sum(cents for _, cents, _ in lines)
    if total != 0 or len(lines) < 2:
        raise Unbalanced(
            f"a transaction needs two or more lines summing to zero; {len(lines)} lines sum to {total} cents"
        )
    entry = Transaction(
        date=date,
        description=description,
        key=key,
        reverses=reverses,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    with db_transaction.atomic(), writing(entry):
        entry.save()
        Posting.objects.bulk_create(
            Posting(transaction=entry, account=account, amount_cents=cents, memo=memo)
            for account, cents, memo in lines
        )
        audit.record(
            actor=actor,
            action=AuditAction.LEDGER_POST,
            obj=entry,
            after={"lines": [[account.code, cents] for account, cents, _ in lines]},
        )
    return entry


def reverse(*, entry: Transaction, actor, date: datetime.date, reason: str) -> Transaction:
    """Undo a transaction by posting its opposite; the original stays in the books."""
    if hasattr(entry, "reversed_by"):
        raise ValueError(f"transaction {entry.pk} was already reversed by {entry.reversed_by.pk}")
    return post_transaction(
        description=f"Reversal of {entry.pk}: {reason}",
        postings=[
            (p.account, -p.amount_cents, p.memo) for p in entry.postings.select_related("account")
        ],
        actor=actor,
        date=date,
        reverses=entry,
    )
