import re
from urllib.parse import urlsplit

from django.contrib.auth import authenticate
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from solhost.identity.models import LogoutDelivery, SignedInSession
from solhost.identity.subjects import sid_for
from solhost.identity.tests.oidc import sign_in_to
from solhost.identity.tests.test_backchannel_logout import client_posting_to
from solhost.test import PASSWORD

NEW_PASSWORD = "a fresh river stone"
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


def request_reset(client, email):
    return client.post(reverse("account_reset_password"), {"email": email})


def reset_link(message) -> str:
    return urlsplit(RESET_LINK.search(message.body).group(0)).path


def test_the_reset_mail_links_to_a_form_that_sets_a_new_password(client, world, mailoutbox):
    response = request_reset(client, "rita@example.org")

    assertRedirects(response, reverse("account_reset_password_done"))
    assert [m.to for m in mailoutbox] == [["rita@example.org"]]
    assert mailoutbox[0].body.startswith(f"Hello from {world.region.name}!")

    # The link swaps its key into the session and redirects, so the key never leaks
    # through the Referer header of the form page.
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)
    assertContains(form_page, '<label for="id_password1">New password</label>', html=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assertRedirects(response, reverse("account_reset_password_from_key_done"))
    assert authenticate(username="rita", password=NEW_PASSWORD) == world.rita
    assert authenticate(username="rita", password=PASSWORD) is None
    world.rita.refresh_from_db()
    assert world.rita.password.startswith("argon2")


def test_a_reset_link_works_only_once(client, world, mailoutbox):
    request_reset(client, "rita@example.org")
    link = reset_link(mailoutbox[0])
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    again = client.get(link, follow=True)

    assertContains(again, "This link no longer works")
    assertContains(again, "Ask for a new link")


def test_a_reset_for_an_unknown_address_reveals_nothing(client, world, mailoutbox):
    response = request_reset(client, "stranger@example.org")

    assertRedirects(response, reverse("account_reset_password_done"))
    assert not RESET_LINK.search("".join(m.body for m in mailoutbox))


def test_the_mails_say_what_the_link_does_and_what_to_do_if_it_was_not_you(
    client, world, mailoutbox
):
    request_reset(client, "rita@example.org")
    request_reset(client, "stranger@example.org")

    reset, unknown = (" ".join(m.body.split()) for m in mailoutbox)
    assert "A new password signs you out of every browser" in reset
    assert "If it wasn't you, ignore this email: your password stays as it is." in reset
    assert "no regional account uses this address" in unknown
    assert "/accounts/signup/" in unknown


def test_a_reset_made_in_a_signed_in_browser_ends_its_session_too_and_says_so(
    client, world, mailoutbox
):
    """The new password ends that browser's session as well (Django no longer accepts it):
    the services it signed in to are owed a logout token for it like those of any other."""
    nextcloud = client_posting_to(world.mcc_service, "https://files.mcc.example.org/logout")
    client.post(reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD})
    sign_in_to(client, nextcloud)
    laptop = SignedInSession.objects.get(session_key=client.session.session_key)
    request_reset(client, "rita@example.org")
    form_page = client.get(reset_link(mailoutbox[0]), follow=True)

    reset = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert reset.status_code == 302
    assert client.get(reverse("identity:connected")).status_code == 302
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    told = LogoutDelivery.objects.get(client=nextcloud.client)
    assert str(told.sid) == sid_for(laptop.sid, nextcloud.client)
    assert told.reason == LogoutDelivery.Reason.PASSWORD
