"""The public status page, and each partner's own checks, history and outage periods."""

import datetime
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from solhost.partners.permissions import organisation_for_user
from solhost.probes.forms import OutagePeriodForm
from solhost.probes.models import ProbeHour, ProbeTarget
from solhost.probes.queries import (
    WINDOWS,
    Availability,
    Rules,
    availability_between,
    incidents,
    public_statuses,
    statuses,
    window_start,
)

HISTORY_DAYS = 7


def status_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = public_statuses(now=now)
    found = list(incidents(ProbeTarget.objects.all(), now=now))
    return render(
        request,
        "probes/status.html",
        {
            "windows": [window.words for window in WINDOWS],
            "rules": Rules.at(timezone.localdate(now)),
            "rows": rows,
            "answering": sum(1 for row in rows if row.target.last_up),
            "checked": sum(1 for row in rows if row.target.last_up is not None),
            "open_incidents": [i for i in found if i.is_open],
            "past_incidents": [i for i in found if not i.is_open],
        },
    )


@login_required
def partner_status(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request, slug, edit=False)
    now = timezone.now()
    targets = ProbeTarget.objects.filter(service__organisation=organisation)
    found = list(incidents(targets, now=now))
    period = OutagePeriodForm(request.GET or None)
    during = None
    if period.is_valid():
        counted = availability_between(
            targets, start=period.cleaned_data["start"], end=period.cleaned_data["end"]
        )
        during = [(target, counted[target.pk]) for target in targets.select_related("service")]
    return render(
        request,
        "probes/partner.html",
        {
            "organisation": organisation,
            "title": "Service checks",
            "windows": [window.words for window in WINDOWS],
            "rows": statuses(targets, now=now),
            "open_incidents": [i for i in found if i.is_open],
            "past_incidents": [i for i in found if not i.is_open],
            "history": daily_history(targets, now=now),
            "period": period,
            "during": during,
        },
    )


def daily_history(targets, *, now: datetime.datetime) -> dict:
    """The targets' availability for each of the last days (local days), newest first."""
    today = timezone.localdate(now)
    days = [today - datetime.timedelta(days=n) for n in range(HISTORY_DAYS)]
    counts: dict[tuple[int, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    hours = ProbeHour.objects.filter(
        target__in=targets, hour__gte=window_start(now, datetime.timedelta(days=HISTORY_DAYS + 1))
    ).values_list("target_id", "hour", "checks", "up_checks")
    for target_id, hour, checks, up_checks in hours:
        count = counts[(target_id, timezone.localdate(hour))]
        count[0] += checks
        count[1] += up_checks
    ordered = list(targets.select_related("service"))
    return {
        "targets": ordered,
        "days": [
            (day, [Availability(*counts.get((t.pk, day), (0, 0))) for t in ordered]) for day in days
        ],
    }
