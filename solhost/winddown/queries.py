"""Reads about wind-downs that pages and other apps share."""

import datetime
from collections import Counter

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from solhost.core.models import parameter_value
from solhost.core.reads import unique_match
from solhost.identity.models import Consent
from solhost.ledger import accounts
from solhost.ledger.books import balance
from solhost.ledger.models import Transaction
from solhost.metering.models import ActiveDay
from solhost.partners.models import Organisation, Service
from solhost.qualification.dossier import WindDownProgress
from solhost.qualification.queries import qualified_on
from solhost.winddown.models import Case, WindDown

# The network's rule for a closed partner's held and carried money (see ``rules.settlement``).
BALANCE_RULE = "wind_down_balance_rule"


def closing_dates_by_service(service_ids) -> dict[int, datetime.date]:
    """``{service id: shutdown day}`` for those of the services whose partner is closing
    or has closed, in one query, so a listing can say "closing on DATE"."""
    return dict(
        Service.objects.filter(
            pk__in=service_ids, organisation__wind_down__isnull=False
        ).values_list("pk", "organisation__wind_down__shutdown_on")
    )


def closed_services() -> QuerySet[Service]:
    """The ids of the services of partners whose wind-down the steward completed: the
    directory no longer lists them. A query not yet run, so it can serve as a subquery."""
    return Service.objects.filter(organisation__wind_down__completed_at__isnull=False).values("pk")


def wind_down_of(organisation_id: int) -> WindDown | None:
    """The partner's wind-down, if it announced one."""
    # Without its partner: every sign-in asks, and hardly any partner is closing.
    return unique_match(WindDown.objects.filter(organisation_id=organisation_id))


def is_resident_of(user, service: Service) -> bool:
    """Whether ``user`` used or connected to ``service`` (as ``residents_by_service``
    counts them), or has a case in it. ``None``, someone with no account yet, is nobody's
    resident."""
    if user is None:
        return False
    return (
        Case.objects.filter(resident=user, service=service).exists()
        or ActiveDay.objects.filter(resident=user, service=service).exists()
        or Consent.objects.filter(user=user, client__service=service).exists()
    )


def sign_in_refusal(user, service: Service, *, day: datetime.date) -> str | None:
    """Why ``user`` (None: someone about to sign up) may not sign in to ``service`` on
    ``day`` because its partner is closing, or None.

    From the no-new-sign-ups day (or an earlier completion) only the service's residents
    get in, to read and take their data; from the shutdown day nobody does.
    """
    wind_down = wind_down_of(service.organisation_id)
    if wind_down is None:
        return None
    partner, shutdown = wind_down.organisation.name, f"{wind_down.shutdown_on:%-d %B %Y}"
    if day >= wind_down.shutdown_on:
        return f"{partner} has closed: {service.name} stopped on {shutdown}."
    taking_nobody = wind_down.completed or day >= wind_down.no_new_signups_from
    if taking_nobody and not is_resident_of(user, service):
        return f"{partner} is closing on {shutdown} and takes no new residents into {service.name}."
    return None


def full_service_refusal(user, service: Service) -> str | None:
    """Why ``user`` (None: someone about to sign up) may not sign in to ``service``
    because it takes no new residents, or None: its partner marked it full, and ``user``
    is not one of its residents already."""
    if service.accepts_new_residents or is_resident_of(user, service):
        return None
    return f"{service.name} is not taking new residents."


def residents_by_service(organisation: Organisation) -> set[tuple[int, int]]:
    """``(resident id, service id)`` for everyone who used or connected to the partner's
    services: an active day on record, or a standing consent to the service's sign-in."""
    used = ActiveDay.objects.filter(service__organisation=organisation).values_list(
        "resident_id", "service_id"
    )
    connected = Consent.objects.filter(client__service__organisation=organisation).values_list(
        "user_id", "client__service_id"
    )
    return set(used.distinct()) | set(connected.distinct())


def counts_by_state(wind_down: WindDown) -> list[dict]:
    """Every state with its label and number of cases, zeros included, in the states' order."""
    counts = Counter(wind_down.cases.values_list("state", flat=True))
    return [
        {"state": state, "label": label, "count": counts.get(state, 0)}
        for state, label in Case.State.choices
    ]


def progress_for_charter(organisation: Organisation) -> WindDownProgress | None:
    """How the partner's wind-down went, as charter B3.1 reads it: its cases counted by
    what they had come to by the end of the shutdown day; None if it announced none."""
    wind_down = WindDown.objects.filter(organisation=organisation).first()
    if wind_down is None:
        return None
    end_of_shutdown_day = timezone.make_aware(
        datetime.datetime.combine(
            wind_down.shutdown_on + datetime.timedelta(days=1), datetime.time()
        )
    )
    in_time = Q(changed_at__lt=end_of_shutdown_day)
    counted = wind_down.cases.aggregate(
        cases=Count("pk"),
        returned=Count("pk", filter=in_time & Q(state=Case.State.EXPORTED)),
        moved=Count("pk", filter=in_time & Q(state=Case.State.MOVED)),
        declined=Count("pk", filter=in_time & Q(state=Case.State.DECLINED)),
    )
    settled = counted["returned"] + counted["moved"] + counted["declined"]
    return WindDownProgress(
        page=wind_down.get_absolute_url(),
        shutdown_on=wind_down.shutdown_on,
        completed_on=None
        if wind_down.completed_at is None
        else timezone.localdate(wind_down.completed_at),
        returned=counted["returned"],
        moved=counted["moved"],
        declined=counted["declined"],
        left=counted["cases"] - settled,
    )


def alternatives_for(service: Service, *, today: datetime.date) -> list[Service]:
    """Services a resident of ``service`` can move to: the same kind, taking new
    residents, at another partner that is qualified today and is not itself closing."""
    candidates = (
        Service.objects.filter(kind_id=service.kind_id, accepts_new_residents=True)
        .exclude(organisation_id=service.organisation_id)
        .exclude(Exists(WindDown.objects.filter(organisation=OuterRef("organisation"))))
        .select_related("organisation")
        .order_by("name")
    )
    qualified: dict[int, bool] = {}
    chosen = []
    for candidate in candidates:
        if candidate.organisation_id not in qualified:
            qualified[candidate.organisation_id] = qualified_on(candidate.organisation, today)
        if qualified[candidate.organisation_id]:
            chosen.append(candidate)
    return chosen


def settlement_key(wind_down: WindDown) -> str:
    """The ledger key of the transaction that settles the wind-down's money."""
    return f"wind-down:{wind_down.pk}:settle"


def money_of(wind_down: WindDown, *, day: datetime.date) -> dict:
    """The closing partner's money in the steward's books at the end of ``day``: what is
    held for it and what it is owed (carried), the network's rule in force for settling
    them, and the settling transaction once the wind-down is complete (None before) with
    how it changed each account."""
    partner = wind_down.organisation
    settlement = (
        Transaction.objects.filter(key=settlement_key(wind_down))
        .prefetch_related("postings__account")
        .first()
    )
    # Every account it touches is a liability: a credit (below zero) makes it larger.
    changes = [
        {
            "account": posting.account,
            "words": "plus" if posting.amount_cents < 0 else "less",
            "cents": abs(posting.amount_cents),
        }
        for posting in (settlement.postings.all() if settlement else [])
    ]
    return {
        "held_cents": -balance(accounts.held_code(partner), at=day),
        "owed_cents": -balance(accounts.payable_code(partner), at=day),
        "rule": str(parameter_value(BALANCE_RULE, at=day)),
        "settlement": settlement,
        "changes": changes,
    }
