"""Reading what the provider holds for a resident."""

from django.db.models import Q
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from solhost.identity.models import Consent, ServiceClient, User


def connected_clients(user: User) -> list[dict]:
    """The services holding the resident's consent or live tokens, with what each holds."""
    now = timezone.now()
    consents = {c.client_id: c for c in Consent.objects.filter(user=user)}
    with_tokens = set(
        AccessToken.objects.filter(user=user, expires__gt=now).values_list(
            "application_id", flat=True
        )
    ) | set(
        RefreshToken.objects.filter(user=user, revoked=None).values_list(
            "application_id", flat=True
        )
    )
    clients = ServiceClient.objects.filter(
        Q(pk__in=consents.keys()) | Q(pk__in=with_tokens)
    ).select_related("service__organisation")
    return [
        {
            "client": client,
            "consent": consents.get(client.pk),
            "signed_in": client.pk in with_tokens,
        }
        for client in clients.order_by("service__name", "pk")
    ]
