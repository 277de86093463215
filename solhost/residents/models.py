from django.conf import settings
from django.db import models

from solhost.partners.models import Organisation


class AccountDeletion(models.Model):
    """A resident asked for their account to be deleted: it is erased once ``erase_after``
    has passed (the network's grace period), unless they cancel first.

    The row stays after the erasure, under the anonymous id the account was given, so the
    steward can see that and when a deletion was carried out.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_deletions"
    )
    requested_at = models.DateTimeField()
    erase_after = models.DateTimeField(db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The resident was sent their export; the erasure waits for this.
    final_email_sent_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    anonymous_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(cancelled_at=None, erased_at=None),
                name="one_pending_deletion_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at=None) | models.Q(erased_at=None),
                name="deletion_cancelled_or_erased_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"deletion of {self.anonymous_id or self.user} after {self.erase_after:%Y-%m-%d}"

    @property
    def pending(self) -> bool:
        return self.cancelled_at is None and self.erased_at is None


class DeletionNotice(models.Model):
    """A resident a partner knew deleted their account, named by the ``sub`` that partner's
    services know them by; partners read these from the API and forget the resident too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=255)
    deleted_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subject"], name="one_notice_per_partner_and_sub"
            )
        ]
        indexes = [models.Index(fields=["organisation", "deleted_at"], name="notices_since")]

    def __str__(self) -> str:
        return f"{self.subject} deleted {self.deleted_at:%Y-%m-%d} (told to {self.organisation})"


class AccountExport(models.Model):
    """A zip of everything the region holds about a resident, built in the background and
    downloaded from a signed link until it expires; then the file is removed."""

    class Purpose(models.TextChoices):
        REQUESTED = "requested", "asked for by the resident"
        FINAL = "final", "sent before the account was erased"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    requested_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The file's name in settings.SOLHOST_EXPORT_DIR; empty before it is built and once removed.
    file_name = models.CharField(max_length=80, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.get_purpose_display()})"
