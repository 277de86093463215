"""One rule for who acts for an organisation, asked by the partner pages and governance alike."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from solhost.partners.models import Membership
from solhost.partners.permissions import (
    is_steward,
    may_act_for,
    organisation_for_user,
    organisations_user_acts_for,
    steward_required,
)
from solhost.test import make_user

# role held in the organisation → may act for a partner co-op, may act for the steward
RULE = {
    Membership.Role.PARTNER_ADMIN: (True, False),
    Membership.Role.PARTNER_MEMBER: (False, False),
    Membership.Role.STEWARD: (False, True),
    None: (False, False),
}


@pytest.mark.parametrize("role", list(RULE))
@pytest.mark.parametrize("kind", ["partner", "steward"])
def test_who_acts_for_which_kind_of_organisation(world, role, kind):
    organisation = world.mcc if kind == "partner" else world.steward
    dana = make_user("dana")
    if role is not None:
        Membership.objects.create(user=dana, organisation=organisation, role=role)
    expected = RULE[role][kind == "steward"]
    assert may_act_for(dana, organisation) is expected
    assert (organisation in organisations_user_acts_for(dana)) is expected
    request = RequestFactory().post("/")
    request.user = dana
    if role is None:
        with pytest.raises(Http404):
            organisation_for_user(request, organisation.slug, edit=False)
    elif expected:
        assert organisation_for_user(request, organisation.slug, edit=True) == organisation
    else:
        assert organisation_for_user(request, organisation.slug, edit=False) == organisation
        with pytest.raises(PermissionDenied):
            organisation_for_user(request, organisation.slug, edit=True)


def test_nobody_signed_out_acts_for_anyone(world):
    assert not may_act_for(AnonymousUser(), world.mcc)
    assert organisations_user_acts_for(AnonymousUser()) == []
    assert not is_steward(AnonymousUser())


def test_personas(world):
    assert organisations_user_acts_for(world.alice) == [world.mcc]
    assert organisations_user_acts_for(world.bob) == []
    assert organisations_user_acts_for(world.sam) == [world.steward]
    assert is_steward(world.sam) and not is_steward(world.alice)


def test_a_steward_role_member_without_staff_rights_is_the_steward(world):
    dana = make_user("dana")
    Membership.objects.create(user=dana, organisation=world.steward, role="steward")
    assert is_steward(dana)
    # The steward role in a partner co-op means nothing: only the steward organisation's counts.
    erin = make_user("erin")
    Membership.objects.create(user=erin, organisation=world.mcc, role="steward")
    assert not is_steward(erin)


def _steward_page(request):
    return HttpResponse("the steward's page")


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 302), ("rita", 403), ("alice", 403), ("sam", 200)]
)
def test_steward_required(world, persona, status):
    request = RequestFactory().get("/steward-only/")
    request.user = AnonymousUser() if persona is None else getattr(world, persona)
    view = steward_required(_steward_page)
    if status == 403:
        with pytest.raises(PermissionDenied):
            view(request)
        return
    response = view(request)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))
