from django.conf import settings
from django.db import models

from solhost.partners.models import Organisation


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("the ledger is append-only: post a reversal instead")

    def delete(self):
        raise ValueError("the ledger is append-only: post a reversal instead")


class AppendOnly(models.Model):
    """Rows that are written once: a correction is a new reversing transaction."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("the ledger is append-only: post a reversal instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the ledger is append-only: post a reversal instead")


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
