"""At each site: what a resident ended at another site is ended here too.

A disconnected service, a new password, an erased, deactivated or renewed account: the
region keeps each as an ``identity.AccessEnd`` row, which reaches every site by
replication (a disconnect made at a site cut off reaches the primary first, with its
audit trail: ``sites.receiving``).
Each site applies every row made elsewhere once, oldest first, to the sessions and tokens
it issued before it (``identity.actions.apply_access_end``), and marks it applied
(``AccessEndApplied``): the huey job every minute, or ``solhost sites end-access``.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from solhost.identity import actions as identity_actions
from solhost.identity.models import AccessEnd
from solhost.sites import config
from solhost.sites.models import AccessEndApplied


def _oldest_that_matters(now: datetime.datetime) -> datetime.datetime:
    # Whatever an older end ended has expired since: no token lives longer than this.
    return now - datetime.timedelta(
        seconds=settings.OAUTH2_PROVIDER["REFRESH_TOKEN_EXPIRE_SECONDS"]
    )


def waiting(*, now: datetime.datetime | None = None) -> QuerySet[AccessEnd]:
    """The ends made at other sites that this site has not applied yet, oldest first."""
    now = now or timezone.now()
    since = _oldest_that_matters(now)
    # Read apart: at a replica site the marks are in its store, the ends in the standby.
    applied = list(
        AccessEndApplied.objects.filter(applied_at__gte=since).values_list(
            "access_end_id", flat=True
        )
    )
    return (
        AccessEnd.objects.filter(at__gte=since)
        .exclude(site=config.site_name())
        .exclude(pk__in=applied)
        .order_by("pk")
    )


def apply_waiting(*, now: datetime.datetime | None = None) -> int:
    """Apply what waits, each end in a transaction of its own with its mark; how many."""
    now = now or timezone.now()
    ends = list(waiting(now=now))
    for end in ends:
        with transaction.atomic():
            identity_actions.apply_access_end(end=end)
            AccessEndApplied.objects.create(access_end_id=end.pk, applied_at=now)
    return len(ends)


def mark_applied(end: AccessEnd) -> None:
    """``end`` was applied here as it was recorded (a disconnect forwarded to the primary)."""
    AccessEndApplied.objects.create(access_end_id=end.pk, applied_at=timezone.now())


def forget_expired(*, now: datetime.datetime | None = None) -> int:
    """At the primary: the ends older than any token, which no site needs any more, go;
    how many."""
    deleted, _ = AccessEnd.objects.filter(
        at__lt=_oldest_that_matters(now or timezone.now())
    ).delete()
    return deleted
