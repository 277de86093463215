"""Reading what the provider holds for a resident."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.core.reads import unique_match
from solhost.core.safe_json import text_problem
from solhost.identity.databases import written_to
from solhost.identity.models import (
    Consent,
    LogoutDelivery,
    ServiceClient,
    SignedInSession,
    User,
)
from solhost.identity.oidc import scope_summaries


def connected_clients(user: User) -> list[dict]:
    """The clients holding the resident's consent or live tokens, with what each holds."""
    consents = {c.client_id: c for c in Consent.objects.filter(user=user)}
    with_tokens = _clients_with_live_tokens(user)
    clients = ServiceClient.objects.filter(
        Q(pk__in=consents.keys()) | Q(pk__in=with_tokens)
    ).select_related("service__organisation")
    return [
        {
            "client": client,
            "consent": consents.get(client.pk),
            "shares": scope_summaries(consents[client.pk].scopes) if client.pk in consents else [],
            "signed_in": client.pk in with_tokens,
        }
        for client in clients.order_by("service__name", "pk")
    ]


def connected_services(user: User) -> list[dict]:
    """The services among ``connected_clients``, each once: a service's web and phone apps
    are clients of their own, which a disconnect stops together
    (``actions.disconnect_service``). What any of them was allowed, since the first was."""
    services: dict[int, dict] = {}
    for item in connected_clients(user):
        client, consent = item["client"], item["consent"]
        entry = services.setdefault(
            client.service_id,
            {"service": client.service, "client": client, "shares": [], "since": None},
        )
        entry["shares"] += [words for words in item["shares"] if words not in entry["shares"]]
        if consent is not None:
            given = [at for at in (entry["since"], consent.given_at) if at is not None]
            entry["since"] = min(given)
    return list(services.values())


def unexpired_sessions(signed_in: Iterable[SignedInSession]):
    """The Django sessions of the ``signed_in`` rows that have not expired."""
    return Session.objects.filter(
        session_key__in=[row.session_key for row in signed_in], expire_date__gt=timezone.now()
    )


def verified_address_of(user_id: int) -> EmailAddress | None:
    """Where the region writes to the account about its security: the address it signs in
    with when that is verified, else its oldest verified one; None without any. An
    unverified address may be a typo, someone else's inbox."""
    return (
        EmailAddress.objects.filter(user_id=user_id, verified=True)
        .select_related("user")
        .order_by("-primary", "pk")
        .first()
    )


def clients_holding(user: User) -> set[int]:
    """The ids of the clients holding the resident's consent or a live token of theirs,
    at this site."""
    consented = set(Consent.objects.filter(user=user).values_list("client_id", flat=True))
    return consented | _clients_with_live_tokens(user)


def _clients_with_live_tokens(user: User) -> set[int]:
    """The ids of the clients holding an unexpired access token or an unrevoked refresh
    token of the resident's."""
    now = timezone.now()
    return set(
        AccessToken.objects.filter(user=user, expires__gt=now).values_list(
            "application_id", flat=True
        )
    ) | set(
        RefreshToken.objects.filter(user=user, revoked=None).values_list(
            "application_id", flat=True
        )
    )


def knows_of(*, user: User, client: ServiceClient) -> bool:
    """Whether the client holds or was ever given anything of the resident's: their
    consent or a live token here, or tokens issued at any site of the region. All a
    disconnect can concern: a client that was never given anything would learn of the
    resident from being told to forget them."""
    return bool(clients_knowing_of(user=user, clients=[client]))


def clients_knowing_of(*, user: User, clients: Iterable[ServiceClient]) -> set[int]:
    """The ids of those of ``clients`` that ``knows_of`` the resident, read at once."""
    asked = {client.pk for client in clients}
    holding = clients_holding(user) & asked
    issued = _token_issues(residents=[user.pk], clients=asked - holding).values_list(
        "object_id", flat=True
    )
    return holding | {int(pk) for pk in issued}


def _token_issues(*, residents: Iterable[int], clients: Iterable[int]):
    """The token endpoint's records of tokens the ``clients`` were issued for the
    ``residents`` (ids): they outlive the tokens, and a site's reach the primary as the
    site forwards its audit trail."""
    return AuditEvent.objects.filter(
        actor_id__in=list(residents),
        action=AuditAction.TOKEN_ISSUE,
        content_type=ContentType.objects.get_for_model(ServiceClient),
        object_id__in=[str(pk) for pk in clients],
    )


@dataclass(frozen=True)
class SignIns:
    """What some browser sessions of a resident signed in to."""

    # The token endpoint's records of the codes redeemed from those sessions: each names
    # its client and the session (``sid``) the code came from.
    issued: list[AuditEvent]
    # Each service signed in to, with the sessions that did.
    sids_by_client: dict[ServiceClient, list[uuid.UUID]]


