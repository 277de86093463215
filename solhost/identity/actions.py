"""Writes for the OpenID Connect provider: one audited, atomic function per use case."""

import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken, revoke_access_token

from solhost.core.audit import AuditAction, record, save_audited, snapshot
from solhost.core.models import AuditEvent
from solhost.identity import account_journal, backchannel
from solhost.identity.databases import at_replica_site, written_to
from solhost.identity.models import (
    AccessEnd,
    Consent,
    LogoutDelivery,
    ServiceClient,
    SignedInSession,
    User,
    logout_uri_problem,
    redirect_uri_problem,
)
from solhost.identity.oidc import OFFLINE_ACCESS, tokens_issued_by
from solhost.identity.queries import (
    clients_holding,
    clients_knowing_of,
    sign_ins_of,
    unexpired_sessions,
)
from solhost.identity.subjects import sid_for, subject_for
from solhost.partners.models import Service

logger = logging.getLogger(__name__)


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


def _logout_uri(field: str, uri: str) -> str:
    uri = uri.strip()
    if uri and (problem := logout_uri_problem(uri)):
        raise ValidationError({field: f"“{uri}” {problem}."})
    return uri


def _address_fields(
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    backchannel_logout_uri: str,
    backchannel_logout_session_required: bool,
    frontchannel_logout_uri: str,
    frontchannel_logout_session_required: bool,
) -> dict[str, str | bool]:
    """A client's address fields as they are stored, refused field by field when wrong."""
    return {
        "redirect_uris": _redirect_uris(redirect_uris),
        "post_logout_redirect_uris": _uri_list(
            "post_logout_redirect_uris", post_logout_redirect_uris
        ),
        "backchannel_logout_uri": _logout_uri("backchannel_logout_uri", backchannel_logout_uri),
        "backchannel_logout_session_required": backchannel_logout_session_required,
        "frontchannel_logout_uri": _logout_uri("frontchannel_logout_uri", frontchannel_logout_uri),
        "frontchannel_logout_session_required": frontchannel_logout_session_required,
    }


