"""Who may see and act for an organisation, and who acts for the steward: every app asks here.

One rule: a partner's admins act for it; the steward organisation is acted for by members
with the steward role. Every other member may see their organisation's pages but not
change them. A page about an organisation the user is no member of answers 404, whether
or not it exists, so the pages cannot be used to find out which organisations there are.
"""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from solhost.partners.models import Membership, Organisation


def is_steward(user) -> bool:
    """The steward's staff: Django staff, or a member of the steward organisation with its role."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(
            user=user, role=Membership.Role.STEWARD, organisation__kind=Organisation.Kind.STEWARD
        ).exists()
    )


def acting_role(organisation: Organisation) -> Membership.Role:
    """The role whose holders act for ``organisation``."""
    if organisation.kind == Organisation.Kind.STEWARD:
        return Membership.Role.STEWARD
    return Membership.Role.PARTNER_ADMIN


def membership_may_act(membership: Membership) -> bool:
    return membership.role == acting_role(membership.organisation)


def may_act_for(user, organisation: Organisation) -> bool:
    """Whether ``user`` may change ``organisation``'s records and speak for it in decisions."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=acting_role(organisation)
    ).exists()


def organisations_user_acts_for(user) -> list[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return []
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return [
        m.organisation for m in memberships.order_by("organisation__name") if membership_may_act(m)
    ]


def membership_for_user(request: HttpRequest, slug: str) -> Membership:
    """The user's membership of the organisation; 404 if it is missing or not theirs."""
    return get_object_or_404(
        Membership.objects.select_related("organisation"),
        user=request.user,
        organisation__slug=slug,
    )


def organisation_for_user(request: HttpRequest, slug: str, *, edit: bool) -> Organisation:
    """The organisation behind a ``/manage/<slug>/`` page; with ``edit``, only for those who act for it."""
    membership = membership_for_user(request, slug)
    if edit and not membership_may_act(membership):
        raise PermissionDenied("Only your organisation's admins can change its records.")
    return membership.organisation


def steward_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for the steward only: sign in first, then 403 for anyone else."""

    @login_required
    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_steward(request.user):
            raise PermissionDenied("Only the steward can use this page.")
        return view(request, *args, **kwargs)

    return guarded
