from django.conf import settings
from django.db import models

from solhost.core.money import format_dollars
from solhost.ledger.models import Transaction
from solhost.partners.models import Organisation


class PeriodClose(models.Model):
    """A closed month: its usage frozen, its money split and posted, once and for all."""

    period = models.CharField(max_length=7, unique=True, help_text="YYYY-MM")
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    algorithm = models.CharField(max_length=40)
    input_hash = models.CharField(max_length=64)
    # The scenario as given to the split, so anyone can recompute it with `solhost distribute`.
    scenario = models.JSONField()
    total_in_cents = models.BigIntegerField()
    commons_cents = models.BigIntegerField()
    solidarity_cents = models.BigIntegerField()
    zero_usage_cents = models.BigIntegerField()
    land_back_cents = models.BigIntegerField()
    held_cents = models.BigIntegerField()
    payout_cents = models.BigIntegerField()
    carried_cents = models.BigIntegerField()
    released_cents = models.BigIntegerField(help_text="Held money of earlier periods released now.")
    ledger_entry = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="period_close"
    )

    class Meta:
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class PartnerStatement(models.Model):
    """One partner's figures for a closed period."""

    close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="statements")
    qualified = models.BooleanField()
    settler_run = models.BooleanField()
    withhold_land_back = models.BooleanField()
    residents = models.PositiveIntegerField()
    active_days = models.PositiveIntegerField()
    gross_cents = models.BigIntegerField()
    land_back_cents = models.BigIntegerField()
    net_cents = models.BigIntegerField()
    held_cents = models.BigIntegerField()
    released_cents = models.BigIntegerField()
    carried_in_cents = models.BigIntegerField()
    payout_cents = models.BigIntegerField()
    carried_cents = models.BigIntegerField()
    # {service slug: {"residents": n, "active_days": n, "gross_cents": n}}
    services = models.JSONField(default=dict)

    class Meta:
        ordering = ["close", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["close", "partner"], name="one_statement_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.close}"


class ResidentShare(models.Model):
    """Where one resident's payment for a closed period went. Theirs alone to see."""

    close = models.ForeignKey(PeriodClose, on_delete=models.CASCADE, related_name="residents")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="period_shares"
    )
    paid_cents = models.BigIntegerField()
    commons_cents = models.BigIntegerField()
    solidarity_cents = models.BigIntegerField()
    zero_usage_cents = models.BigIntegerField()
    # {service slug: cents}, and the active days they were weighed by.
    services = models.JSONField(default=dict)
    active_days = models.JSONField(default=dict)

    class Meta:
        ordering = ["-close__period"]
        constraints = [
            models.UniqueConstraint(fields=["close", "resident"], name="one_share_per_resident")
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.close}"


class Payout(models.Model):
    """Money the steward sent from its bank account to a partner, out of what it owed it."""

    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payouts")
    paid_on = models.DateField()
    amount_cents = models.BigIntegerField()
    bank_reference = models.CharField(
        max_length=140, blank=True, help_text="The transfer's reference, as the bank shows it."
    )
    # The recording form's one-time token, hashed: submitting the form twice pays once.
    key = models.CharField(max_length=80, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ledger_entry = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="payout"
    )

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="payout_more_than_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{format_dollars(self.amount_cents)} AUD to {self.partner} on {self.paid_on}"
