"""A service its partner marked full (not taking new residents) during a wind-down and at
sign-in: it is not suggested, a move to it is refused, and only its residents sign in."""

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.identity.models import Consent
from solhost.identity.tests.oidc import authorize_params, consent, make_client, query_of
from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.queries import alternatives_for
from solhost.winddown.tests.helpers import DATES, TODAY, closing_story, start

MY_CASES = reverse("winddown:my_cases")
AUTHORIZE = reverse("oauth2_provider:authorize")


@pytest.fixture
def story(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DATES["announced_on"])
    return closing_story(world)


def _mark_full(service) -> None:
    service.accepts_new_residents = False
    service.save()


def test_alternatives_leave_out_a_full_service(story):
    start(story)
    assert alternatives_for(story.mcc_service, today=TODAY) == [story.cct_files]
    _mark_full(story.cct_files)
    assert alternatives_for(story.mcc_service, today=TODAY) == []


def test_a_move_to_a_full_service_is_refused_naming_it_and_changes_nothing(story):
    start(story)
    _mark_full(story.cct_files)
    case = Case.objects.get(resident=story.rita)
    events = AuditEvent.objects.count()
    with pytest.raises(InputProblems) as refused:
        actions.request_move(case=case, resident=story.rita, service=story.cct_files, today=TODAY)
    assert refused.value.problems == [
        ("service", "Coburg Commons Tech Files is not taking new residents.")
    ]
    case.refresh_from_db()
    assert case.state == "notified" and case.move_to is None
    assert AuditEvent.objects.count() == events


def test_move_me_neither_offers_nor_accepts_a_full_service(client, story):
    start(story)
    _mark_full(story.cct_files)
    client.force_login(story.rita)
    page = client.get(MY_CASES)
    assertNotContains(page, "Move me")
    case = Case.objects.get(resident=story.rita)
    response = client.post(
        reverse("winddown:move_me", args=[case.pk]), {"service": story.cct_files.pk}, follow=True
    )
    assertContains(
        response, "Nothing was changed: Coburg Commons Tech Files is not taking new residents."
    )
    case.refresh_from_db()
    assert case.state == "notified" and case.move_to is None


def test_a_full_service_refuses_a_new_resident_at_sign_in_and_lets_its_own_in(client, story):
    registered = make_client(story.cct_files)
    client.force_login(story.carol)
    assert "code" in consent(client, authorize_params(registered))
    _mark_full(story.cct_files)
    # Carol connected before it was full: she keeps her access.
    assert "code" in consent(client, authorize_params(registered, prompt="consent"))
    client.force_login(story.dan)
    page = client.get(AUTHORIZE, authorize_params(registered))
    assertContains(page, "Coburg Commons Tech Files is not taking new residents.", status_code=403)
    assertContains(page, "?kind=files", status_code=403)
    assert not Consent.objects.filter(user=story.dan, client=registered.client).exists()
    query = query_of(client.get(AUTHORIZE, authorize_params(registered, prompt="none")))
    assert query["error"] == "access_denied"
    assert "not taking new residents" in query["error_description"]


def test_a_full_service_says_so_before_anyone_signs_up_for_it(client, story):
    registered = make_client(story.cct_files)
    _mark_full(story.cct_files)

    page = client.get(AUTHORIZE, authorize_params(registered, prompt="create"))

    assertContains(page, "Coburg Commons Tech Files takes no new residents", status_code=403)
    assertContains(page, "would not get you into", status_code=403)
    assertNotContains(page, "your account has been shared", status_code=403)
