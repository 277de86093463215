"""Reads about wind-downs that pages and other apps share."""

import datetime
from collections import Counter

from django.db.models import Exists, OuterRef

from solhost.identity.models import Consent
from solhost.metering.models import ActiveDay
from solhost.partners.models import Organisation, Service
from solhost.qualification.queries import qualified_on
from solhost.winddown.models import Case, WindDown


def closing_dates_by_service(service_ids) -> dict[int, datetime.date]:
    """``{service id: shutdown day}`` for those of the services whose partner is closing
    or has closed, in one query, so a listing can say "closing on DATE"."""
    return dict(
        Service.objects.filter(
            pk__in=service_ids, organisation__wind_down__isnull=False
        ).values_list("pk", "organisation__wind_down__shutdown_on")
    )


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


def alternatives_for(service: Service, *, today: datetime.date) -> list[Service]:
    """Services a resident of ``service`` can move to: the same kind, at another partner
    that is qualified today and is not itself closing."""
    candidates = (
        Service.objects.filter(kind_id=service.kind_id)
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
