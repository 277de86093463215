"""``/api/v1/status…``: what the probes found, for anyone; a partner's own checks over a period."""

import datetime
from typing import Annotated

from django.utils import timezone
from ninja import Query, Router, Schema

from solhost.core.api import GUARDED, INVALID, UNAUTHORISED, DescribedMoment
from solhost.partners.auth import partner_token
from solhost.probes.models import Incident, ProbeTarget
from solhost.probes.queries import (
    RETENTION,
    WINDOWS,
    availability_between,
    incidents,
    public_statuses,
    window_start,
)

router = Router(tags=["status"])
# A period longer than the checks are kept would count nothing more.
LONGEST_PERIOD_HOURS = RETENTION.days * 24


class AvailabilityOut(Schema):
    checks: int
    up_checks: int
    share: float | None


class WindowsOut(Schema):
    last_24_hours: AvailabilityOut
    last_30_days: AvailabilityOut
    last_90_days: AvailabilityOut


class AddressOut(Schema):
    service: str
    partner: str
    kind: str
    url: str
    last_checked_at: datetime.datetime | None
    up: bool | None
    problem: str
    down_since: datetime.datetime | None
    availability: WindowsOut


class IncidentOut(Schema):
    service: str
    partner: str
    kind: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    problem: str


class PeriodAddressOut(Schema):
    service: str
    kind: str
    url: str
    availability: AvailabilityOut


class PeriodOut(Schema):
    start: datetime.datetime
    end: datetime.datetime
    checks_kept_since: datetime.datetime
    addresses: list[PeriodAddressOut]


def _availability(found) -> dict:
    return {"checks": found.checks, "up_checks": found.up_checks, "share": found.share}


@router.get("/status", response={200: list[AddressOut], **GUARDED}, summary="Service status")
def status(request):
    """Each service address the region checks: its last check (``up`` is null when the
    address may not be requested, with ``problem`` saying why), the start of its open
    incident (``down_since``), and its checks over the last 24 hours, 30 and 90 days
    (``share`` of checks up, null without checks). Counted in whole hours, as /status/."""
    now = timezone.now()
    return [
        {
            "service": row.target.service.slug,
            "partner": row.target.service.organisation.slug,
            "kind": row.target.kind,
            "url": row.target.url,
            "last_checked_at": row.target.last_checked_at,
            "up": row.target.last_up,
            "problem": row.target.last_problem,
            "down_since": row.open_incident.started_at if row.open_incident else None,
            "availability": {
                window.key: _availability(found)
                for window, found in zip(WINDOWS, row.windows, strict=True)
            },
        }
        for row in public_statuses(now=now)
    ]


@router.get(
    "/status/incidents",
    response={200: list[IncidentOut], **GUARDED},
    summary="Service incidents",
)
def incident_list(request):
    """Open incidents and those that started in the last 90 days, newest first (at most 50):
    an address that failed enough checks in a row, from its first failed check to the first
    check that found it up again (``ended_at`` null while it lasts)."""
    found: list[Incident] = list(incidents(ProbeTarget.objects.all(), now=timezone.now()))
    return [
        {
            "service": i.target.service.slug,
            "partner": i.target.service.organisation.slug,
            "kind": i.target.kind,
            "started_at": i.started_at,
            "ended_at": i.ended_at,
            "problem": i.problem,
        }
        for i in found
    ]


@router.get(
    "/status/period",
    auth=partner_token,
    response={200: PeriodOut, **GUARDED, **UNAUTHORISED, **INVALID},
    summary="Your services' checks over a period",
)
def period(
    request, start: DescribedMoment, hours: Annotated[int, Query(ge=1, le=LONGEST_PERIOD_HOURS)]
):
    """Your services' checks over the ``hours`` from ``start`` (ISO 8601 with an offset),
    e.g. a power outage you cite for criterion S3, counted in whole hours. ``end`` is where
    the count stops: now, for a period not over yet. Checks are kept from
    ``checks_kept_since`` (90 days); hours before it, or after now, have no checks."""
    now = timezone.now()
    # Never past now, so a start near the end of the calendar cannot overflow.
    end = start + min(datetime.timedelta(hours=hours), max(now - start, datetime.timedelta(0)))
    targets = ProbeTarget.objects.filter(service__organisation=request.auth).select_related(
        "service"
    )
    counted = availability_between(targets, start=start, end=end)
    return {
        "start": start,
        "end": end,
        "checks_kept_since": window_start(now, RETENTION),
        "addresses": [
            {
                "service": t.service.slug,
                "kind": t.kind,
                "url": t.url,
                "availability": _availability(counted[t.pk]),
            }
            for t in targets
        ],
    }
