from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from solhost.contributions.statements.bank_csv import PRESETS, CsvLayout
from solhost.core.safe_json import whole_number
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
        BANK = "bank", "From a bank statement"

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


class StatementLine(models.Model):
    """A line of an imported bank statement: money in (positive) or out (negative).

    Credits whose payer's reference is found become payments; the others wait in the
    steward's queue. Debits are kept for matching against payouts. A line is never changed
    once decided, and never deleted: a wrong payment is reversed in the ledger.
    """

    class Status(models.TextChoices):
        PAYMENT = "payment", "Recorded as a payment"
        QUEUED = "queued", "Waiting for the steward"
        NOT_OURS = "not_ours", "Not ours"
        DEBIT = "debit", "Money out"

    # The bank's id for the line (see contributions.statements), the same on every export.
    bank_id = models.CharField(max_length=200, unique=True)
    booked_on = models.DateField(db_index=True)
    amount_cents = models.BigIntegerField()
    description = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, db_index=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_line"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why the steward should look at a debit: one that names a payout it does not match.
    flag = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="statement_line_status_fits",
                condition=(
                    models.Q(status="debit", amount_cents__lt=0, payment__isnull=True)
                    | models.Q(status="payment", amount_cents__gt=0, payment__isnull=False)
                    | models.Q(
                        status__in=["queued", "not_ours"], amount_cents__gt=0, payment__isnull=True
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.amount_cents} {self.description[:40]}"


class CsvMapping(models.Model):
    """A bank CSV layout the steward saved, for a bank without a preset; columns count from 1."""

    class DateFormat(models.TextChoices):
        DMY = "%d/%m/%Y", "03/10/2026"
        DMY_DASH = "%d-%m-%Y", "03-10-2026"
        ISO = "%Y-%m-%d", "2026-10-03"
        COMPACT = "%Y%m%d", "20261003"
        D_MON_Y = "%d %b %Y", "03 Oct 2026"
        D_MON_YY = "%d %b %y", "03 Oct 26"
        D_MON_Y_DASH = "%d-%b-%Y", "03-Oct-2026"

    name = models.SlugField(max_length=40, unique=True, help_text="e.g. bank-australia")
    label = models.CharField(max_length=200, help_text="What the steward sees in the list.")
    date_column = models.PositiveSmallIntegerField()
    date_format = models.CharField(max_length=12, choices=DateFormat.choices)
    description_columns = models.CharField(
        max_length=40, help_text="One column, or several joined with commas, e.g. 5,6."
    )
    amount_column = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A signed amount: money in positive, money out negative."
    )
    debit_column = models.PositiveSmallIntegerField(null=True, blank=True)
    credit_column = models.PositiveSmallIntegerField(null=True, blank=True)
    balance_column = models.PositiveSmallIntegerField(null=True, blank=True)
    id_column = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The bank's own transaction id, when it gives one."
    )
    currency_column = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "CSV mapping"

    def __str__(self) -> str:
        return self.label

    def layout(self) -> CsvLayout:
        columns = [part.strip() for part in self.description_columns.split(",")]
        return CsvLayout(
            name=self.name,
            label=self.label,
            date_column=self.date_column,
            date_format=self.date_format,
            description_columns=tuple(
                number for c in columns if (number := whole_number(c)) is not None
            ),
            amount_column=self.amount_column,
            debit_column=self.debit_column,
            credit_column=self.credit_column,
            balance_column=self.balance_column,
            id_column=self.id_column,
            currency_column=self.currency_column,
        )

    def clean(self):
        errors: dict[str, list[str]] = {}
        if self.name in PRESETS:
            errors["name"] = [f"{self.name} is a preset's name; choose another"]
        if any(whole_number(part.strip()) is None for part in self.description_columns.split(",")):
            errors["description_columns"] = ["write column numbers joined by commas, e.g. 5,6"]
        elif self.date_column and self.date_format:
            for field, message in self.layout().problems():
                errors.setdefault(field if field != "columns" else "date_column", []).append(
                    message
                )
        if errors:
            raise ValidationError(errors)


class Pledge(models.Model):
    """What a resident means to pay by bank transfer, how often, from which day.

    Changing the amount, frequency or first day starts the schedule again from that day,
    so nothing is expected for the time before. Nothing is expected of a pledge of $0,
    or of one paused or stopped.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every fortnight"
        MONTHLY = "monthly", "Every month"
        YEARLY = "yearly", "Every year"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    resident = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledge"
    )
    amount_cents = models.BigIntegerField()
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    starts_on = models.DateField(help_text="The first payment's due day.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    reminders = models.BooleanField(
        default=True, help_text="Send a gentle email when a payment has not arrived."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0), name="pledge_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident}: {self.amount_cents} cents, {self.frequency}"


class PledgeReminder(models.Model):
    """A reminder sent about one due payment; there is never a second about the same one."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="reminders_sent")
    due_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pledge", "due_on"], name="one_reminder_per_due_day")
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.pledge.resident} about {self.due_on:%Y-%m-%d}"
