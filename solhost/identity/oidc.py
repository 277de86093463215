"""The region's customisation of django-oauth-toolkit: one ``OAuth2Validator`` subclass.

It decides which claims a service receives, which clients must use PKCE, and records
what the login path must leave behind: an audit event per token issued or revoked and a
usage event per sign-in (resident, service, day).
"""

import datetime
import hashlib
import json
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken, revoke_access_token
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator, is_valid_resource_uri
from oauth2_provider.scopes import get_scopes_backend
from oauthlib.oauth2.rfc6749 import errors

from solhost.core.audit import AuditAction, record
from solhost.core.models import AuditEvent
from solhost.core.reads import unique_match
from solhost.identity import jwks
from solhost.identity.claims import SESSION_CLAIMS, id_token_claims_of
from solhost.identity.databases import joinable, written_to
from solhost.identity.models import ServiceClient, User
from solhost.identity.subjects import sid_for, subject_for

# What each scope gives a service, in words for the consent page.
SCOPE_CLAIMS = {
    "openid": ["an identifier for your account that never changes (sub)"],
    "profile": ["your username (preferred_username)", "your display name (name)"],
    "email": ["your email address (email)", "whether it is verified (email_verified)"],
    "groups": ["the co-ops you belong to and your role in each (groups)"],
    "offline_access": ["access to these while you are not signed in, until you disconnect it"],
}

# The same, in a few words each, for the table of connected services.
SCOPE_SUMMARIES = {
    "openid": "an account identifier",
    "profile": "your username and name",
    "email": "your email address",
    "groups": "your co-ops and roles",
    "offline_access": "access while you are away",
}


def scope_summaries(scopes: str) -> list[str]:
    """What the space-separated ``scopes`` share, in a few words each and in the consent
    page's order; a scope the region has no words for, by its name."""
    granted = scopes.split()
    described = [words for scope, words in SCOPE_SUMMARIES.items() if scope in granted]
    return described + sorted(scope for scope in set(granted) if scope not in SCOPE_SUMMARIES)


# The grants the token endpoint answers (and discovery lists); any other is refused as
# unsupported_grant_type.
OFFERED_GRANTS = ("authorization_code", "refresh_token")
# Grants that mean a resident is using the service today.
SIGN_IN_GRANTS = {"authorization_code", "refresh_token"}

# The scope without which a service gets no refresh token: it can act for the resident
# only while they are signing in, not later on its own (OpenID Connect Core §11).
OFFLINE_ACCESS = "offline_access"


def unusable_resource(resources: Iterable[str]) -> str | None:
    """The first of ``resources`` that is no RFC 8707 resource indicator (an absolute URI
    with a host and no fragment), or None if all are. django-oauth-toolkit's own test
    raises ValueError for an address urllib can't read (``http://[x/``): a server error
    for any request carrying one, at the authorization and the token endpoint alike."""
    for uri in resources:
        try:
            usable = is_valid_resource_uri(uri)
        except ValueError:
            usable = False
        if not usable:
            return uri
    return None


def not_a_resource_indicator(uri: str) -> str:
    return (
        f"The resource '{uri}' is not a resource indicator: it must be an absolute URI "
        "with a scheme and a host (RFC 8707)."
    )


def checksum(value: str) -> str:
    """How the provider stores a code or token: its SHA-256, never the value itself."""
    return hashlib.sha256(value.encode()).hexdigest()


# Sent with ``user``, ``service`` and ``day`` each time a resident signs in to a service
# (metering counts it as a day of use); identity does not need to know who listens.
signed_in_to_service = Signal()

# Sent with ``user``, ``service`` and ``day`` before a resident is let into a service by the
# authorization endpoint, and with ``user`` None before someone the service sent to sign up
# (prompt=create) is. A receiver answers a reason in words to refuse (an app above knows,
# say, that the service's partner is closing), or None; identity shows the reason.
sign_in_refusal = Signal()


def sign_in_refused(*, user, service, day: datetime.date) -> str | None:
    """The first reason a receiver of ``sign_in_refusal`` gives to keep ``user`` (None for
    someone with no account yet) out of ``service`` on ``day``, or None if nobody refuses."""
    answers = sign_in_refusal.send(sender=ServiceClient, user=user, service=service, day=day)
    return next((reason for _, reason in answers if reason), None)


# Where the authorization view leaves the client it has already read, for the validator:
# oauthlib builds its own request objects, and this is what they carry over from Django's.
LOADED_CLIENT = "solhost.loaded_client"


