"""Reading what the region holds about one resident: their overview, their export document,
and the deletion notices a partner may read.

Money is read as the monthly close stored it (``ResidentShare``), never recomputed here.
"""

import datetime
from collections.abc import Iterable
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone
from oauth2_provider.models import AccessToken, IDToken, RefreshToken

from solhost.contributions.models import ContributionChoice, Payment, Pledge, SponsoredSeat
from solhost.contributions.queries import current_choice
from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent, parameter_value
from solhost.core.safe_json import whole_number
from solhost.distribution.models import PartnerStatement, ResidentShare
from solhost.identity.models import Consent, LogoutDelivery, ServiceClient, SignedInSession, User
from solhost.identity.queries import connected_clients, connected_services
from solhost.identity.subjects import subject_for
from solhost.metering.models import ActiveDay
from solhost.partners.models import Membership, Organisation, Server, Service
from solhost.region.models import current_region
from solhost.residents.models import AccountDeletion, AccountExport, DeletionNotice
from solhost.winddown.models import Case

SCHEMA_PATH = Path(__file__).with_name("export.schema.json")
SCHEMA_ID = "https://solhost.example.org/schemas/resident-export.schema.json"
FORMAT_VERSION = 1

# Rows that belong to one resident, by the field naming them: events about these are
# theirs to see, and their erasure takes the words naming them out of the audit trail.
OWNED: dict[type[Model], str] = {
    EmailAddress: "user",
    Authenticator: "user",
    SignedInSession: "user",
    Consent: "user",
    LogoutDelivery: "user",
    Membership: "user",
    ContributionChoice: "resident",
    SponsoredSeat: "resident",
    Pledge: "resident",
    Case: "resident",
    AccountDeletion: "user",
    AccountExport: "user",
}
# Rows anyone may read about (a partner and its services): their names are no one's secret.
PUBLIC = (ServiceClient, Organisation, Service, Server)


def grace_days(*, at: datetime.date) -> int:
    return int(parameter_value("account_deletion_grace_days", at=at))


def pending_deletion(user: User) -> AccountDeletion | None:
    return user.account_deletions.filter(cancelled_at=None, erased_at=None).first()


def second_factors(user: User) -> list[Authenticator]:
    return list(Authenticator.objects.filter(user=user).order_by("type", "created_at"))


def overview(user: User) -> dict:
    """What the account page shows: who they are, how they sign in, where the account is used."""
    payments = Payment.objects.filter(reference__resident=user)
    return {
        "emails": list(EmailAddress.objects.filter(user=user).order_by("-primary", "email")),
        "has_password": user.has_usable_password(),
        "second_factors": second_factors(user),
        "connections": connected_services(user),
        "sessions": SignedInSession.objects.filter(user=user).count(),
        "memberships": list(user.memberships.select_related("organisation")),
        "choice": current_choice(user),
        "pledge": Pledge.objects.filter(resident=user).first(),
        "seats": list(user.sponsored_seats.select_related("organisation")),
        "payments": payments.count(),
        "paid_cents": payments.aggregate(total=Sum("amount_cents"))["total"] or 0,
        "months": ResidentShare.objects.filter(resident=user).count(),
        "deletion": pending_deletion(user),
        # Services of a closing co-op where the resident still has to say what happens.
        "open_cases": Case.objects.filter(resident=user, state__in=Case.OPEN).count(),
    }