def sign_ins_of(
    *,
    user: User,
    sessions: list[SignedInSession],
    before: datetime.datetime | None = None,
) -> SignIns:
    """The services the resident's ``sessions`` signed in to (``before`` a moment, if
    given), read where the token endpoint wrote its records. The one answer to "whom does
    ending these sessions concern", for back-channel and front-channel logout alike: a
    service another session signed in to is not among them."""
    if not sessions:
        return SignIns(issued=[], sids_by_client={})
    events = AuditEvent.objects.using(written_to(AuditEvent)).filter(
        # Only this resident's, and none older than the sessions: an index narrows the
        # search before the sid inside each record is read.
        actor_id=user.pk,
        action=AuditAction.TOKEN_ISSUE,
        at__gte=min(signed_in.started for signed_in in sessions),
        after__sid__in=[str(signed_in.sid) for signed_in in sessions],
    )
    issued = list(events.filter(at__lt=before) if before is not None else events)
    sids: dict[int, set[str]] = {}
    for event in issued:
        sids.setdefault(int(event.object_id), set()).add(event.after["sid"])
    clients = ServiceClient.objects.filter(pk__in=sids).select_related("service")
    return SignIns(
        issued=issued,
        sids_by_client={
            client: [uuid.UUID(sid) for sid in sorted(sids[client.pk])] for client in clients
        },
    )


def given_public_subs(*, organisation_id: int, residents: Iterable[int]) -> set[int]:
    """Those of ``residents`` (ids) whose public sub the organisation was given: a client
    of one of its services with the public subject type issued them tokens.

    The only public subs a co-op can hold, so the only ones it may name a resident by (in
    usage reports) or be told of (in deletion notices)."""
    public_clients = ServiceClient.objects.filter(
        service__organisation_id=organisation_id, subject_type=ServiceClient.SubjectType.PUBLIC
    ).values_list("pk", flat=True)
    issues = _token_issues(residents=residents, clients=public_clients)
    return set(issues.values_list("actor_id", flat=True).distinct())


def authorization_parameter(
    next_url: str | None, name: str, *, host: str | None = None
) -> str | None:
    """Parameter ``name`` of the authorization request ``next_url`` is, on whose way a page
    (sign in, sign up, sign out to use another account) is; None when it has none, or when
    ``next_url`` is no authorization request of this site (at ``host``, when given) or no
    address at all. A value no page or database can hold counts as none."""
    if not next_url:
        return None
    try:
        address = urlsplit(next_url)
    except ValueError:  # e.g. "http://[x/": no address at all
        return None
    if address.path != reverse("oauth2_provider:authorize"):
        return None
    if host is not None and address.netloc not in ("", host):
        return None
    value = parse_qs(address.query).get(name, [""])[0]
    return value if value and not text_problem(value) else None


def client_asking(next_url: str | None, *, host: str) -> ServiceClient | None:
    """The approved client whose authorization request ``next_url`` is, at this site
    (``host``), or None for any other address: where a page that a service's sign-in sent
    the visitor to goes on to."""
    client_id = authorization_parameter(next_url, "client_id", host=host)
    if client_id is None:
        return None
    client = unique_match(
        ServiceClient.objects.select_related("service__organisation").filter(client_id=client_id)
    )
    return client if client is not None and client.approved else None


# How far back a service's admins see the logout tokens sent to it: long enough to cover a
# weekend, short enough to show the state of the endpoint today.
DELIVERY_DAYS = 7


@dataclass(frozen=True)
class LogoutDeliveries:
    """What became of the logout tokens a client was owed in the last ``DELIVERY_DAYS``."""

    acknowledged: int
    retrying: int
    given_up: int
    # The latest token still not acknowledged after an attempt: when its session ended,
    # and what the last attempt got back.
    latest_problem: str
    latest_problem_at: datetime.datetime | None


def logout_deliveries(clients: list[ServiceClient]) -> dict[int, LogoutDeliveries]:
    """For each of ``clients`` (by primary key) with a back-channel logout address, what
    became of its logout tokens lately: counts, and the latest problem. Nothing about whom
    they named: a co-op sees its endpoint's health, not its residents' comings and goings."""
    posting = [client.pk for client in clients if client.backchannel_logout_uri]
    recent = LogoutDelivery.objects.filter(
        client_id__in=posting, created__gte=timezone.now() - timedelta(days=DELIVERY_DAYS)
    )
    counts = {
        row["client_id"]: row
        for row in recent.values("client_id").annotate(
            acknowledged=Count("pk", filter=Q(delivered_at__isnull=False)),
            retrying=Count("pk", filter=Q(delivered_at=None, abandoned_at=None)),
            given_up=Count("pk", filter=Q(abandoned_at__isnull=False)),
        )
    }
    unacknowledged = recent.filter(delivered_at=None, attempts__gt=0).order_by("-created")
    summaries = {}
    for pk in posting:
        # One read each: a co-op registers a client or two per service.
        row, problem = counts.get(pk, {}), unacknowledged.filter(client_id=pk).first()
        summaries[pk] = LogoutDeliveries(
            acknowledged=row.get("acknowledged", 0),
            retrying=row.get("retrying", 0),
            given_up=row.get("given_up", 0),
            latest_problem=problem.last_outcome if problem else "",
            latest_problem_at=problem.created if problem else None,
        )
    return summaries
