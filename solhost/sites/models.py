import uuid

from django.db import models

from solhost.core.models import AuditEvent


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
    """At a site, in its store: the store's own name, made when it first forwards.

    Every batch carries it, and the primary keeps its receipts per store: after a store is
    lost and made again (``solhost sites prepare`` on an empty database), its events are
    numbered from 1 again under a new name, so none is taken for one forwarded before.
    """

    name = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"store {self.name}"


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
