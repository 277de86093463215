"""Reads about qualification that actions and other apps share."""

import datetime

from django.db.models import Q

from solhost.partners.models import Membership, Organisation
from solhost.qualification.models import Evidence, QualificationRun


def qualified_on(organisation: Organisation, day: datetime.date) -> bool:
    """Whether the latest run judged for a day on or before ``day`` found the partner qualified.

    A partner never evaluated by then is not qualified.
    """
    run = (
        QualificationRun.objects.filter(organisation=organisation, at__lte=day)
        .order_by("-at", "-evaluated_at", "-id")
        .first()
    )
    return bool(run and run.qualified)


def latest_run(organisation: Organisation) -> QualificationRun | None:
    """The partner's newest evaluation, whatever day it judged, with its results."""
    return (
        QualificationRun.objects.filter(organisation=organisation)
        .prefetch_related("results")
        .order_by("-evaluated_at", "-id")
        .first()
    )


def partner_admin_emails(organisation: Organisation) -> list[str]:
    """The distinct email addresses of the organisation's partner admins, sorted."""
    return sorted(
        {
            m.user.email
            for m in organisation.memberships.select_related("user").filter(
                role=Membership.Role.PARTNER_ADMIN
            )
            if m.user.email
        }
    )


def shown_publicly(at: datetime.date) -> Q:
    """Evidence anyone may see on day ``at``: marked public, approved, and not expired.

    The partner ticks "public" when it uploads; without the steward's approval any file
    could be served from the region's domain. Expired evidence no longer backs a criterion,
    so the public page does not show it either."""
    return Q(public=True, state=Evidence.State.APPROVED) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=at)
    )