def _at(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def about_user(user: User) -> Q:
    """Audit events where the resident acted or their account was acted on."""
    return Q(actor=user) | Q(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )


def owned_object_ids(user: User, events: QuerySet[AuditEvent]) -> set[tuple[int, str]]:
    """``(content type id, object id)`` of the events' objects that are the resident's own:
    their account, rows naming them (``OWNED``) and public rows."""
    user_type = ContentType.objects.get_for_model(User)
    owned = {(user_type.pk, str(user.pk))}
    by_type: dict[int, set[str]] = {}
    for type_id, object_id in events.exclude(content_type=None).values_list(
        "content_type_id", "object_id"
    ):
        by_type.setdefault(type_id, set()).add(object_id)
    for model, field in OWNED.items():
        kind = ContentType.objects.get_for_model(model)
        wanted = [
            number for i in by_type.get(kind.pk, ()) if (number := whole_number(i)) is not None
        ]
        if wanted:
            mine = model._default_manager.filter(pk__in=wanted, **{field: user})
            owned |= {(kind.pk, str(pk)) for pk in mine.values_list("pk", flat=True)}
    for model in PUBLIC:
        kind = ContentType.objects.get_for_model(model)
        owned |= {(kind.pk, object_id) for object_id in by_type.get(kind.pk, ())}
    return owned


def _audit_events(user: User) -> list[dict]:
    """The trail about the resident. What an event says about its object (its name and
    note) is shown only when the object is theirs or public: a steward's or a co-op
    admin's events about other people's records must not show those people."""
    events = AuditEvent.objects.filter(about_user(user)).order_by("at", "id")
    shown = owned_object_ids(user, events)
    labels = {
        kind.pk: f"{kind.app_label}.{kind.model}"
        for kind in ContentType.objects.filter(
            pk__in=events.exclude(content_type=None).values("content_type")
        )
    }
    account = (ContentType.objects.get_for_model(User).pk, str(user.pk))
    rows = []
    for at, action, actor_id, type_id, object_id, object_repr, note in events.values_list(
        "at", "action", "actor_id", "content_type_id", "object_id", "object_repr", "note"
    ):
        mine = actor_id == user.pk
        about = (type_id, object_id) in shown
        subject = (type_id, object_id) == account
        known = AuditAction._value2member_map_.get(action)
        rows.append(
            {
                "at": at.isoformat(),
                "action": action,
                "description": known.description if isinstance(known, AuditAction) else "",
                "role": "actor and subject"
                if mine and subject
                else ("actor" if mine else "subject"),
                "object_type": labels.get(type_id),
                "object": object_repr if about else None,
                "note": note if about or type_id is None else None,
            }
        )
    return rows


def _money_by_month(user: User, services: dict[str, Service]) -> list[dict]:
    shares = list(ResidentShare.objects.filter(resident=user).select_related("close"))
    held = set(
        PartnerStatement.objects.filter(
            close__in={share.close_id for share in shares}, held_cents__gt=0
        ).values_list("close_id", "partner_id")
    )
    months = []
    for share in sorted(shares, key=lambda share: share.close.period):
        rows = []
        for slug, cents in share.services.items():
            service = services.get(slug)
            rows.append(
                {
                    "service": slug,
                    "service_name": service.name if service else slug,
                    "partner": service.organisation.slug if service else "",
                    "active_days": share.active_days.get(slug, 0),
                    "held_for_partner": service is not None
                    and (share.close_id, service.organisation_id) in held,
                    "cents": cents,
                }
            )
        months.append(
            {
                "period": share.close.period,
                "paid_cents": share.paid_cents,
                "commons_cents": share.commons_cents,
                "solidarity_cents": share.solidarity_cents,
                "zero_usage_cents": share.zero_usage_cents,
                "services": rows,
            }
        )
    return months


def _service_names(service: Service) -> dict:
    return {
        "service": service.slug,
        "service_name": service.name,
        "partner": service.organisation.slug,
    }


def export_document(user: User, *, now: datetime.datetime) -> dict:
    """Everything the region holds about ``user``, as the export's JSON document
    (``export.schema.json``). Nothing in it is about another resident."""
    region = current_region()
    services = {s.slug: s for s in Service.objects.select_related("organisation")}
    deletion = pending_deletion(user)
    connected = connected_clients(user)
    return {
        "$schema": SCHEMA_ID,
        "format_version": FORMAT_VERSION,
        "generated_at": now.isoformat(),
        "region": {
            "name": region.name if region else "solhost",
            "domain": region.domain if region else "",
        },
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "sub": str(user.sub),
            "joined_at": user.date_joined.isoformat(),
            "last_sign_in_at": _at(user.last_login),
            "has_password": user.has_usable_password(),
            "deletion": {
                "requested_at": deletion.requested_at.isoformat(),
                "erase_after": deletion.erase_after.isoformat(),
            }
            if deletion
            else None,
        },
        "emails": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "second_factors": [
            {
                "type": factor.type,
                "created_at": factor.created_at.isoformat(),
                "last_used_at": _at(factor.last_used_at),
            }
            for factor in second_factors(user)
        ],
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "joined_on": m.joined.isoformat(),
            }
            for m in user.memberships.select_related("organisation")
        ],
        "contribution_choices": [
            {"chosen_at": c.chosen_at.isoformat(), "monthly_cents": c.monthly_cents}
            for c in user.contribution_choices.all()
        ],
        "sponsored_seats": [
            {
                "organisation": seat.organisation.slug,
                "organisation_name": seat.organisation.name,
                "monthly_cents": seat.monthly_cents,
                "since": seat.created_at.isoformat(),
            }
            for seat in user.sponsored_seats.select_related("organisation")
        ],
        "payment_reference": _payment_reference(user),
        "pledge": _pledge(user),
        "payments": [_payment(p) for p in _payments(user)],
        "money_by_month": _money_by_month(user, services),
        # Rows as tuples: the long tables would otherwise spend their time building models.
        "active_days": [
            {"day": day.isoformat(), "service": slug, "service_name": name, "partner": partner}
            for day, slug, name, partner in ActiveDay.objects.filter(resident=user)
            .order_by("day", "service__slug")
            .values_list("day", "service__slug", "service__name", "service__organisation__slug")
        ],
        "connected_services": [
            {
                **_service_names(item["client"].service),
                "client_id": item["client"].client_id,
                "subject": subject_for(user, item["client"]),
                "scopes": item["consent"].scopes.split() if item["consent"] else [],
                "consent_given_at": _at(item["consent"].given_at) if item["consent"] else None,
                "signed_in": item["signed_in"],
            }
            for item in connected
        ],
        "sessions": [
            {
                "started_at": s.started.isoformat(),
                "last_authenticated_at": _at(s.authenticated_at),
                "methods": list(s.amr),
                "browser": s.user_agent,
                "address": s.ip_address,
                "sid": str(s.sid),
            }
            for s in SignedInSession.objects.filter(user=user).order_by("started", "pk")
        ],
        "wind_down_cases": [
            {
                **_service_names(case.service),
                "state": case.state,
                "move_to": case.move_to.slug if case.move_to else None,
                "changed_at": case.changed_at.isoformat(),
                "closed_at": _at(case.closed_at),
            }
            for case in Case.objects.filter(resident=user)
            .select_related("service__organisation", "move_to")
            .order_by("changed_at", "pk")
        ],
        "how_to_leave": _how_to_leave(
            user, signed_in_to={item["client"].service_id for item in connected}
        ),
        "audit_events": _audit_events(user),
    }


