"""Other partners ask for what a closing partner offers."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.winddown import actions
from solhost.winddown.models import HandoverRequest
from solhost.winddown.tests.helpers import closing_story, start


@pytest.fixture
def offer(world):
    story = closing_story(world)
    return story, actions.offer_for_handover(
        wind_down=start(story), actor=story.alice, server=story.mcc_server
    )


def test_another_partner_asks_for_a_server(client, offer):
    story, offered = offer
    client.force_login(story.carol)
    assertContains(client.get(reverse("winddown:handover")), "MCC one")
    response = client.post(
        reverse("winddown:ask", args=[offered.pk]),
        {"organisation": story.cct.pk, "note": "Backups"},
        follow=True,
    )
    assertContains(response, "Asked for MCC one")
    assert HandoverRequest.objects.get().organisation == story.cct


def test_asking_for_an_organisation_one_does_not_act_for_changes_nothing(client, offer):
    story, offered = offer
    client.force_login(story.carol)
    response = client.post(
        reverse("winddown:ask", args=[offered.pk]), {"organisation": story.fff.pk}, follow=True
    )
    assertContains(response, "choose an organisation you act for")
    assert not HandoverRequest.objects.exists()


def test_residents_without_an_organisation_get_404(client, offer):
    story, _ = offer
    client.force_login(story.rita)
    assert client.get(reverse("winddown:handover")).status_code == 404
