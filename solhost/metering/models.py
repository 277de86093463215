from django.conf import settings
from django.db import models

from solhost.partners.models import Organisation, Service


class UsageEvent(models.Model):
    """One thing a resident did on a partner's service, as the partner (or a sign-in) reported it.

    ``key`` is the partner's own idempotency key: the same key sent again, in the same batch or
    a later one, is the same event and is never counted twice.
    """

    # The log is written at tens of thousands of rows a second, so the database checks none
    # of its references: the write path resolves every id first, and ActiveDay, written in
    # the same statement for every stored event, keeps the foreign keys and the PROTECT
    # that stops a resident or service with usage from being deleted
    # (docs/decisions/0006-usage-log-and-active-days.md).
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the key constraint starts with the partner
    )
    key = models.CharField(max_length=200, help_text="The partner's idempotency key (its id).")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="usage_events",
        db_constraint=False,
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.DO_NOTHING,
        related_name="usage_events",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=40)
    quantity = models.BigIntegerField(default=1)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    # The local (region) date of occurred_at: the unit of "active days".
    day = models.DateField()

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="one_usage_event_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.service_id} on {self.day}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("usage events are append-only")
        super().save(*args, **kwargs)


class ActiveDay(models.Model):
    """A day on which a resident used a service: the unit the split weighs.

    Written with the events that show it, in the same statement, once per resident,
    service and day however many events that day had. The split reads these few rows
    instead of counting distinct days over the whole event log.
    """

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="active_days"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="active_days")
    day = models.DateField()

    class Meta:
        ordering = ["day", "service", "resident"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service", "resident"], name="one_active_day_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} on {self.service_id} on {self.day}"


class FrozenPeriod(models.Model):
    """A month whose usage is final: no event for one of its days is accepted any more."""

    period = models.CharField(max_length=7, unique=True, help_text="YYYY-MM")
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period"]

    def __str__(self) -> str:
        return self.period