def _how_to_leave(user: User, *, signed_in_to: set[int]) -> list[dict]:
    """What each service the resident uses says about leaving it: those they were reported
    using, are connected to (``signed_in_to``), or have a wind-down case with."""
    used = (
        Q(pk__in=ActiveDay.objects.filter(resident=user).values("service"))
        | Q(pk__in=signed_in_to)
        | Q(pk__in=Case.objects.filter(resident=user).values("service"))
    )
    return [
        {
            **_service_names(service),
            "page": settings.BASE_URL + service.get_absolute_url(),
            **service.exit_information(),
        }
        for service in Service.objects.filter(used).select_related("organisation").order_by("slug")
    ]


def _pledge(user: User) -> dict | None:
    pledge = Pledge.objects.filter(resident=user).first()
    if pledge is None:
        return None
    return {
        "amount_cents": pledge.amount_cents,
        "frequency": pledge.frequency,
        "starts_on": pledge.starts_on.isoformat(),
        "status": pledge.status,
        "reminders": pledge.reminders,
        "reminded_about": [
            due.isoformat()
            for due in pledge.reminders_sent.order_by("due_on").values_list("due_on", flat=True)
        ],
    }


def _payments(user: User) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(reference__resident=user)
        .select_related("reference", "reversal")
        .order_by("received_on", "id")
    )


def _payment(payment: Payment) -> dict:
    reversal = getattr(payment, "reversal", None)
    return {
        "received_on": payment.received_on.isoformat(),
        "reference": payment.reference.code,
        "amount_cents": payment.amount_cents,
        "source": payment.source,
        "reversal_kind": reversal.kind if reversal else None,
        "reversed_on": _day(reversal.reversed_on) if reversal else None,
        "reversal_reason": reversal.reason if reversal else None,
    }


def _payment_reference(user: User) -> str | None:
    reference = getattr(user, "payment_reference", None)
    return reference.code if reference is not None else None


def export_rows(user: User) -> int:
    """How many rows the resident's export holds in its long tables: what makes it large."""
    return (
        ActiveDay.objects.filter(resident=user).count()
        + AuditEvent.objects.filter(about_user(user)).count()
        + Payment.objects.filter(reference__resident=user).count()
        + ResidentShare.objects.filter(resident=user).count()
        + SignedInSession.objects.filter(user=user).count()
    )


def exports_of(user: User) -> list[AccountExport]:
    """The resident's exports built in the background that can still be downloaded or are
    being built."""
    now = timezone.now()
    return list(
        AccountExport.objects.filter(user=user, purpose=AccountExport.Purpose.REQUESTED).filter(
            Q(ready_at=None) | Q(expires_at__gt=now, file_name__gt="")
        )
    )


def notices_for(
    organisation: Organisation, *, since: datetime.datetime | None, after: int
) -> QuerySet[DeletionNotice]:
    """The deletion notices for ``organisation`` from ``since`` on and after the notice
    ``after``, in the order they were written."""
    notices = DeletionNotice.objects.filter(organisation=organisation, pk__gt=after)
    if since is not None:
        notices = notices.filter(deleted_at__gte=since)
    return notices.order_by("pk")


def organisations_knowing(user: User) -> Iterable[Organisation]:
    """The partners whose services knew the resident: signed in to, reported use of, or
    were sent a logout token for."""
    clients = (
        set(Consent.objects.filter(user=user).values_list("client_id", flat=True))
        | set(AccessToken.objects.filter(user=user).values_list("application_id", flat=True))
        | set(RefreshToken.objects.filter(user=user).values_list("application_id", flat=True))
        | set(IDToken.objects.filter(user=user).values_list("application_id", flat=True))
        | set(LogoutDelivery.objects.filter(user=user).values_list("client_id", flat=True))
    )
    used = ActiveDay.objects.filter(resident=user).values("service__organisation")
    via_clients = ServiceClient.objects.filter(pk__in=clients).values("service__organisation")
    return Organisation.objects.filter(Q(pk__in=used) | Q(pk__in=via_clients)).order_by("pk")
