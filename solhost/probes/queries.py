"""Reads other apps and pages may call: availability over the status windows or any period,
and incidents.

Availability is counted in whole hours (UTC), as the checks are stored: a window of
24 hours is the current hour and the 23 before it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum

from solhost.core.models import parameter_value
from solhost.probes.models import Incident, ProbeHour, ProbeTarget


@dataclass(frozen=True)
class Window:
    """A span of time ending now that the status page counts availability over."""

    key: str
    words: str
    length: datetime.timedelta


WINDOWS = (
    Window("last_24_hours", "24 hours", datetime.timedelta(hours=24)),
    Window("last_30_days", "30 days", datetime.timedelta(days=30)),
    Window("last_90_days", "90 days", datetime.timedelta(days=90)),
)
# The hourly counts are kept as long as the longest window shows; incidents are kept.
RETENTION = WINDOWS[-1].length
RECENT_INCIDENTS = 50
# Every address's sums read up to 90 days of hours (2,160 rows an address; measured by
# benchmarks/status_sums.py), so /status/ and the API keep them for a minute. The round that
# stores checks adds them up at once for the next interval; with a shared cache (Redis)
# views read that, and with each process's own cache a view adds them up at most once a
# minute.
PUBLIC_STATUSES_KEY = "probes:public-statuses"
PUBLIC_STATUSES_SECONDS = 60


@dataclass(frozen=True)
class Rules:
    """The network's probe parameters in force on a day."""

    interval: datetime.timedelta
    failures_for_incident: int
    notify_after: datetime.timedelta

    @classmethod
    def at(cls, day: datetime.date) -> "Rules":
        return cls(
            interval=datetime.timedelta(
                minutes=int(parameter_value("probe_interval_minutes", at=day))
            ),
            failures_for_incident=int(parameter_value("probe_failures_for_incident", at=day)),
            notify_after=datetime.timedelta(
                minutes=int(parameter_value("probe_notify_after_minutes", at=day))
            ),
        )

    @property
    def interval_minutes(self) -> int:
        return int(self.interval.total_seconds() // 60)

    @property
    def notify_after_minutes(self) -> int:
        return int(self.notify_after.total_seconds() // 60)


@dataclass(frozen=True)
class Availability:
    """Checks made and checks that found the address up, over some period."""

    checks: int
    up_checks: int

    @property
    def share(self) -> float | None:
        return self.up_checks / self.checks if self.checks else None

    @property
    def words(self) -> str:
        """The share as people read it: two decimals below 100 %, and never rounded up to it."""
        if not self.checks:
            return "No checks"
        if self.up_checks == self.checks:
            return "100 %"
        if not self.up_checks:
            return "0 %"
        return f"{min(self.up_checks * 100 / self.checks, 99.99):.2f} %"


@dataclass(frozen=True)
class TargetStatus:
    """One address's latest check, its availability in each window, and its open incident."""

    target: ProbeTarget
    windows: tuple[Availability, ...]
    open_incident: Incident | None


def start_of_hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def window_start(now: datetime.datetime, window: datetime.timedelta) -> datetime.datetime:
    """The first hour counted in a window ending with the hour of ``now``."""
    return start_of_hour(now) - window + datetime.timedelta(hours=1)


def statuses(targets: QuerySet[ProbeTarget], *, now: datetime.datetime) -> list[TargetStatus]:
    """Each target's availability over the status windows, in two queries."""
    targets = targets.select_related("service__organisation")
    sums = {}
    for index, window in enumerate(WINDOWS):
        since = Q(hour__gte=window_start(now, window.length))
        sums[f"checks_{index}"] = Sum("checks", filter=since, default=0)
        sums[f"up_{index}"] = Sum("up_checks", filter=since, default=0)
    totals = {
        row["target"]: row
        for row in ProbeHour.objects.filter(
            target__in=targets, hour__gte=window_start(now, RETENTION)
        )
        .values("target")
        .annotate(**sums)
    }
    open_incidents = {
        incident.target_id: incident
        for incident in Incident.objects.filter(target__in=targets, ended_at__isnull=True)
    }
    found = []
    for target in targets:
        row = totals.get(target.pk, {})
        windows = tuple(
            Availability(row.get(f"checks_{i}", 0), row.get(f"up_{i}", 0))
            for i in range(len(WINDOWS))
        )
        found.append(TargetStatus(target, windows, open_incidents.get(target.pk)))
    return found


def public_statuses(
    *, now: datetime.datetime, fresh: bool = False, keep_seconds: float = PUBLIC_STATUSES_SECONDS
) -> list[TargetStatus]:
    """Every address's status, as /status/ and the API show it: from the cache, or added
    up now (always when ``fresh``) and kept ``keep_seconds``."""
    found = None if fresh else cache.get(PUBLIC_STATUSES_KEY)
    if found is None:
        found = statuses(ProbeTarget.objects.all(), now=now)
        cache.set(PUBLIC_STATUSES_KEY, found, timeout=keep_seconds)
    return found


def incidents(targets: QuerySet[ProbeTarget], *, now: datetime.datetime) -> QuerySet[Incident]:
    """The targets' incidents that are open or started within the retention window, newest first."""
    return (
        Incident.objects.filter(target__in=targets)
        .filter(Q(ended_at__isnull=True) | Q(started_at__gte=now - RETENTION))
        .select_related("target__service__organisation")
        .order_by("-started_at")[:RECENT_INCIDENTS]
    )


def availability_between(
    targets: Iterable[ProbeTarget], *, start: datetime.datetime, end: datetime.datetime
) -> dict[int, Availability]:
    """Each target's availability over the hours from the one holding ``start`` to the
    one holding ``end``, by target id: what a partner cites for a recorded outage (S3)."""
    ids = [t.pk for t in targets]
    rows = (
        ProbeHour.objects.filter(target__in=ids, hour__gte=start_of_hour(start), hour__lte=end)
        .values("target")
        .annotate(checks=Sum("checks"), up=Sum("up_checks"))
    )
    found = {row["target"]: Availability(row["checks"], row["up"]) for row in rows}
    return {pk: found.get(pk, Availability(0, 0)) for pk in ids}