def tokens_issued_by(
    events: Iterable[AuditEvent],
) -> tuple[QuerySet[AccessToken], QuerySet[RefreshToken]]:
    """What the token endpoint's ``TOKEN_ISSUE`` events issued that may still work: the
    access tokens they name, and the live refresh tokens of the families their refresh
    tokens started (refreshing keeps a token's family, so these follow every refresh)."""
    afters = [event.after or {} for event in events]
    access_tokens = AccessToken.objects.filter(
        token_checksum__in=[after["access_token_sha256"] for after in afters]
    )
    families = RefreshToken.objects.filter(
        token_checksum__in=[
            after["refresh_token_sha256"] for after in afters if after.get("refresh_token_sha256")
        ]
    ).values("token_family")
    refresh_tokens = RefreshToken.objects.filter(token_family__in=families, revoked__isnull=True)
    return access_tokens, refresh_tokens


TOKEN_RESPONSE_HEADERS = {
    "Content-Type": "application/json",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}


class RegionOAuthLibCore(OAuthLibCore):
    """DOT's bridge to oauthlib, handing on a client the view has already loaded."""

    def extract_headers(self, request):
        headers = super().extract_headers(request)
        loaded = getattr(request, "service_client", None)
        if loaded is not None:
            headers[LOADED_CLIENT] = loaded
        return headers

    def create_token_response(self, request):
        uri, headers, body, status = super().create_token_response(request)
        # An error raised while the tokens are saved (DOT checks resource indicators
        # there) reaches DOT with none of the headers oauthlib gives its other answers:
        # RFC 6749 §5.2 answers it as JSON, and §5.1 keeps it out of every cache.
        return uri, {**TOKEN_RESPONSE_HEADERS, **headers}, body, status


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


def of_active_account(issued: AccessToken | Grant) -> bool:
    """The token or code was issued to an account that is still active (or to none: a
    client's own token)."""
    return issued.user_id is None or issued.user.is_active


def access_token_in_site_store(token_value: str) -> AccessToken | None:
    """The access token ``token_value`` names at a site, read from its store, with its client
    and resident read where they are, in the region's database. None when the region no
    longer has either (the steward deleted the client, say): at the primary the deletion
    takes the token with it, and at a site nothing links them to do so."""
    token = AccessToken.objects.filter(token_checksum=checksum(token_value)).first()
    if token is None:
        return None
    try:
        # Read now, so that nothing reading them later finds them gone.
        token.application  # noqa: B018
        token.user  # noqa: B018
    except ObjectDoesNotExist:
        return None
    return token


