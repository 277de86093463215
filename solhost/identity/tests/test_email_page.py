"""/accounts/email/ (allauth's page, in the region's words): one address is shown with its
state and no choice to make; with several, the resident picks one and what to do with it."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.web.tests.pages import assert_clean_page

URL = reverse("account_email")


def test_one_confirmed_address_offers_nothing_that_would_not_apply(client, world):
    client.force_login(world.rita)

    page = client.get(URL)

    assertContains(page, "Your account's email address: <strong>rita@example.org</strong>")
    assertContains(page, "Confirmed")
    for pointless in ("Make it my main address", "Remove it", "Send the confirmation"):
        assertNotContains(page, pointless)
    assertContains(page, "Add an email address")
    assert_clean_page(page)


def test_an_unconfirmed_only_address_can_be_sent_its_confirmation_again(client, world, mailoutbox):
    world.rita.emailaddress_set.update(verified=False)
    client.force_login(world.rita)

    page = client.get(URL)
    assertContains(page, "Not confirmed yet")
    sent = client.post(URL, {"email": "rita@example.org", "action_send": ""})

    assert sent.status_code == 302
    assert [message.to for message in mailoutbox] == [["rita@example.org"]]


def test_with_several_addresses_the_resident_chooses_and_the_main_one_is_marked(client, world):
    world.rita.emailaddress_set.create(email="rita@home.example.org", verified=True)
    client.force_login(world.rita)

    page = client.get(URL)

    assertContains(page, 'value="rita@home.example.org"')
    assertContains(page, "Main address")
    assertContains(page, "Make it my main address")
    made_main = client.post(URL, {"email": "rita@home.example.org", "action_primary": ""})
    assert made_main.status_code == 302
    assert world.rita.emailaddress_set.get(primary=True).email == "rita@home.example.org"
