from django.conf import settings
from django.db import models

from solhost.contributions.models import Payment
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


class PartnerBankAccount(models.Model):
    """Where a partner is paid: the account its payouts are credited to."""

    partner = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="bank_account"
    )
    account_name = models.CharField(
        max_length=32, help_text="The account's name, as the bank has it (32 characters at most)."
    )
    bsb = models.CharField("BSB", max_length=7, help_text="Six digits, as 062-000.")
    account_number = models.CharField(max_length=9, help_text="Up to 9 digits.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.partner}: {self.bsb} {self.account_number}"


class PayoutBatch(models.Model):
    """The payouts the ledger says are owed, gathered for one direct-entry file.

    Its lines keep the bank details as they were when the batch was made, so the file
    downloaded later is the file checked now. Marking it sent posts each line to the ledger.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Ready to send"
        SENT = "sent", "Sent to the bank"

    process_on = models.DateField(help_text="The day the bank is to make the payments.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One open batch at a time: two could pay the same money twice.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="open"), name="one_open_payout_batch"
            )
        ]

    def __str__(self) -> str:
        return f"Payout batch {self.pk}"

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines.all())

    @property
    def reconciled_count(self) -> int:
        return sum(line.reconciled_on is not None for line in self.lines.all())


class PayoutLine(models.Model):
    """One credit of a batch: to a partner, or the land back remitted to its program."""

    class Kind(models.TextChoices):
        PARTNER = "partner", "Payout to a partner"
        LAND_BACK = "land_back", "Land back remitted"

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    partner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    account_name = models.CharField(max_length=32)
    bsb = models.CharField(max_length=7)
    account_number = models.CharField(max_length=9)
    amount_cents = models.BigIntegerField()
    reference = models.CharField(max_length=18)
    ledger_entry = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_line"
    )
    # The debit of an imported bank statement that shows this credit was paid.
    statement_line = models.OneToOneField(
        "contributions.StatementLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payout_line",
    )
    reconciled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="payout_line_more_than_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="partner", partner__isnull=False)
                | models.Q(kind="land_back", partner__isnull=True),
                name="payout_line_names_its_payee",
            ),
            models.CheckConstraint(
                condition=models.Q(statement_line__isnull=True, reconciled_on__isnull=True)
                | models.Q(statement_line__isnull=False, reconciled_on__isnull=False),
                name="payout_line_reconciled_by_a_debit",
            ),
        ]

    def __str__(self) -> str:
        return f"{format_dollars(self.amount_cents)} AUD to {self.account_name}"


class PaymentReversal(models.Model):
    """A payment given back (a refund) or taken back by the bank, as a reversing transaction.

    Only while the payment's month is open: a reversed payment is left out of the month's
    split, so a closed month's figures never change.
    """

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund to the payer"
        BANK_REVERSAL = "bank_reversal", "Reversed by the bank"

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reversed_on = models.DateField()
    reason = models.CharField(max_length=200)
    ledger_entry = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="payment_reversal"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reversed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of payment {self.payment_id}"
