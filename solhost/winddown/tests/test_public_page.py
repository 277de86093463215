"""The public wind-down page: dates and counts by state, nobody named."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.winddown import actions
from solhost.winddown.models import Case
from solhost.winddown.tests.helpers import closing_story, start


def test_anyone_sees_progress_without_personal_data(client, world):
    story = closing_story(world)
    wind_down = start(story)
    actions.decline(case=Case.objects.get(resident=story.rita), resident=story.rita)
    page = client.get(reverse("winddown:public", args=["mcc"]))
    assertContains(page, "Merri Creek Computing is closing")
    assertContains(page, "31 March 2027")
    assertContains(page, "<strong>1</strong> notified", html=True)
    assertContains(page, "<strong>1</strong> declined", html=True)
    for private in ("rita", "dan", "@example.org"):
        assertNotContains(page, private)
    assert wind_down.get_absolute_url() == "/closing/mcc/"


def test_a_partner_not_closing_has_no_page(client, world):
    assert client.get(reverse("winddown:public", args=["cct"])).status_code == 404
