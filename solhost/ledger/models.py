from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models

from solhost.partners.models import Organisation

APPEND_ONLY = "the ledger is append-only: post a reversal instead"

# The transaction ``post_transaction`` is writing: the only one whose rows may be inserted.
_being_written: ContextVar["Transaction | None"] = ContextVar("ledger_being_written", default=None)


@contextmanager
def writing(entry: "Transaction") -> Iterator["Transaction"]:
    """Inside this block, and only here, ``entry`` and postings for it may be inserted.

    So a posting can never join a transaction already stored, and no transaction is stored
    but by the action that writes its postings with it.
    """
    if entry.pk is not None:
        raise ValueError(f"transaction {entry.pk} is already stored: post a new one instead")
    token = _being_written.set(entry)
    try:
        yield entry
    finally:
        _being_written.reset(token)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError(APPEND_ONLY)

    def delete(self):
        raise ValueError(APPEND_ONLY)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.refuse_unless_being_written()
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnly(models.Model):
    """Rows that are written once: a correction is a new reversing transaction."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(APPEND_ONLY)
        self.refuse_unless_being_written()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)

    def refuse_unless_being_written(self) -> None:
        """Raise ValueError unless this new row belongs to the transaction being written."""
        raise NotImplementedError


class Account(models.Model):
    """A place money sits in the steward's books, e.g. ``liabilities:payable:mcc``.

    Signs follow double entry as Beancount writes it: a debit is positive. An asset's
    balance is positive; a liability's or income's balance is negative.
    """

    class Kind(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        INCOME = "income", "Income"

    code = models.CharField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    partner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Transaction(AppendOnly):
    """One balanced movement of money: its postings sum to zero cents."""

    date = models.DateField(db_index=True)
    description = models.CharField(max_length=300)
    # What caused it, unique so a replayed cause posts nothing new (e.g. "close:2026-10").
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.description}"

    def refuse_unless_being_written(self) -> None:
        if _being_written.get() is not self:
            raise ValueError(
                "a ledger transaction is written with its postings by post_transaction"
            )


class Posting(AppendOnly):
    """One line of a transaction: an amount of whole cents (debit positive) on one account."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_cents = models.BigIntegerField()
    memo = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["transaction_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_cents=0), name="posting_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_cents}"

    def refuse_unless_being_written(self) -> None:
        entry = _being_written.get()
        if entry is None or entry.pk is None or entry.pk != self.transaction_id:
            raise ValueError(
                f"a posting joins only the transaction written with it, not transaction "
                f"{self.transaction_id}: post a new transaction instead"
            )
