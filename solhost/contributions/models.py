from django.conf import settings
from django.db import models

from solhost.ledger.models import Transaction
from solhost.partners.models import Organisation


class PaymentReference(models.Model):
    """What a payer writes on a bank transfer so the steward knows whose money it is."""

    class Purpose(models.TextChoices):
        RESIDENT = "resident", "A resident's own contribution"
        SPONSOR = "sponsor", "An organisation's sponsored seats"
        SOLIDARITY = "solidarity", "A gift to the solidarity fund"

    code = models.CharField(max_length=20, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_reference",
    )
    organisation = models.OneToOneField(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_reference",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="reference_names_its_payer",
                condition=(
                    models.Q(purpose="resident", resident__isnull=False, organisation__isnull=True)
                    | models.Q(purpose="sponsor", resident__isnull=True, organisation__isnull=False)
                    | models.Q(
                        purpose="solidarity", resident__isnull=True, organisation__isnull=True
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.code


class ContributionChoice(models.Model):
    """A resident's chosen monthly contribution, from ``chosen_at`` until the next choice."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contribution_choices"
    )
    monthly_cents = models.BigIntegerField()
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-chosen_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_cents__gte=0), name="choice_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident}: {self.monthly_cents} cents a month"


class SponsoredSeat(models.Model):
    """An organisation pays for one of its members' seats; its payments count as theirs."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sponsored_seats"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sponsored_seats"
    )
    monthly_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "resident__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "resident"], name="one_seat_per_member"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_cents__gt=0), name="seat_costs_something"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} sponsors {self.resident}"


class Payment(models.Model):
    """Money that reached the steward's bank account, as the steward recorded it."""

    class Source(models.TextChoices):
        FORM = "form", "Typed in"
        CSV = "csv", "Imported from a bank CSV"

    reference = models.ForeignKey(
        PaymentReference, on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField(db_index=True)
    amount_cents = models.BigIntegerField()
    # Same payment recorded twice (a re-imported line, a resubmitted form) has the same key.
    key = models.CharField(max_length=80, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ledger_entry = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="payment"
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="payment_is_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.reference} {self.amount_cents}"
