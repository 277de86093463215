"""The resident's pledge page: how to pay, the pledge, pause, stop and reminders."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from solhost.contributions.actions import reference_for_resident
from solhost.contributions.models import PaymentReference, Pledge
from solhost.core.models import Parameter, ParameterValue
from solhost.web.tests.pages import assert_clean_page

PLEDGE = reverse("contributions:pledge")
BANK = {
    "receiving_payid": "pay@region.example",
    "receiving_account_name": "Region Steward Co-op",
    "receiving_bsb": "633-000",
    "receiving_account": "123456789",
}


@pytest.fixture
def rita(client, world):
    for key, value in BANK.items():
        ParameterValue.objects.create(
            parameter=Parameter.objects.get(key=key),
            value=value,
            effective_from=datetime.date(2025, 7, 1),
            source="test",
        )
    client.force_login(world.rita)
    return world.rita


def test_a_visitor_is_asked_to_sign_in(client, world):
    assert client.get(PLEDGE).status_code == 302


def test_the_page_shows_how_to_pay_with_the_residents_reference(client, rita):
    reference = reference_for_resident(rita)
    page = client.get(PLEDGE)
    assert_clean_page(page)
    html = page.content.decode()
    for value in BANK.values():
        assert value in html
    assert reference.code in html
    # A date input only shows an ISO date.
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_reading_the_page_makes_no_reference_and_saving_a_pledge_does(client, rita):
    """Pages only read, so that they work at a site cut off from the primary database."""
    html = client.get(PLEDGE).content.decode()
    assert "You get your own payment reference when you save a pledge" in html
    assert not PaymentReference.objects.filter(resident=rita).exists()
    form = {"save": "1", "amount": "5", "frequency": "monthly", "starts_on": "2026-10-01"}
    saved = client.post(PLEDGE, form, follow=True).content.decode()
    assert PaymentReference.objects.get(resident=rita).code in saved


def test_without_bank_details_the_page_says_they_are_coming(client, world):
    client.force_login(world.rita)
    assert "hasn't published the region's bank details yet" in client.get(PLEDGE).content.decode()


def test_a_resident_pledges_pauses_resumes_and_stops(client, rita):
    form = {"save": "1", "amount": "12.50", "frequency": "fortnightly", "starts_on": "2026-10-01"}
    saved = client.post(PLEDGE, form, follow=True).content.decode()
    assert "Your pledge is $12.50 every fortnight" in saved
    assert "Pause my pledge" in saved
    assert "paused" in client.post(PLEDGE, {"pause": "1"}, follow=True).content.decode()
    assert Pledge.objects.get().status == "paused"
    client.post(PLEDGE, {"resume": "1"})
    assert Pledge.objects.get().status == "active"
    client.post(PLEDGE, {"stop": "1"})
    assert Pledge.objects.get().status == "stopped"


def test_nothing_is_a_pledge_too(client, rita):
    form = {"save": "1", "amount": "0", "frequency": "monthly", "starts_on": "2026-10-01"}
    assert (
        "Your pledge is $0.00 every month"
        in client.post(PLEDGE, form, follow=True).content.decode()
    )


def test_reminders_can_be_turned_off_and_on(client, rita):
    client.post(
        PLEDGE, {"save": "1", "amount": "5", "frequency": "weekly", "starts_on": "2026-10-01"}
    )
    off = client.post(PLEDGE, {"reminders": "off"}, follow=True).content.decode()
    assert "No more reminders" in off and "Send me reminders" in off
    assert not Pledge.objects.get().reminders
    client.post(PLEDGE, {"reminders": "on"})
    assert Pledge.objects.get().reminders


def test_a_bad_amount_is_named_and_nothing_is_saved(client, rita):
    form = {"save": "1", "amount": "twelve", "frequency": "monthly", "starts_on": "2026-10-01"}
    page = client.post(PLEDGE, form)
    assert page.status_code == 200
    assert "error-summary" in page.content.decode()
    assert not Pledge.objects.exists()