def _hold_client_of(issued: QuerySet) -> None:
    """Share-lock the row of the client ``issued`` (a code's grant, or a refresh token) was
    issued to, until the token request's transaction ends, before ``issued`` is locked.

    The tokens a request gives take that lock anyway, for their foreign key, but only after
    the code or refresh token is locked; a co-op removing the client meanwhile locks the
    row first and then those, to delete them, and PostgreSQL would end one of the two as a
    deadlock. Taken first, the removal waits for the request (or the request for the
    removal, and finds nothing to redeem). Only where those rows and clients share a
    database: at a replica site they don't, and nothing links them to wait on.
    """
    database = written_to(issued.model)
    if not joinable(issued.model, ServiceClient) or connections[database].vendor != "postgresql":
        return
    clients = ServiceClient.objects.using(database).filter(
        pk__in=issued.using(database).values("application_id")
    )
    sql, params = clients.values("pk").query.sql_with_params()
    # FOR KEY SHARE, as the foreign key check takes it (Django's select_for_update has no
    # such mode): token requests of one client don't wait for each other, only for a removal.
    with connections[database].cursor() as cursor:
        cursor.execute(f"{sql} FOR KEY SHARE", params)


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
        # The acr as the request's own claims parameter (kept beside it) asks.
        requested = request.claims or {}
        claims.update(id_token_claims_of(requested.get(SESSION_CLAIMS), requested))
        if "sid" in claims:
            claims["sid"] = sid_for(claims["sid"], request.client)
        return claims, expires

    def refresh_id_token(self, request):
        # A refreshed ID token must repeat the original sign-in's auth_time and sid
        # (OpenID Connect Core §12.2), which no token keeps: the refresh response carries
        # none (allowed there), and a service asks for a fresh one by signing in again.
        return False

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # OpenID Connect Core §3.1.2.1: scope values the region does not understand
        # (``phone``, ``address``, a service's own) are ignored, not refused, and RFC 6749
        # §3.3 lets it grant less than was asked, the token response saying what. A
        # request with nothing the region knows has nothing to grant: invalid_scope.
        available = set(
            get_scopes_backend().get_available_scopes(application=client, request=request)
        )
        understood = [scope for scope in scopes if scope in available]
        if not understood:
            return False
        request.scopes = understood
        return True

    def _load_application(self, client_id, request):
        # Read once per request, with its service (the sub's sector and the usage event
        # need it): DOT would read it again for each oauthlib request the view makes.
        if request.client is None:
            request.client = request.headers.get(LOADED_CLIENT)
        if request.client is None:
            try:
                request.client = unique_match(
                    ServiceClient.objects.select_related("service").filter(client_id=client_id)
                )
            except ValueError:  # e.g. a NUL byte, which PostgreSQL refuses
                return None
        return super()._load_application(client_id, request)

    def _extract_basic_auth(self, request):
        # Base64 is ASCII. DOT decodes the credentials catching the errors of ASCII that is
        # not base64, not the ValueError other characters raise: a client sending them got
        # a server error. Unreadable, they authenticate nobody, as unreadable ASCII doesn't.
        credentials = super()._extract_basic_auth(request)
        if credentials is not None and not credentials.isascii():
            return None
        return credentials

    def _get_key_for_token(self, token):
        # The key the token names, active or not: DOT's takes the active one, which no
        # longer checks a token signed before a rotation took over.
        return jwks.own_key_for(token)

    def _save_id_token(self, jti, request, expires, *args, **kwargs):
        id_token = super()._save_id_token(jti, request, expires, *args, **kwargs)
        request.region_id_token = id_token
        return id_token

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        # DOT's own, except that the ID token just saved is used as it is: DOT parses the
        # signed token again, reads its client by audience and the row by its jti.
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=getattr(request, "region_id_token", None) if token.get("id_token") else None,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def _load_access_token(self, token):
        if joinable(AccessToken, ServiceClient, User):
            access_token = super()._load_access_token(token)
        else:
            access_token = access_token_in_site_store(token)
        # A deactivated account's tokens are no longer good anywhere (the steward's
        # deactivation revokes them too; at a site the account's row arrives first).
        return access_token if access_token is None or of_active_account(access_token) else None

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

    # The token endpoint reads the code's grant once (these methods ask for it seven times
    # in django-oauth-toolkit) and locks it until its transaction ends: a code redeemed
    # twice at once waits for the first redemption, then finds no grant (invalid_grant).
    def _grant(self, code, request) -> Grant | None:
        if getattr(request, "region_grant_code", None) != code:
            # The grant itself is read unlocked here, for its client.
            _hold_client_of(Grant.objects.filter(code=code))
            grants = Grant.objects.select_for_update(of=("self",))
            if joinable(Grant, User):
                grants = grants.select_related("user")
            request.region_grant = unique_match(grants.filter(code=code))
            request.region_grant_code = code
        return request.region_grant

    def _client_grant(self, code, client, request) -> Grant | None:
        grant = self._grant(code, request)
        return grant if grant is not None and grant.application_id == client.pk else None

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return grant.scope.split() if grant is not None and grant.scope else []

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return (grant.nonce or None) if grant is not None else None

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        grant = self._client_grant(code, client, request)
        if grant is None:
            self._revoke_what_a_replayed_code_issued(code, client)
            return False
        if grant.is_expired() or not of_active_account(grant):
            return False
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        return True

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        grant = self._client_grant(code, client, request)
        if grant is None:
            return False
        if getattr(request, "using_default_redirect_uri", False) and "openid" in request.scopes:
            # RFC 6749 §4.1.3: the token request repeats the redirect_uri its authorization
            # request had, and an OpenID Connect one always has it (the view refuses it
            # otherwise); oauthlib would fill in the client's registered address instead.
            return False
        return grant.redirect_uri_allowed(redirect_uri)

    def get_code_challenge(self, code, request):
        grant = self._client_grant(code, request.client, request)
        challenge = (grant.code_challenge or None) if grant is not None else None
        if challenge is None and request.code_verifier is not None:
            # RFC 9700 §4.8.2: a verifier for a code asked for without a challenge means
            # someone stripped the challenge from the authorization request (a PKCE
            # downgrade), so that a code they intercepted would need no verifier.
            raise errors.InvalidGrantError(
                request=request,
                description="The code was asked for without a code_challenge; "
                "no code_verifier redeems it.",
            )
        return challenge

    def get_code_challenge_method(self, code, request):
        grant = self._client_grant(code, request.client, request)
        return (grant.code_challenge_method or None) if grant is not None else None

    def _validate_resource_uris(self, request, resources):
        unusable = unusable_resource(resources)
        if unusable is not None:
            raise errors.CustomOAuth2Error(
                error="invalid_target",
                description=not_a_resource_indicator(unusable),
                request=request,
            )

    def _check_and_set_request_resource(self, request):
        if (
            request.grant_type == "authorization_code"
            and not getattr(request, "resource", None)
            and not self._grant(request.code, request).resource
        ):
            # No resource indicator asked for nor granted: nothing for DOT to check, and
            # it would read the grant once more to find that out.
            request.resource = []
            return
        super()._check_and_set_request_resource(request)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        # Locked until the token request commits, as codes are: a refresh token raced by
        # two requests is rotated by the first, and the second finds it spent (DOT would
        # otherwise answer it with the first's access token, which it stores only hashed).
        presented = RefreshToken.objects.filter(
            token_checksum=checksum(refresh_token), revoked__isnull=True
        )
        _hold_client_of(presented)
        list(presented.select_for_update().values_list("pk", flat=True))
        try:
            valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        except ObjectDoesNotExist:
            # At a site the token's resident and client are in another database, with no
            # link to keep the token from outliving one the steward deleted: it is spent.
            return False
        return valid and request.user.is_active

    def _revoke_what_a_replayed_code_issued(self, code, client) -> None:
        """RFC 6749 §4.1.2: a code used twice may have been stolen, so the tokens its first
        use issued (and any refreshed from them) stop working."""
        # Read where the token endpoint wrote it: at a site that is its own store.
        issued = (
            AuditEvent.objects.using(written_to(AuditEvent))
            .filter(
                action=AuditAction.TOKEN_ISSUE,
                content_type=ContentType.objects.get_for_model(ServiceClient),
                object_id=str(client.pk),
                after__code_sha256=checksum(code),
            )
            .first()
        )
        if issued is None:
            return
        revoked = 0
        access_tokens, refresh_tokens = tokens_issued_by([issued])
        for access_token in access_tokens.filter(application=client):
            revoke_access_token(access_token)
            revoked += 1
        for refresh_token in refresh_tokens.filter(application=client):
            refresh_token.revoke()
            revoked += 1
        if revoked:
            record(
                actor=None,
                action=AuditAction.TOKEN_REVOKE,
                obj=client,
                note=f"authorization code used twice: revoked what it issued to {issued.actor_label}",
            )

    def save_bearer_token(self, token, request, *args, **kwargs):
        if request.grant_type == "authorization_code" and OFFLINE_ACCESS not in request.scopes:
            # oauthlib always makes a refresh token; dropping it here keeps it out of the
            # response too.
            token.pop("refresh_token", None)
        # Joins the token endpoint's one transaction: tokens, audit and usage event commit
        # together or not at all. DOT's save_bearer_token only wraps this in a transaction
        # of its own, which here would be one more savepoint.
        with transaction.atomic(savepoint=False):
            result = self._save_bearer_token(token, request, *args, **kwargs)
            issued = {"access_token_sha256": checksum(token["access_token"])}
            if token.get("refresh_token"):
                issued["refresh_token_sha256"] = checksum(token["refresh_token"])
            if request.grant_type == "authorization_code":
                # What a replay of this code must revoke.
                issued["code_sha256"] = checksum(request.code)
                # The browser session the code came from (the grant carries it): when that
                # session ends, this service is told and these tokens are judged
                # (actions._sessions_ended). Kept here, in a row written anyway, so the
                # token request makes no query for it; refreshed tokens stay in the refresh
                # token's family.
                sid = id_token_claims_of((request.claims or {}).get(SESSION_CLAIMS)).get("sid")
                if sid:
                    issued["sid"] = sid
            record(
                actor=request.user,
                action=AuditAction.TOKEN_ISSUE,
                obj=request.client,
                after=issued,
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
        # Recorded only when the client held a live token by that name: anyone can name a
        # public client, and RFC 7009 answers 200 to a token nobody holds.
        held = {
            "token_checksum": checksum(token),
            "application": request.client,
        }
        with transaction.atomic():
            live = (
                AccessToken.objects.filter(**held).exists()
                or RefreshToken.objects.filter(**held, revoked=None).exists()
            )
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)
            if live:
                record(
                    actor=None,
                    action=AuditAction.TOKEN_REVOKE,
                    obj=request.client,
                    note=f"revoked by the client ({token_type_hint or 'any token'})",
                )
