"""Who may see and act on a wind-down, its cases and its handovers: the views ask here.

A partner's admins (or the steward) run its wind-down; a receiving partner's admins see
only the moves into their own services; a resident sees only their own cases. Anything
else answers 404, so the pages cannot be used to learn who is a resident where.
"""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from solhost.partners.models import Organisation
from solhost.partners.permissions import is_steward, may_act_for, organisation_for_user
from solhost.winddown.models import Case


def may_run_wind_down(user, organisation: Organisation) -> bool:
    """The partner's admins and the steward start a partner's wind-down and mark its exports."""
    return may_act_for(user, organisation) or is_steward(user)


def organisation_for_wind_down(request: HttpRequest, slug: str) -> Organisation:
    """The partner behind a ``/manage/<slug>/wind-down/`` page: its members see it, the
    steward too; anyone else gets 404."""
    if is_steward(request.user):
        return get_object_or_404(Organisation, slug=slug)
    return organisation_for_user(request, slug, edit=False)


def case_for_resident(request: HttpRequest, pk: int) -> Case:
    """One of the signed-in resident's own cases; anyone else's is 404."""
    case = Case.objects.select_related("wind_down", "service", "move_to").filter(pk=pk).first()
    if case is None or case.resident_id != request.user.pk:
        raise Http404("No such case.")
    return case


def incoming_case_for_user(request: HttpRequest, slug: str, pk: int) -> Case:
    """A move into one of the organisation's services, for one of its admins; else 404."""
    organisation = organisation_for_user(request, slug, edit=True)
    return get_object_or_404(
        Case.objects.select_related("move_to"), pk=pk, move_to__organisation=organisation
    )
