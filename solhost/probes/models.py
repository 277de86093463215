"""What the probes found, kept small enough for every service of a region for 90 days.

A check's result is not kept row by row: 1,000 services with two addresses each, checked
every 5 minutes, would be 576,000 rows a day and 52 million over 90 days. Instead each
address keeps its latest check on its ``ProbeTarget`` row, and the checks of each hour
are added up in one ``ProbeHour`` row (at most 24 a day per address: 4.3 million rows
for that region over 90 days, each a few integers). Availability over any run of whole
hours is then the sum of the hours' ``up_checks`` over the sum of their ``checks``.
Incidents (a run of failed checks) keep their own start and end, and are never pruned.
"""

from django.db import models

from solhost.partners.models import Service


class ProbeTarget(models.Model):
    """One declared address of a service that the probes check, and its latest check."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Public address"
        LOCAL_NETWORK = "local", "Local-network address"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="probe_targets")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    url = models.CharField(max_length=200, help_text="The address as the service declares it.")
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_up = models.BooleanField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_problem = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first of the failed checks in a row, if failing now."
    )
    failed_checks_in_row = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["service__name", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="probe_target_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.get_kind_display().lower()})"


class ProbeHour(models.Model):
    """The checks of one address during one hour (UTC), added up."""

    target = models.ForeignKey(ProbeTarget, on_delete=models.CASCADE, related_name="hours")
    hour = models.DateTimeField(db_index=True, help_text="The start of the hour, UTC.")
    checks = models.PositiveIntegerField(default=0)
    up_checks = models.PositiveIntegerField(default=0)
    latency_ms_total = models.BigIntegerField(
        default=0, help_text="The latencies of the checks that were up, added up."
    )

    class Meta:
        ordering = ["target", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["target", "hour"], name="probe_hour_once_per_target"),
            models.CheckConstraint(
                condition=models.Q(up_checks__lte=models.F("checks")),
                name="probe_hour_up_within_checks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} at {self.hour:%Y-%m-%d %H:00}: {self.up_checks}/{self.checks}"


class Incident(models.Model):
    """A service address that failed enough checks in a row: from the first failed check to
    the first check that found it up again (open while ``ended_at`` is empty)."""

    target = models.ForeignKey(ProbeTarget, on_delete=models.CASCADE, related_name="incidents")
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=300, help_text="What the first failed check found.")
    partner_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(ended_at__isnull=True),
                name="probe_one_open_incident_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} down from {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
