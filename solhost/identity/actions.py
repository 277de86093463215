"""Writes for the OpenID Connect provider: one audited, atomic function per use case."""

from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from solhost.core.audit import AuditAction, record, save_audited
from solhost.identity.models import (
    Consent,
    ServiceClient,
    SignedInSession,
    User,
    redirect_uri_problem,
)
from solhost.partners.models import Service


@dataclass(frozen=True)
class RegisteredClient:
    client: ServiceClient
    # Shown once, then only its hash is kept; empty for public clients.
    secret: str


def _uri_list(field: str, uris: list[str]) -> str:
    # Checked here as well as in ServiceClient.clean: joined by spaces, a URI holding one
    # would be read back as several.
    cleaned = [uri.strip() for uri in uris if uri.strip()]
    problems = [f"“{uri}” {problem}." for uri in cleaned if (problem := redirect_uri_problem(uri))]
    if problems:
        raise ValidationError({field: problems})
    return " ".join(cleaned)


def _redirect_uris(uris: list[str]) -> str:
    joined = _uri_list("redirect_uris", uris)
    if not joined:
        raise ValidationError({"redirect_uris": "Give at least one redirect URI."})
    return joined


@transaction.atomic(durable=True)
def register_client(
    *,
    service: Service,
    redirect_uris: list[str],
    public: bool,
    actor: User | None,
    post_logout_redirect_uris: list[str] | None = None,
) -> RegisteredClient:
    """A new client for the service, waiting for the steward's approval."""
    secret = "" if public else generate_client_secret()
    client = ServiceClient(
        service=service,
        name=service.name,
        user=actor,
        redirect_uris=_redirect_uris(redirect_uris),
        post_logout_redirect_uris=_uri_list(
            "post_logout_redirect_uris", post_logout_redirect_uris or []
        ),
        client_type=ServiceClient.CLIENT_PUBLIC if public else ServiceClient.CLIENT_CONFIDENTIAL,
        authorization_grant_type=ServiceClient.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        algorithm=ServiceClient.RS256_ALGORITHM,
    )
    # A public client's secret is empty, which the field's own check would refuse. The
    # trail notes only whether there is a secret (core.audit.SECRET_FIELDS).
    save_audited(
        client, {}, actor=actor, action=AuditAction.CLIENT_REGISTER, skip=["client_secret"]
    )
    return RegisteredClient(client=client, secret=secret)


@transaction.atomic(durable=True)
def approve_client(*, client: ServiceClient, steward: User | None) -> ServiceClient:
    if client.approved:
        return client
    save_audited(
        client,
        {"approved_at": timezone.now(), "approved_by": steward},
        actor=steward,
        action=AuditAction.CLIENT_APPROVE,
        skip=["client_secret"],
    )
    return client


@transaction.atomic(durable=True)
def give_consent(*, user: User, client: ServiceClient, scopes: list[str]) -> Consent:
    """Remember the resident's yes, widening an earlier consent to the new scopes."""
    consent = Consent.objects.select_for_update().filter(user=user, client=client).first()
    if consent and consent.covers(scopes):
        return consent
    granted = sorted(set(scopes) | set(consent.scopes.split() if consent else []))
    consent, _ = Consent.objects.update_or_create(
        user=user,
        client=client,
        defaults={"scopes": " ".join(granted), "given_at": timezone.now()},
    )
    record(actor=user, action=AuditAction.CONSENT_GIVE, obj=client, note=consent.scopes)
    return consent


@transaction.atomic(durable=True)
def disconnect_service(*, user: User, client: ServiceClient) -> int:
    """Withdraw consent and revoke every token and code the service holds for the resident.

    Returns how many tokens were revoked.
    """
    Consent.objects.filter(user=user, client=client).delete()
    revoked = 0
    for refresh in RefreshToken.objects.filter(user=user, application=client, revoked=None):
        refresh.revoke()
        revoked += 1
    for access in AccessToken.objects.filter(user=user, application=client):
        access.revoke()
        revoked += 1
    IDToken.objects.filter(user=user, application=client).delete()
    Grant.objects.filter(user=user, application=client).delete()
    record(
        actor=user,
        action=AuditAction.CONSENT_WITHDRAW,
        obj=client,
        note=f"{revoked} tokens revoked",
    )
    return revoked


@transaction.atomic
def remember_session(*, user: User, session_key: str, user_agent: str, ip_address: str | None):
    SignedInSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "started": timezone.now(),
            "user_agent": user_agent[:200],
            "ip_address": ip_address,
        },
    )


@transaction.atomic(durable=True)
def end_session(*, user: User, signed_in: SignedInSession) -> None:
    """Sign that browser out: its session is deleted, so its next request is anonymous."""
    if signed_in.user_id != user.pk:
        raise ValidationError("That session is not yours.")
    Session.objects.filter(session_key=signed_in.session_key).delete()
    record(actor=user, action=AuditAction.SESSION_END, obj=signed_in)
    signed_in.delete()