@transaction.atomic(durable=True)
def register_client(
    *,
    service: Service,
    redirect_uris: list[str],
    public: bool,
    actor: User | None,
    post_logout_redirect_uris: list[str] | None = None,
    backchannel_logout_uri: str = "",
    backchannel_logout_session_required: bool = True,
    frontchannel_logout_uri: str = "",
    frontchannel_logout_session_required: bool = True,
) -> RegisteredClient:
    """A new client for the service, waiting for the steward's approval.

    With a ``backchannel_logout_uri`` the service is sent a logout token whenever a
    resident's session with the region ends (``backchannel``); with a
    ``frontchannel_logout_uri`` the resident's browser loads it when they sign out there
    (``frontchannel``).
    """
    secret = "" if public else generate_client_secret()
    client = ServiceClient(
        service=service,
        name=service.name,
        user=actor,
        **_address_fields(
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris or [],
            backchannel_logout_uri=backchannel_logout_uri,
            backchannel_logout_session_required=backchannel_logout_session_required,
            frontchannel_logout_uri=frontchannel_logout_uri,
            frontchannel_logout_session_required=frontchannel_logout_session_required,
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
def change_client_addresses(
    *,
    client: ServiceClient,
    actor: User,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    backchannel_logout_uri: str,
    backchannel_logout_session_required: bool,
    frontchannel_logout_uri: str,
    frontchannel_logout_session_required: bool,
) -> bool:
    """Give a client new addresses, at once, and say whether anything changed.

    The steward's approval stands: it is of the service signing residents in, and a
    co-op can only change its own service's clients (decision 0016). The trail keeps the
    old and new addresses. Logout tokens still owed go to the new back-channel address;
    with none, they are given up (``attempt_logout_delivery``).
    """
    current = ServiceClient.objects.select_for_update().get(pk=client.pk)
    changed = save_audited(
        current,
        _address_fields(
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            backchannel_logout_uri=backchannel_logout_uri,
            backchannel_logout_session_required=backchannel_logout_session_required,
            frontchannel_logout_uri=frontchannel_logout_uri,
            frontchannel_logout_session_required=frontchannel_logout_session_required,
        ),
        actor=actor,
        action=AuditAction.CLIENT_CHANGE,
        skip=["client_secret"],
    )
    # A code already sent to an address no longer listed would still buy tokens for the
    # minute it lives: "stop working as soon as you save" holds for codes too.
    Grant.objects.filter(
        pk__in=[
            grant.pk
            for grant in Grant.objects.filter(application=current)
            if not current.redirect_uri_allowed(grant.redirect_uri)
        ]
    ).delete()
    return changed


@transaction.atomic(durable=True)
def replace_client_secret(*, client: ServiceClient, actor: User) -> RegisteredClient:
    """A new secret for a confidential client, returned only here; the old one stops
    working at once.

    For a secret that leaked, or one nobody kept. Tokens already issued keep working:
    they were never tied to the secret, and revoking them would sign every resident out
    of the service for a fault that was not theirs.
    """
    current = ServiceClient.objects.select_for_update().get(pk=client.pk)
    if current.client_type != ServiceClient.CLIENT_CONFIDENTIAL:
        raise ValidationError("A public client has no secret: it proves itself with PKCE.")
    secret = generate_client_secret()
    current.client_secret = secret  # hashed as it is saved (hash_client_secret)
    current.save(update_fields=["client_secret", "updated"])
    # The trail would show "(set)" before and after; it says what happened instead.
    record(
        actor=actor,
        action=AuditAction.CLIENT_NEW_SECRET,
        obj=current,
        note="a new client secret; the old one no longer works",
    )
    return RegisteredClient(client=current, secret=secret)


@transaction.atomic(durable=True)
def remove_client(*, client: ServiceClient, actor: User) -> int:
    """Remove a client the co-op no longer uses, with everything issued to it; returns how
    many tokens went with it.

    Its tokens, codes and consents go with the row, so they stop working at once; a
    replica site's tokens stop as soon as the removal reaches its standby
    (``oidc.access_token_in_site_store``). The trail keeps what the client was. Refused
    while logout tokens are still owed to its service: they would go with it unsent.
    """
    current = ServiceClient.objects.select_for_update().get(pk=client.pk)
    # What the login path issued is kept where this installation writes it and, at a site
    # making the region's writes at the primary, also at the primary, where it goes with
    # the client's row.
    kept_in = {written_to(LogoutDelivery), current._state.db}
    owed = _counted_in(
        kept_in, LogoutDelivery, client_id=current.pk, delivered_at=None, abandoned_at=None
    )
    if owed:
        # They would go with the row, never sent and never recorded as given up.
        raise ValidationError(
            f"{current.service} is still owed {owed} logout tokens, being sent again until "
            "it acknowledges them (for about five hours at most). Remove the client once "
            "they are delivered or given up; clearing its back-channel logout address gives "
            "them up at their next attempt."
        )
    tokens = _counted_in(kept_in, AccessToken, application_id=current.pk) + _counted_in(
        kept_in, RefreshToken, application_id=current.pk, revoked=None
    )
    record(
        actor=actor,
        action=AuditAction.CLIENT_REMOVE,
        obj=current,
        before=snapshot(current),
        note=f"{tokens} tokens went with it",
    )
    current.delete()
    return tokens


def _counted_in(databases: Iterable[str], model, **where) -> int:
    return sum(model.objects.using(database).filter(**where).count() for database in databases)


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


def _revoke_tokens(
    *, user_id: int, client_id: int, issued_before: datetime.datetime | None = None
) -> int:
    """Revoke every token and code the client holds for the resident (those issued before
    ``issued_before``, when given, and the refresh tokens rotated from them since); how
    many tokens."""
    mine = {"user_id": user_id, "application_id": client_id}
    live_refresh = RefreshToken.objects.filter(**mine, revoked=None)
    if issued_before is not None:
        # A refresh token rotated since is still what was issued before: a service
        # refreshing on its own, the resident doing nothing, must not keep its access.
        families = RefreshToken.objects.filter(**mine, created__lt=issued_before)
        live_refresh = live_refresh.filter(
            Q(created__lt=issued_before) | Q(token_family__in=families.values("token_family"))
        )
        mine["created__lt"] = issued_before
    revoked = 0
    for refresh in live_refresh:
        refresh.revoke()
        revoked += 1
    for access in AccessToken.objects.filter(**mine):
        access.revoke()
        revoked += 1
    IDToken.objects.filter(**mine).delete()
    Grant.objects.filter(**mine).delete()
    return revoked


def _clients_holding(user: User) -> list[ServiceClient]:
    """The services holding the resident's consent or live tokens that take logout tokens:
    those an erased account must sign out, whichever session they signed in with."""
    return list(
        ServiceClient.objects.filter(pk__in=clients_holding(user)).exclude(
            backchannel_logout_uri=""
        )
    )


def _revoke_online_tokens(*, user: User, issued: list[AuditEvent]) -> dict[int, int]:
    """Back-Channel Logout §2.7: tokens issued in an ended session end with it, unless the
    resident let the service act while they are away (``offline_access``), which is what
    those are for. Judged on each token's own scope, so a refresh that narrowed a family's
    scope ends it too.
    Returns how many tokens were revoked, by client."""
    access_tokens, refresh_tokens = tokens_issued_by(issued)
    revoked: Counter[int] = Counter()
    for refresh_token in refresh_tokens.filter(user=user).select_related("access_token"):
        scope = refresh_token.access_token.scope if refresh_token.access_token else ""
        if OFFLINE_ACCESS not in scope.split():
            refresh_token.revoke()  # and its access token
            revoked[refresh_token.application_id] += 1
    # Read after the families: an access token revoked with its refresh token is gone.
    for access_token in access_tokens.filter(user=user):
        if OFFLINE_ACCESS not in access_token.scope.split():
            revoke_access_token(access_token)
            revoked[access_token.application_id] += 1
    return revoked


def _sessions_ended(
    *, user: User, ended: list[SignedInSession], reason: LogoutDelivery.Reason
) -> None:
    """The ``ended`` sessions are over: the services each signed in to are owed logout
    tokens naming it, and their tokens without ``offline_access`` are revoked; then the
    sessions are forgotten. A service none of them signed in to hears nothing.

    One path for a sign-out, an ended session and a new password, so each tells the same
    services the same way.
    """
    if not ended:
        return
    signed_in_to = sign_ins_of(user=user, sessions=ended)
    for client, sids in signed_in_to.sids_by_client.items():
        _owe_logout_tokens(user=user, client=client, reason=reason, sids=sids)
    clients = {client.pk: client for client in signed_in_to.sids_by_client}
    for client_id, count in _revoke_online_tokens(user=user, issued=signed_in_to.issued).items():
        record(
            actor=user,
            action=AuditAction.TOKEN_REVOKE,
            obj=clients[client_id],
            note=f"{count} tokens revoked: the session they were issued in ended "
            "and they were not for offline access",
        )
    SignedInSession.objects.filter(pk__in=[signed_in.pk for signed_in in ended]).delete()


def _owe_logout_tokens(
    *,
    user: User,
    client: ServiceClient,
    reason: LogoutDelivery.Reason,
    sids: list[uuid.UUID],
) -> list[LogoutDelivery]:
    """Record the logout tokens owed to ``client``, and send them once the caller commits.

    ``sids`` are the ended sessions that signed in to the client. A client that asked for
    ``sid`` gets one token per session; one that didn't gets one token naming the resident
    alone, which signs them out of every session there. With no such session (a
    disconnect while signed out, or after the sessions that signed in there ended) even a
    client that asked for ``sid`` gets the resident alone: nothing else names them. A
    client is never told the ``sid`` of a session that did not sign in to it.
    """
    if not client.backchannel_logout_uri:
        return []
    owed = []
    per_session = client.backchannel_logout_session_required and sids
    for sid in sids if per_session else [None]:
        delivery = LogoutDelivery.objects.create(
            client=client,
            user=user,
            # Exactly as the client's ID tokens named the resident.
            subject=subject_for(user, client),
            # And the session as its co-op saw it.
            sid=sid_for(sid, client) if sid else None,
            reason=reason,
            # A safety net: retry_logout_deliveries sends it if the queued job is lost.
            next_attempt_at=timezone.now() + backchannel.retry_delay(1),
        )
        record(
            actor=user,
            action=AuditAction.BACKCHANNEL_LOGOUT_QUEUE,
            obj=delivery,
            note=f"sid {sid}" if sid else "every session of the resident",
        )
        transaction.on_commit(partial(_send_logout_token, delivery.pk))
        owed.append(delivery)
    return owed


def _sids_signed_in_to(
    *, user: User, before: datetime.datetime | None = None
) -> dict[int, list[uuid.UUID]]:
    """The resident's current sessions that signed in to each client (``before`` a moment,
    if given), by client id: what a service that loses all of the resident's access is
    told, session by session."""
    sessions = list(SignedInSession.objects.filter(user=user))
    signed_in = sign_ins_of(user=user, sessions=sessions, before=before)
    return {client.pk: sids for client, sids in signed_in.sids_by_client.items()}


def _send_logout_token(delivery_id: int) -> None:
    from solhost.identity.tasks import deliver_logout_token

    deliver_logout_token(delivery_id)


def attempt_logout_delivery(
    *, delivery: LogoutDelivery, unanswered: str | None = None
) -> LogoutDelivery | None:
    """POST the delivery's logout token once and record the outcome; None if another job
    has attempted it since ``delivery`` was read, and so sent nothing.

    ``unanswered``: what an attempt to the same service gave moments before, when its
    server gave no answer. The token is then not sent, and the attempt counts as failed.

    Acknowledged (200 or 204): done. Otherwise the next attempt waits longer each time,
    until the region gives up and says so: after ``backchannel.REFUSED_ATTEMPTS`` for a
    service that refused the token (400), ``backchannel.MAX_ATTEMPTS`` for the rest.
    """
    if delivery.delivered_at or delivery.abandoned_at:
        return delivery
    # Claimed before the POST: the first-attempt job, the minutely retry and another
    # consumer may each hold this row, and only the one whose claim counts the attempt
    # sends it. The claim also books the next attempt, as if this one fails: a worker that
    # dies while the service answers leaves the token to be sent again then.
    attempt = delivery.attempts + 1
    retry_at = timezone.now() + backchannel.retry_delay(attempt)
    claimed = LogoutDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, delivered_at=None, abandoned_at=None
    ).update(attempts=attempt, next_attempt_at=retry_at)
    if not claimed:
        return None
    delivery.attempts, delivery.next_attempt_at = attempt, retry_at
    try:
        client: ServiceClient | None = delivery.client
    except ServiceClient.DoesNotExist:
        # At a replica site the client is the standby's, and a co-op may have removed it
        # since, which takes nothing of the site's own deliveries with it.
        client = None
    uri = client.backchannel_logout_uri if client is not None else ""
    if client is not None and uri and unanswered is not None:
        problem = f"not sent: moments before, {unanswered}"[:200]
    elif client is not None and uri:
        token = backchannel.logout_token(
            client=client, subject=delivery.subject, sid=delivery.sid, now=timezone.now()
        )
        # Outside any transaction: the service may take seconds to answer.
        problem = backchannel.post_logout_token(uri, token)
    elif client is None:
        problem = "the client was removed"
    else:
        problem = "the service no longer has a back-channel logout address"
    with transaction.atomic():
        now = timezone.now()
        delivery.last_outcome = problem or "acknowledged"
        if problem is None:
            delivery.delivered_at, delivery.next_attempt_at = now, None
            record(actor=None, action=AuditAction.BACKCHANNEL_LOGOUT_DELIVER, obj=delivery)
        elif (
            delivery.attempts >= backchannel.MAX_ATTEMPTS
            or not uri
            or (problem == backchannel.REFUSED and attempt >= backchannel.REFUSED_ATTEMPTS)
        ):
            delivery.abandoned_at, delivery.next_attempt_at = now, None
            record(
                actor=None,
                action=AuditAction.BACKCHANNEL_LOGOUT_ABANDON,
                obj=delivery,
                note=f"after {delivery.attempts} attempts: {problem}",
            )
            logger.warning(
                "gave up sending a logout token to %s after %s attempts: %s",
                uri or f"client {delivery.client_id}",
                delivery.attempts,
                problem,
            )
        else:
            logger.info(
                "logout token to %s not acknowledged (%s); retrying at %s",
                uri,
                problem,
                delivery.next_attempt_at,
            )
        delivery.save(
            update_fields=["last_outcome", "delivered_at", "abandoned_at", "next_attempt_at"]
        )
    return delivery


@transaction.atomic(durable=True)
def disconnect_service(*, user: User, client: ServiceClient) -> int:
    """Withdraw consent and revoke every token and code the service holds for the resident,
    through ``client`` and each other client of the same service that was given anything
    of theirs: a service's web and phone apps are two clients, and the resident
    disconnects the service.

    Returns how many tokens were revoked.
    """
    others = ServiceClient.objects.filter(
        service_id=client.service_id, approved_at__isnull=False
    ).exclude(pk=client.pk)
    knowing = clients_knowing_of(user=user, clients=others)
    return sum(
        _disconnect_client(user=user, client=each)
        for each in [client, *(other for other in others if other.pk in knowing)]
    )


def _disconnect_client(*, user: User, client: ServiceClient) -> int:
    Consent.objects.filter(user=user, client=client).delete()
    revoked = _revoke_tokens(user_id=user.pk, client_id=client.pk)
    record(
        actor=user,
        action=AuditAction.CONSENT_WITHDRAW,
        obj=client,
        note=f"{revoked} tokens revoked",
    )
    # The service may still have the resident signed in with a session of its own.
    _owe_logout_tokens(
        user=user,
        client=client,
        reason=LogoutDelivery.Reason.DISCONNECT,
        sids=_sids_signed_in_to(user=user).get(client.pk, []),
    )
    # Every other site ends what it issued to the service too. A replica site's own record
    # of it would wait for the link, and a disconnect must hold at once, cut off or not:
    # there the audit event above carries it to the primary (``sites.receiving``).
    if not at_replica_site():
        _record_access_end(user=user, client=client, reason=LogoutDelivery.Reason.DISCONNECT)
    return revoked


# The ends of access a restore must not undo, as the account journal names them.
_JOURNALLED = {
    LogoutDelivery.Reason.DISCONNECT: account_journal.Change.DISCONNECTED,
    LogoutDelivery.Reason.PASSWORD: account_journal.Change.NEW_PASSWORD,
    LogoutDelivery.Reason.DELETED: account_journal.Change.ERASED,
    LogoutDelivery.Reason.DEACTIVATED: account_journal.Change.DEACTIVATED,
    LogoutDelivery.Reason.RENEWED: account_journal.Change.RENEWED,
}


def _record_access_end(
    *,
    user: User,
    client: ServiceClient | None,
    reason: LogoutDelivery.Reason,
    at: datetime.datetime | None = None,
    site: str | None = None,
) -> AccessEnd | None:
    """The region's record that every site ends what it issued the resident before ``at``
    (``AccessEnd``), made where the resident did it (``site``: this installation). A
    region of one site has no other to tell. Either way the account journal keeps the
    change, so that a restore from an older archive makes it again."""
    account_journal.keep(
        change=_JOURNALLED[reason],
        resident_id=user.pk,
        client_id=client.client_id if client else "",
    )
    if not settings.SOLHOST_SITE:
        return None
    return AccessEnd.objects.create(
        resident_id=user.pk,
        client=client,
        reason=reason,
        at=at or timezone.now(),
        site=settings.SOLHOST_SITE if site is None else site,
    )


@transaction.atomic
def end_disconnected_elsewhere(
    *, user: User, client: ServiceClient, at: datetime.datetime, site: str
) -> AccessEnd:
    """A replica site reported that the resident disconnected ``client`` there at ``at``:
    recorded for every site, and applied here at once."""
    end = AccessEnd.objects.create(
        resident_id=user.pk,
        client=client,
        reason=LogoutDelivery.Reason.DISCONNECT,
        at=at,
        site=site,
    )
    apply_access_end(end=end)
    account_journal.keep(
        change=account_journal.Change.DISCONNECTED, resident_id=user.pk, client_id=client.client_id
    )
    return end


@transaction.atomic
def apply_access_end(*, end: AccessEnd) -> None:
    """End here what the resident ended at another site (``end``): what this installation
    issued before it, for the disconnected service alone or, after a new password or an
    erasure, every session and token. Services are owed logout tokens as if it had
    happened here, and each revocation is audited."""
    user = User.objects.filter(pk=end.resident_id).first()
    if user is None or end.reason == LogoutDelivery.Reason.DELETED:
        # Services learn of an erasure from its deletion notices, under the ``sub`` they
        # knew (the account's own has changed since); an account the steward deleted
        # since is named by nothing left to tell anyone.
        _forget_sessions(resident_id=end.resident_id)
        why = (
            "the resident's account was deleted"
            if user is not None
            else "the account is no longer in the region's database"
        )
        _end_every_grant(resident_id=end.resident_id, why=why)
        return
    if end.reason == LogoutDelivery.Reason.DEACTIVATED:
        # Unless the steward has let them in again since.
        if not user.is_active:
            _sign_out_everywhere(user=user, reason=LogoutDelivery.Reason.DEACTIVATED)
        return
    if end.reason == LogoutDelivery.Reason.RENEWED:
        _end_what_came_before_renewal(user=user, at=end.at)
        return
    if end.reason == LogoutDelivery.Reason.PASSWORD:
        # A session of the old password (Django already refuses it), and what was issued
        # in it without offline access, as at the site where the password changed.
        _end_sessions_of_old_password(user=user, ended=_sessions_of_old_password(user, end.at))
        return
    client = ServiceClient.objects.get(pk=end.client_id)
    Consent.objects.filter(user=user, client=client, given_at__lt=end.at).delete()
    revoked = _revoke_tokens(user_id=user.pk, client_id=client.pk, issued_before=end.at)
    if revoked:
        record(
            actor=user,
            action=AuditAction.TOKEN_REVOKE,
            obj=client,
            note=f"{revoked} tokens revoked: the resident disconnected the service "
            f"at {end.site or 'another site'}",
        )
        _owe_logout_tokens(
            user=user,
            client=client,
            reason=LogoutDelivery.Reason.DISCONNECT,
            # A sign-in here since then is the resident's own doing, kept like its tokens.
            sids=_sids_signed_in_to(user=user, before=end.at).get(client.pk, []),
        )


def _sessions_of_old_password(user: User, changed_at: datetime.datetime) -> list[SignedInSession]:
    """The resident's sessions here from before their password changed at ``changed_at``,
    and those begun since with the old one: a site cut off from the primary lets it in
    until the new one arrives."""
    signed_in = list(SignedInSession.objects.filter(user=user))
    current = _let_in_with_the_password_now(user, signed_in)
    return [s for s in signed_in if s.started < changed_at or s.session_key not in current]


def _let_in_with_the_password_now(user: User, signed_in: list[SignedInSession]) -> set[str]:
    """The session keys of ``signed_in`` whose browsers Django still lets in as ``user``:
    not expired, and signed in with the password the account has now."""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return {
        session.session_key
        for session in unexpired_sessions(signed_in)
        if any(
            constant_time_compare(session.get_decoded().get(HASH_SESSION_KEY, ""), known)
            for known in hashes
        )
    }


@transaction.atomic
def end_access_of_deleted_account(*, user: User) -> int:
    """The account is being erased: every browser is signed out, every service that can
    take a logout token is owed one, and every token, code and consent goes.

    Runs inside the erasure's transaction, so services are told only once it commits.
    Returns how many tokens were revoked.
    """
    revoked = _sign_out_everywhere(user=user, reason=LogoutDelivery.Reason.DELETED)
    Consent.objects.filter(user=user).delete()
    _record_access_end(user=user, client=None, reason=LogoutDelivery.Reason.DELETED)
    return revoked


@transaction.atomic
def end_access_of_deactivated_account(*, user: User) -> int:
    """The steward deactivated the account (``is_active`` off): every browser is signed
    out, every service holding anything of the resident's is told, and every token and
    code is revoked, so nothing acts as them until they are let in again. Their consents
    stay, for then. Returns how many tokens were revoked."""
    revoked = _sign_out_everywhere(user=user, reason=LogoutDelivery.Reason.DEACTIVATED)
    # The sessions and tokens other sites issued end there too.
    _record_access_end(user=user, client=None, reason=LogoutDelivery.Reason.DEACTIVATED)
    return revoked


@transaction.atomic
def end_access_of_renewed_credentials(*, user: User, at: datetime.datetime) -> None:
    """The steward renewed the account's credentials at ``at`` (``identity.renewals``),
    which may have been copied: every session and token issued before then ends, offline
    ones too, as any may have been got with the copy, and services are told; so at every
    other site. Consents stay."""
    _end_what_came_before_renewal(user=user, at=at)
    _record_access_end(user=user, client=None, reason=LogoutDelivery.Reason.RENEWED, at=at)


def _end_what_came_before_renewal(*, user: User, at: datetime.datetime) -> None:
    """A renewal of the resident's credentials reached this site: every session and token
    it issued them before ``at`` ends, offline ones too, and so does a session since of the
    old password. What the resident began here with a password chosen since stays."""
    if not user.has_usable_password():
        # No password chosen since, so nothing here can be theirs alone.
        _sign_out_everywhere(user=user, reason=LogoutDelivery.Reason.RENEWED)
        return
    _sessions_ended(
        user=user, ended=_sessions_of_old_password(user, at), reason=LogoutDelivery.Reason.RENEWED
    )
    _revoke_every_token(
        resident_id=user.pk, why=LogoutDelivery.Reason.RENEWED.label, issued_before=at
    )


@transaction.atomic
def end_access_of_restored_store(*, resident_id: int, issued_before: datetime.datetime) -> int:
    """This site's store was restored from a backup, which brought back what had ended
    since it was taken: every session and token it issued the resident before
    ``issued_before`` ends, offline ones too (a revocation may be what was lost), and the
    services those sessions signed in to are told. What the resident began here since
    stays; consents stay. Returns how many tokens were revoked."""
    ended = list(SignedInSession.objects.filter(user_id=resident_id, started__lt=issued_before))
    Session.objects.filter(session_key__in=[s.session_key for s in ended]).delete()
    user = User.objects.filter(pk=resident_id).first()
    if user is None:
        # Erased since: no one is left to tell, and nothing of theirs may stay.
        SignedInSession.objects.filter(pk__in=[s.pk for s in ended]).delete()
    else:
        _sessions_ended(user=user, ended=ended, reason=LogoutDelivery.Reason.RESTORED)
    return _revoke_every_token(
        resident_id=resident_id,
        why=LogoutDelivery.Reason.RESTORED.label,
        issued_before=issued_before,
    )


def _sign_out_everywhere(*, user: User, reason: LogoutDelivery.Reason) -> int:
    """Every session here ends and every token and code here is revoked, audited with
    ``reason``; consents stay. Returns how many tokens.

    The whole account's access ends, so every service holding anything is told, even one
    no current session signed in to, as services keep sessions of their own: of each
    session that signed in to it, or, with none or when it didn't ask for ``sid``, of the
    resident alone."""
    signed_in_to = _sids_signed_in_to(user=user)
    for client in _clients_holding(user):
        _owe_logout_tokens(
            user=user, client=client, reason=reason, sids=signed_in_to.get(client.pk, [])
        )
    _forget_sessions(resident_id=user.pk)
    return _revoke_every_token(resident_id=user.pk, why=reason.label)


def _forget_sessions(*, resident_id: int) -> None:
    """Every browser signed in here as the resident is signed out, telling no one."""
    keys = SignedInSession.objects.filter(user_id=resident_id).values_list("session_key", flat=True)
    Session.objects.filter(session_key__in=list(keys)).delete()
    SignedInSession.objects.filter(user_id=resident_id).delete()


def _end_every_grant(*, resident_id: int, why: str) -> int:
    """Every token, code and consent of the resident goes, with an audit event per service
    saying ``why``. Returns how many tokens were revoked."""
    revoked = _revoke_every_token(resident_id=resident_id, why=why)
    Consent.objects.filter(user_id=resident_id).delete()
    return revoked


def _revoke_every_token(
    *, resident_id: int, why: str, issued_before: datetime.datetime | None = None
) -> int:
    """Every token and code of the resident (issued before ``issued_before``, when given,
    as ``_revoke_tokens`` reads it) is revoked, with an audit event per service saying
    ``why``. Returns how many tokens."""
    theirs = {"user_id": resident_id}
    holding = (
        set(Consent.objects.filter(**theirs).values_list("client_id", flat=True))
        | set(AccessToken.objects.filter(**theirs).values_list("application_id", flat=True))
        | set(RefreshToken.objects.filter(**theirs).values_list("application_id", flat=True))
        | set(IDToken.objects.filter(**theirs).values_list("application_id", flat=True))
        | set(Grant.objects.filter(**theirs).values_list("application_id", flat=True))
    )
    revoked = 0
    for client in ServiceClient.objects.filter(pk__in=holding):
        count = _revoke_tokens(
            user_id=resident_id, client_id=client.pk, issued_before=issued_before
        )
        record(
            actor=None,
            action=AuditAction.TOKEN_REVOKE,
            obj=client,
            note=f"{count} tokens revoked: {why}",
        )
        revoked += count
    return revoked


@transaction.atomic(durable=True)
def revoke_tokens_in_admin(*, tokens: Iterable[AccessToken | RefreshToken], steward: User) -> int:
    """The steward revoked these tokens in the admin: each ends with its family (a refresh
    token's access token, an access token's refresh token), and each service whose tokens
    ended gets one audit event saying how many. Returns how many were revoked."""
    revoked: Counter[int] = Counter()
    for token in tokens:
        if isinstance(token, RefreshToken):
            token.revoke()
        else:
            revoke_access_token(token)
        revoked[token.application_id] += 1
    for client in ServiceClient.objects.filter(pk__in=revoked):
        record(
            actor=steward,
            action=AuditAction.TOKEN_REVOKE,
            obj=client,
            note=f"{revoked[client.pk]} tokens revoked by the steward in the admin",
        )
    return sum(revoked.values())


@transaction.atomic(durable=True)
def sign_out_for_service(*, user: User, client: ServiceClient) -> None:
    """The service signed the resident out (RP-initiated logout, with an ID token of this
    browser's session). Recorded here; the browser's session ends next, through Django's
    logout and ``record_logout``, which revokes what every service was given in that session
    and tells them. What the service holds from the resident's other browsers, and its
    ``offline_access`` tokens, stay: signing out of the laptop does not sign the phone out,
    and a service that wants its offline tokens gone revokes them itself (RFC 7009)."""
    record(actor=user, action=AuditAction.LOGOUT_BY_SERVICE, obj=client)


@transaction.atomic
def record_logout(*, user: User, session_key: str | None) -> None:
    """The resident signed out of the region in one browser: services are told its ``sid``."""
    record(actor=user, action=AuditAction.LOGOUT, obj=user)
    _sessions_ended(
        user=user,
        ended=list(SignedInSession.objects.filter(session_key=session_key or "")),
        reason=LogoutDelivery.Reason.LOGOUT,
    )


@transaction.atomic
def remember_session(
    *,
    user: User,
    session_key: str,
    user_agent: str,
    ip_address: str | None,
    amr: list[str],
) -> SignedInSession:
    """The browser just signed in, with the RFC 8176 methods ``amr`` (``claims.amr_of``)."""
    now = timezone.now()
    signed_in, _ = SignedInSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "started": now,
            "authenticated_at": now,
            "amr": amr,
            "user_agent": user_agent[:200],
            "ip_address": ip_address,
        },
    )
    return signed_in


