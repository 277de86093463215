"""The steward's list of wind-downs: complete one, record a handover."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.winddown import actions
from solhost.winddown.models import WindDown
from solhost.winddown.tests.helpers import closing_story, start

PAGE = reverse("winddown:steward")


@pytest.fixture
def story(world):
    story = closing_story(world)
    story.wind_down = start(story)
    return story


def test_only_the_steward_sees_the_list(client, story):
    client.force_login(story.alice)
    assert client.get(PAGE).status_code == 403
    client.force_login(story.sam)
    assertContains(client.get(PAGE), "Merri Creek Computing")


def test_completing_with_open_cases_before_the_deadline_is_refused(client, story):
    client.force_login(story.sam)
    url = reverse("winddown:complete", args=[story.wind_down.pk])
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assertContains(response, "2 cases are still open")
    assert not WindDown.objects.get().completed


def test_completing_needs_the_confirmation(client, story):
    ids = list(story.wind_down.cases.values_list("pk", flat=True))
    actions.mark_exported(wind_down=story.wind_down, case_ids=ids, actor=story.alice)
    client.force_login(story.sam)
    url = reverse("winddown:complete", args=[story.wind_down.pk])
    assertContains(client.post(url, follow=True), "Nothing was changed: Tick the box to confirm")
    assert not WindDown.objects.get().completed
    assertContains(client.post(url, {"confirm": "yes"}, follow=True), "is complete")
    assert WindDown.objects.get().completed


def test_the_steward_records_a_handover(client, story):
    offer = actions.offer_for_handover(
        wind_down=story.wind_down, actor=story.alice, equipment="A UPS"
    )
    asked = actions.ask_for_handover(offer=offer, organisation=story.cct, actor=story.carol)
    client.force_login(story.sam)
    assertContains(client.get(PAGE), "Coburg Commons Tech asks for A UPS")
    response = client.post(reverse("winddown:record_handover", args=[asked.pk]), follow=True)
    assertContains(response, "Recorded A UPS as handed to Coburg Commons Tech.")
    offer.refresh_from_db()
    assert offer.handed_to == story.cct
    assert offer.handed_over_at.date() <= datetime.date.today()
