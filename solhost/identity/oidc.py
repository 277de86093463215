"""The region's customisation of django-oauth-toolkit: one ``OAuth2Validator`` subclass.

It decides which claims a service receives, which clients must use PKCE, and records
what the login path must leave behind: an audit event per token issued or revoked and a
usage event per sign-in (resident, service, day).
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from solhost.core.audit import AuditAction, record
from solhost.identity.claims import SESSION_CLAIMS, id_token_claims_of
from solhost.identity.models import ServiceClient
from solhost.identity.subjects import subject_for

# What each scope gives a service, in words for the consent page.
SCOPE_CLAIMS = {
    "openid": ["an identifier for your account that never changes (sub)"],
    "profile": ["your username (preferred_username)", "your display name (name)"],
    "email": ["your email address (email)", "whether it is verified (email_verified)"],
    "groups": ["the co-ops you belong to and your role in each (groups)"],
}

# Grants that mean a resident is using the service today.
SIGN_IN_GRANTS = {"authorization_code", "refresh_token"}

# Sent with ``user``, ``service`` and ``day`` each time a resident signs in to a service
# (metering counts it as a day of use); identity does not need to know who listens.
signed_in_to_service = Signal()


def groups_of(user) -> list[str]:
    """The resident's organisations and roles, e.g. ``merri-creek-computing:partner_admin``."""
    return [
        f"{slug}:{role}"
        for slug, role in user.memberships.order_by("organisation__slug").values_list(
            "organisation__slug", "role"
        )
    ]


def email_verified(user) -> bool:
    return user.emailaddress_set.filter(email__iexact=user.email, verified=True).exists()


class RegionValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "groups": "groups",
    }

    def get_claim_dict(self, request):
        claims = super().get_claim_dict(request)
        # The stable, never-reused subject (pairwise for most clients), not the database key.
        claims["sub"] = lambda r: subject_for(r.user, r.client)
        return claims

    def get_additional_claims(self):
        # Request-agnostic (callables of the request), so discovery can list the claims.
        return {
            "preferred_username": lambda r: r.user.username,
            "name": lambda r: str(r.user),
            "email": lambda r: r.user.email,
            "email_verified": lambda r: email_verified(r.user),
            "groups": lambda r: groups_of(r.user),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expires = super().get_id_token_dictionary(token, token_handler, request)
        # How the authorizing browser session signed in (left with the code by the
        # authorization view), in place of the account's last login.
        claims.update(id_token_claims_of((request.claims or {}).get(SESSION_CLAIMS)))
        return claims, expires

    def refresh_id_token(self, request):
        # A refreshed ID token must repeat the original sign-in's auth_time and sid
        # (OpenID Connect Core §12.2), which no token keeps: the refresh response carries
        # none (allowed there), and a service asks for a fresh one by signing in again.
        return False

    def is_pkce_required(self, client_id, request):
        client = request.client
        if not isinstance(client, ServiceClient) or client.client_id != client_id:
            client = ServiceClient.objects.filter(client_id=client_id).first()
        # Unknown clients fail elsewhere; public clients have no secret, so PKCE proves the
        # code came back to the app that asked for it.
        return client is None or client.is_public

    # oauthlib asks these for prompt=none but knows nothing of the browser's session: the
    # authorization view answers login_required and consent_required before validation
    # reaches here, so by now both hold.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True

    def save_bearer_token(self, token, request, *args, **kwargs):
        with transaction.atomic():
            result = super().save_bearer_token(token, request, *args, **kwargs)
            record(
                actor=request.user,
                action=AuditAction.TOKEN_ISSUE,
                obj=request.client,
                note=f"{request.grant_type}; scopes: {token.get('scope', '')}",
            )
        if request.grant_type in SIGN_IN_GRANTS:
            signed_in_to_service.send(
                sender=ServiceClient,
                user=request.user,
                service=request.client.service,
                day=timezone.localdate(),
            )
        return result

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        with transaction.atomic():
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)
            record(
                actor=None,
                action=AuditAction.TOKEN_REVOKE,
                obj=request.client,
                note=f"revoked by the client ({token_type_hint or 'any token'})",
            )