@transaction.atomic
def record_reauthentication(*, signed_in: SignedInSession, amr: list[str]) -> None:
    """The signed-in browser proved who it is again: a password, or a second factor that
    steps it up. ``auth_time`` and ``max_age`` now count from here.

    Whichever it was: the page asking for the password again offers the resident's other
    ways to confirm, and a service that asked for a fresh sign-in must get a fresh
    ``auth_time`` from any of them (allauth's own "recently authenticated" reads the last
    step too). What the ``amr`` stands on is ``claims.amr_of``'s to say."""
    signed_in.authenticated_at = timezone.now()
    signed_in.amr = amr
    signed_in.save(update_fields=["authenticated_at", "amr"])
    record(
        actor=signed_in.user,
        action=AuditAction.REAUTHENTICATE,
        obj=signed_in,
        note=" ".join(amr),
    )


def follow_session_key(*, signed_in: SignedInSession, session_key: str) -> None:
    """Django gave the browser's session a new key (a password change does): the signed-in
    session, its ``sid`` and what it proved stay the same."""
    signed_in.session_key = session_key
    signed_in.save(update_fields=["session_key"])


@transaction.atomic(durable=True)
def end_session(*, user: User, signed_in: SignedInSession) -> None:
    """Sign that browser out: its session is deleted, so its next request is anonymous."""
    if signed_in.user_id != user.pk:
        raise ValidationError("That session is not yours.")
    Session.objects.filter(session_key=signed_in.session_key).delete()
    record(actor=user, action=AuditAction.SESSION_END, obj=signed_in)
    _sessions_ended(user=user, ended=[signed_in], reason=LogoutDelivery.Reason.SESSION_END)


@transaction.atomic
def end_sessions_for_new_password(*, user: User, keep_session_key: str | None) -> int:
    """A new password ends every other session (Django already refuses them), and each
    service is told which. The browser that changed it, having just proved the old
    password, stays signed in. Returns how many sessions ended."""
    ended = list(
        SignedInSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    )
    _end_sessions_of_old_password(user=user, ended=ended)
    # The sessions other sites keep end there too.
    _record_access_end(user=user, client=None, reason=LogoutDelivery.Reason.PASSWORD)
    return len(ended)


def _end_sessions_of_old_password(*, user: User, ended: list[SignedInSession]) -> None:
    """The ``ended`` sessions were signed in with a password that has changed."""
    for signed_in in ended:
        Session.objects.filter(session_key=signed_in.session_key).delete()
        record(actor=user, action=AuditAction.SESSION_END_PASSWORD, obj=signed_in)
    _sessions_ended(user=user, ended=ended, reason=LogoutDelivery.Reason.PASSWORD)
