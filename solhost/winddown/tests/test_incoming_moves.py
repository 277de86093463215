"""The receiving partner's page of residents moving in."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import TODAY, closing_story, start


@pytest.fixture
def moving(world):
    story = closing_story(world)
    start(story)
    case = Case.objects.get(resident=story.rita)
    actions.request_move(case=case, resident=story.rita, service=story.cct_files, today=TODAY)
    return story, case


def test_the_receiving_admin_sees_and_accepts_the_move(client, moving):
    story, case = moving
    client.force_login(story.carol)
    page = client.get(reverse("winddown:incoming", args=["cct"]))
    assertContains(page, "rita@example.org")
    assertNotContains(page, "dan@example.org")
    response = client.post(reverse("winddown:accept_move", args=["cct", case.pk]), follow=True)
    assertContains(response, "Accepted rita into Coburg Commons Tech Files.")
    case.refresh_from_db()
    assert case.state == "moved"


def test_the_closing_partner_cannot_accept_a_move_into_another_partner(client, moving):
    story, case = moving
    client.force_login(story.alice)
    assert client.post(reverse("winddown:accept_move", args=["mcc", case.pk])).status_code == 404
    assert client.post(reverse("winddown:accept_move", args=["cct", case.pk])).status_code == 404
    case.refresh_from_db()
    assert case.state == "move_requested"


def test_a_resident_or_partner_member_cannot_accept(client, moving):
    story, case = moving
    for person in (story.bob, story.rita):
        client.force_login(person)
        assert (
            client.post(reverse("winddown:accept_move", args=["cct", case.pk])).status_code == 404
        )
    # A member (not an admin) of their own partner sees no incoming moves page either.
    client.force_login(story.bob)
    assert client.get(reverse("winddown:incoming", args=["mcc"])).status_code == 403
    case.refresh_from_db()
    assert case.state == "move_requested"
