import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from oauth2_provider.models import AbstractApplication


class User(AbstractUser):
    """A person with a regional account: a resident, a partner's worker or the steward's staff."""

    # The OpenID Connect subject: stable for the life of the account and never reused.
    sub = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ServiceClient(AbstractApplication):
    """An OpenID Connect client: how one partner service signs residents in.

    A partner registers it; it works only once the steward has approved it.
    """

    service = models.ForeignKey(
        "partners.Service", on_delete=models.PROTECT, related_name="oidc_clients"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = "OpenID Connect client"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_public(self) -> bool:
        return self.client_type == self.CLIENT_PUBLIC

    def is_usable(self, request) -> bool:
        # An unapproved client is unknown to the protocol: no authorization, no tokens.
        return self.approved


class Consent(models.Model):
    """A resident's standing yes to a service receiving the listed claims' scopes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    client = models.ForeignKey(ServiceClient, on_delete=models.CASCADE, related_name="consents")
    scopes = models.CharField(max_length=255)
    given_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_consent_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client.service}"

    def covers(self, scopes) -> bool:
        return set(scopes) <= set(self.scopes.split())


class SignedInSession(models.Model):
    """One browser signed in to a resident's account, so they can see and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started = models.DateTimeField()
    user_agent = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.user} since {self.started:%Y-%m-%d %H:%M}"
