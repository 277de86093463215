"""The resident's own cases at /leaving/cases/: alternatives, "move me", "decline"."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import DATES, closing_story, start

PAGE = reverse("winddown:my_cases")


@pytest.fixture
def story(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DATES["announced_on"])
    story = closing_story(world)
    start(story)
    return story


def test_a_resident_sees_their_case_and_qualified_alternatives(client, story):
    client.force_login(story.rita)
    page = client.get(PAGE)
    assertContains(page, "Merri Creek Computing is closing")
    assertContains(page, "Coburg Commons Tech Files")
    # Not qualified, so not suggested.
    assertNotContains(page, "Fitzroy Free Files")
    assert page.content.decode().count("Move me") == 1


def test_move_me_asks_the_receiving_partner(client, story):
    client.force_login(story.rita)
    case = Case.objects.get(resident=story.rita)
    response = client.post(
        reverse("winddown:move_me", args=[case.pk]), {"service": story.cct_files.pk}, follow=True
    )
    assertContains(response, "Coburg Commons Tech has been asked to take you in")
    assertContains(response, "waiting for them to accept")


@pytest.mark.parametrize("chosen", ["", "x", "files", "999999", "²", "9" * 30, "9" * 5000])
def test_a_choice_that_names_no_service_changes_nothing(client, story, chosen):
    client.force_login(story.rita)
    case = Case.objects.get(resident=story.rita)

    response = client.post(
        reverse("winddown:move_me", args=[case.pk]), {"service": chosen}, follow=True
    )

    assertContains(response, "Nothing was changed: choose one of the services offered.")
    case.refresh_from_db()
    assert case.state == "notified" and case.move_to is None


def test_moving_to_an_unqualified_service_is_refused_with_the_reason(client, story):
    client.force_login(story.rita)
    case = Case.objects.get(resident=story.rita)
    response = client.post(
        reverse("winddown:move_me", args=[case.pk]), {"service": story.fff_files.pk}, follow=True
    )
    assertContains(response, "Fitzroy Free Files does not meet the region&#x27;s charter today.")
    case.refresh_from_db()
    assert case.state == "notified"


def test_a_service_taking_nobody_new_is_refused_and_no_longer_offered(client, story):
    # Coburg Commons Tech announces its own closure: its files service takes nobody new.
    actions.start_wind_down(
        organisation=story.cct, actor=story.carol, dates=DATES, today=DATES["announced_on"]
    )
    client.force_login(story.rita)
    assertNotContains(client.get(PAGE), "Move me")
    case = Case.objects.get(resident=story.rita)
    response = client.post(
        reverse("winddown:move_me", args=[case.pk]), {"service": story.cct_files.pk}, follow=True
    )
    assertContains(response, "Nothing was changed: Coburg Commons Tech is closing too.")
    case.refresh_from_db()
    assert case.state == "notified" and case.move_to is None


def test_a_resident_cannot_see_or_act_on_anothers_case(client, story):
    client.force_login(story.rita)
    assertNotContains(client.get(PAGE), "dan")
    dans = Case.objects.get(resident=story.dan)
    assert client.post(reverse("winddown:decline", args=[dans.pk])).status_code == 404
    response = client.post(
        reverse("winddown:move_me", args=[dans.pk]), {"service": story.cct_files.pk}
    )
    assert response.status_code == 404
    dans.refresh_from_db()
    assert dans.state == "notified"


def test_declining_closes_the_choice(client, story):
    client.force_login(story.dan)
    case = Case.objects.get(resident=story.dan)
    response = client.post(reverse("winddown:decline", args=[case.pk]), follow=True)
    assertContains(response, "Noted: you need nothing back from MCC Files.")
    assertNotContains(response, "Move me")


def test_signing_in_is_needed(client, story):
    assert client.get(PAGE).status_code == 302
