"""The closing partner's page: start, progress, bulk "mark exported", offers."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.winddown.models import Case, HandoverOffer, WindDown
from solhost.winddown.tests.helpers import DATES, closing_story, start

PAGE = reverse("winddown:partner", args=["mcc"])


@pytest.fixture
def story(world, settings):
    return closing_story(world)


def _form(dates) -> dict:
    return {name: day.isoformat() for name, day in dates.items()}


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: DATES["announced_on"])


def test_the_admin_announces_the_wind_down(client, story, today):
    client.force_login(story.alice)
    response = client.post(PAGE, _form(DATES))
    assert response.status_code == 302
    assert WindDown.objects.get().cases.count() == 2


def test_dates_out_of_order_come_back_with_the_reason_and_nothing_saved(client, story, today):
    client.force_login(story.alice)
    dates = {**DATES, "shutdown_on": datetime.date(2027, 2, 1)}
    response = client.post(PAGE, _form(dates))
    assertContains(response, "There is a problem")
    assertContains(response, "The shutdown (2027-02-01) comes before the data-return deadline")
    assert not WindDown.objects.exists()


def test_a_date_that_is_not_a_date_is_named(client, story, today):
    client.force_login(story.alice)
    response = client.post(PAGE, {**_form(DATES), "read_only_from": "soon"})
    assertContains(response, "Read-only from: Enter a valid date.")
    assert not WindDown.objects.exists()


def test_a_member_sees_the_page_but_no_start_form(client, story):
    client.force_login(story.bob)
    response = client.get(PAGE)
    assertContains(response, "Only its admins can start a wind-down")
    assertNotContains(response, "Announce the wind-down")


def test_another_partner_gets_404(client, story):
    start(story)
    client.force_login(story.carol)
    assert client.get(PAGE).status_code == 404
    case = Case.objects.first()
    response = client.post(reverse("winddown:mark_exported", args=["mcc"]), {"cases": [case.pk]})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "notified"


def test_the_admin_marks_ticked_cases_exported(client, story):
    wind_down = start(story)
    client.force_login(story.alice)
    page = client.get(PAGE)
    assertContains(page, "rita@example.org")
    assertContains(page, "<strong>2</strong> notified", html=True)
    ids = list(wind_down.cases.values_list("pk", flat=True))
    response = client.post(
        reverse("winddown:mark_exported", args=["mcc"]), {"cases": ids}, follow=True
    )
    assertContains(response, "Marked 2 cases as data returned.")
    assertContains(response, "<strong>2</strong> data returned", html=True)
    # Nothing is left to tick, so no button asks for it.
    assertNotContains(response, "Mark the ticked cases")


@pytest.mark.parametrize("case", ["x", "²", "-1", "99999999999999999999", "9" * 5000])
def test_a_case_number_that_is_not_a_number_changes_nothing(client, story, case):
    start(story)
    client.force_login(story.alice)
    response = client.post(
        reverse("winddown:mark_exported", args=["mcc"]), {"cases": [case]}, follow=True
    )
    assertContains(response, "a chosen case is not a case number")
    assert not Case.objects.exclude(state="notified").exists()


def test_the_admin_offers_a_server(client, story):
    start(story)
    client.force_login(story.alice)
    response = client.post(
        reverse("winddown:offer", args=["mcc"]), {"server": story.mcc_server.pk}, follow=True
    )
    assertContains(response, "Offered MCC one to other groups.")
    assert HandoverOffer.objects.get().server == story.mcc_server


def test_an_offer_of_nothing_is_refused(client, story):
    start(story)
    client.force_login(story.alice)
    response = client.post(reverse("winddown:offer", args=["mcc"]), {"equipment": ""}, follow=True)
    assertContains(response, "Choose one of your servers or describe the equipment.")
    assert not HandoverOffer.objects.exists()
