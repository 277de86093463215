import uuid

from django.db import models

from solhost.core.models import AuditEvent
from solhost.metering.models import UsageEvent


class Site(models.Model):
    """A site of the region, registered at the primary with the public keys it signs with.

    Replicated to every site's standby: the JWKS at every site lists the keys of every
    site not removed, and the primary accepts forwarded events only from those.
    """

    name = models.SlugField(max_length=40, unique=True)
    # {"keys": [public JWK, …]}: the site's active and retired signing keys.
    jwks = models.JSONField(default=dict)
    added_at = models.DateTimeField(auto_now_add=True)
    keys_updated_at = models.DateTimeField()
    # A removed site is cut out: its keys leave the JWKS and its batches are refused.
    removed_at = models.DateTimeField(null=True, blank=True)
    last_forward_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def public_keys(self) -> list[dict]:
        return [key for key in self.jwks.get("keys", []) if isinstance(key, dict)]

    def kids(self) -> list[str]:
        return [key.get("kid", "") for key in self.public_keys()]


class ForwardedEvent(models.Model):
    """At the primary: one event a site forwarded, kept once per (site, kind, its id there).

    The receipt makes forwarding idempotent (a batch sent again changes nothing) and says
    which site recorded each forwarded audit event.
    """

    class Kind(models.TextChoices):
        AUDIT = "audit", "audit event"
        USAGE = "usage", "usage event"

    class Outcome(models.TextChoices):
        STORED = "stored", "stored"
        DUPLICATE = "duplicate", "already known"
        REFUSED = "refused", "refused"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="received")
    # The store the event was recorded in (its ``StoreIdentity``; empty for batches from
    # before stores were named): a store rebuilt from nothing numbers its events from 1
    # again, and those are new events, not ones forwarded before.
    store = models.CharField(max_length=36, blank=True, default="")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    local_id = models.BigIntegerField(help_text="The event's id in the site's store.")
    # What tells this event from another the store numbered alike (``fingerprint_of``):
    # a store restored from a backup numbers its new events as the lost one did its last.
    # Empty for receipts from before it was kept, and for an event with no time.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=9, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    audit_event = models.OneToOneField(
        AuditEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="forwarded"
    )

    class Meta:
        ordering = ["site", "store", "kind", "local_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "store", "kind", "local_id"],
                name="one_receipt_per_forwarded_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.local_id} from {self.site}: {self.outcome}"


# The events a site's store numbers and forwards, by kind, with the field of their moment.
OUTBOX_EVENTS = {
    ForwardedEvent.Kind.AUDIT: (AuditEvent, "at"),
    ForwardedEvent.Kind.USAGE: (UsageEvent, "occurred_at"),
}


class Forwarded(models.Model):
    """At a site, in its store: an event the primary has answered for (its outcome)."""

    kind = models.CharField(max_length=5, choices=ForwardedEvent.Kind.choices)
    local_id = models.BigIntegerField()
    forwarded_at = models.DateTimeField()
    outcome = models.CharField(max_length=9, choices=ForwardedEvent.Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "local_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "local_id"], name="one_mark_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.local_id}: {self.outcome}"


class AccessEndApplied(models.Model):
    """At each site: an end of access the resident made at another site
    (``identity.AccessEnd``) that this site has applied to what it issued."""

    # The region's row, by id: at a replica site it is in another database.
    access_end_id = models.BigIntegerField(unique=True)
    applied_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"access end {self.access_end_id} applied {self.applied_at:%Y-%m-%d %H:%M}"


class StoreIdentity(models.Model):
    """At a site, in its store: a name the store forwards its events under, from an event
    number on.

    The first is made when the store first forwards, for every kind of event from 1. The
    primary keeps its receipts per name, so the numbers a name covers must be numbered
    once: a store lost and made again (``solhost sites prepare`` on an empty database)
    starts from 1 under a new name, and a store restored from a backup (``StoreRestore``)
    takes a new name from the first number it gives out again.
    An event goes under the name of its kind (or of every kind) with the highest first
    number not above its own; the newest, of two alike.
    """

    name = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Empty: every kind of event.
    kind = models.CharField(
        max_length=5, choices=ForwardedEvent.Kind.choices, blank=True, default=""
    )
    first_local_id = models.BigIntegerField(default=1)

    class Meta:
        ordering = ["first_local_id", "pk"]

    def __str__(self) -> str:
        return f"store {self.name} from {self.kind or 'event'} {self.first_local_id}"

    @classmethod
    def make_first(cls, *, using: str) -> None:
        """The store's first name, for every kind from 1, if it has none yet."""
        names = cls.objects.using(using)
        if not names.exists():
            names.create()


class StoreRestore(models.Model):
    """At a site, in its store: the store was found restored from a backup; at the primary
    (or a one-site region), ``solhost restore`` restored the whole installation.

    A backup brings back sessions and tokens that had ended since it was taken (a sign-out,
    a revocation), so every one issued here before ``ends_before`` ends, and services are
    told; and, at a site, the events the store numbers from then on take new names
    (``StoreIdentity``), so none is taken at the primary for one the lost store forwarded
    under the same number. Found by the operator (``solhost sites restored-store``), by
    the primary, which answers a batch whose numbers it holds for other events, or made by
    ``solhost restore`` itself.
    """

    class FoundBy(models.TextChoices):
        OPERATOR = "operator", "the operator (solhost sites restored-store)"
        PRIMARY = "primary", "the primary"
        ARCHIVE = "archive", "solhost restore (the whole installation)"

    found_at = models.DateTimeField()
    found_by = models.CharField(max_length=8, choices=FoundBy.choices)
    # What was issued here before this moment came back with the backup and ends.
    ends_before = models.DateTimeField()
    # When all of it had ended (the work goes resident by resident, and resumes).
    ended_at = models.DateTimeField(null=True, blank=True)
    residents_signed_out = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"store restored, found {self.found_at:%Y-%m-%d %H:%M} by {self.found_by}"


class ForwardAttempt(models.Model):
    """At a site, in its store: one run of forwarding, for the steward's page."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    sent = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # Empty when the run forwarded everything there was; else why it stopped.
    problem = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"forwarding at {self.started_at:%Y-%m-%d %H:%M}: {self.sent} sent"
