"""The sign-in and sign-up pages name the service that sent the visitor there, and who runs
it, so that they know what their regional account is being used for; allauth's account
pages (sign-in, sign-out, password change and reset) speak in the region's words."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.identity.queries import client_asking
from solhost.identity.tests.oidc import authorize_params, make_client
from solhost.identity.tests.test_password_reset import NEW_PASSWORD, request_reset, reset_link
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page, visible_text

AUTHORIZE = reverse("oauth2_provider:authorize")
NAMED = "<strong>MCC Files</strong>, run by Merri Creek Computing"


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def test_the_sign_in_page_names_the_service_that_sent_the_visitor(client, nextcloud):
    to_login = client.get(AUTHORIZE, authorize_params(nextcloud))

    page = client.get(to_login["Location"])

    assertContains(page, NAMED)
    assertContains(page, "Once you are signed in, you go back to it.")


def test_the_sign_up_page_says_the_way_back_is_through_the_email(client, nextcloud):
    to_signup = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="create"))

    page = client.get(to_signup["Location"])

    assertContains(page, NAMED)
    assertContains(page, "Once you have confirmed your email address, you go back to it.")


def _login_page_after(client, next_url: str):
    return client.get(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


@pytest.mark.parametrize(
    "where",
    [
        "someone else's site",
        "another page",
        "an unknown client",
        "an unapproved client",
        "a NUL character",
        "no address at all",
    ],
)
def test_nothing_is_named_for_any_other_address(client, world, nextcloud, where):
    unapproved = make_client(world.mcc_service, approved=False)
    query = urlencode(authorize_params(nextcloud))
    next_url = {
        "someone else's site": f"https://elsewhere.example{AUTHORIZE}?{query}",
        "another page": f"/accounts/connected/?{query}",
        "an unknown client": f"{AUTHORIZE}?client_id=nobody",
        "an unapproved client": f"{AUTHORIZE}?{urlencode(authorize_params(unapproved))}",
        "a NUL character": f"{AUTHORIZE}?client_id=abc%00def",
        "no address at all": f"http://[x{AUTHORIZE}?{query}",
    }[where]

    page = _login_page_after(client, next_url)

    assert page.status_code == 200
    assertNotContains(page, "sign-in-for")


def test_client_asking_takes_any_text_for_an_address(nextcloud):
    # Callers pass addresses allauth has checked, but the reading stands on its own.
    query = urlencode(authorize_params(nextcloud))

    assert client_asking(f"http://[x{AUTHORIZE}?{query}", host="testserver") is None
    assert client_asking(f"{AUTHORIZE}?{query}", host="testserver") == nextcloud.client
    assert client_asking(f"http://testserver{AUTHORIZE}?{query}", host="testserver") == (
        nextcloud.client
    )


def test_the_password_reset_link_comes_after_the_password_field(client, db):
    page = client.get(reverse("account_login")).content.decode()

    field = page.index('id="id_password"')
    assert page.index(f'href="{reverse("account_reset_password")}"') > field
    assert "<h1>Sign in</h1>" in page.replace("\n", "").replace("  ", "")
    assert "Stay signed in on this browser" in page


def test_the_sign_out_page_says_the_services_are_told(client, world):
    client.force_login(world.rita)

    page = client.get(reverse("account_logout"))

    assertContains(page, "The services you signed in to from it are told")
    assertContains(page, f'href="{reverse("identity:connected")}"')


def test_the_password_page_says_what_a_new_password_ends(client, world):
    client.force_login(world.rita)

    page = client.get(reverse("account_change_password"))

    assertContains(page, "<h1>Change your password</h1>", html=True)
    assertContains(page, "Your other browsers are signed out")
    assertContains(page, '<label for="id_oldpassword">Current password</label>', html=True)
    assertContains(page, 'placeholder="New password, again"')


def test_signing_in_out_and_changing_the_password_say_what_happened(client, world):
    signed_in = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}, follow=True
    )
    assert "You are signed in as rita." in words(signed_in)

    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password is changed. Your other browsers are signed out" in words(changed)

    signed_out = client.post(reverse("account_logout"), follow=True)
    assert "You have signed out of the region." in words(signed_out)


def test_the_reauthentication_page_says_why_it_asks(client, world):
    client.force_login(world.rita)

    page = client.get(reverse("account_reauthenticate"))

    assertContains(page, "<h1>Confirm it is you</h1>", html=True)
    assertContains(page, "the region asks you to prove it is you again")


def words(page) -> str:
    return visible_text(page.content.decode())


def test_the_reset_page_says_what_a_new_password_ends(client, db):
    page = client.get(reverse("account_reset_password"))

    assertContains(page, "<h1>Reset your password</h1>", html=True)
    assert "A new password signs you out of every browser" in words(page)
    assert "The link works once, and only for a limited time." in words(page)
    assertContains(page, "Send me the link")
    assert "contact us" not in words(page)
    assert "You are signed in as" not in words(page)
    assert_clean_page(page)


def test_the_reset_page_offers_a_signed_in_resident_the_password_page(client, world):
    client.force_login(world.rita)

    page = client.get(reverse("account_reset_password"))

    assert "You are signed in as rita@example.org." in words(page)
    assertContains(page, f'href="{reverse("account_change_password")}"')


@pytest.mark.parametrize("address", ["rita@example.org", "stranger@example.org"])
def test_the_sent_page_reads_the_same_for_any_address(client, world, mailoutbox, address):
    sent = request_reset(client, address)
    page = client.get(sent["Location"])

    assert len(mailoutbox) == 1  # the link, or word that no account uses the address
    assertContains(page, "<h1>Check your email</h1>", html=True)
    assert "If a regional account uses that address" in words(page)
    assertContains(page, f'<a href="{reverse("account_reset_password")}">Ask for a new link</a>')
    assert "contact us" not in words(page)
    assert_clean_page(page)


def test_the_new_password_form_says_every_browser_is_signed_out(client, world, mailoutbox):
    request_reset(client, "rita@example.org")
    # The link keeps its key in the session and sends the browser on to the form.
    form_url = client.get(reset_link(mailoutbox[0]), follow=True).redirect_chain[-1][0]

    page = client.get(form_url)

    assertContains(page, "<h1>Choose a new password</h1>", html=True)
    assert "you are signed out of every browser" in words(page)
    assertContains(page, f'action="{form_url}"')
    assertContains(page, 'name="password1"')
    assertContains(page, "Set the new password")
    assertContains(page, '<label for="id_password2">New password, again</label>', html=True)
    assert "New Password" not in words(page)
    assert_clean_page(page)

    done = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assertContains(done, "<h1>Your password is changed</h1>", html=True)
    assert "You are signed out of every browser" in words(done)
    assertContains(done, f'<a href="{reverse("account_login")}">Sign in</a>', html=True)
    assert authenticate(username="rita", password=NEW_PASSWORD) == world.rita


def test_a_used_reset_link_says_why_it_may_not_work_and_where_to_get_another(
    client, world, mailoutbox
):
    request_reset(client, "rita@example.org")
    link = reset_link(mailoutbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    page = client.get(link, follow=True)

    assertContains(page, "<h1>This link no longer works</h1>", html=True)
    assert "This one has been used or has expired" in words(page)
    assertContains(page, f'<a href="{reverse("account_reset_password")}">Ask for a new link</a>')
    assert "Bad Token" not in words(page)
    assert_clean_page(page)


def test_the_confirmation_page_says_whose_address_it_confirms(client, world, mailoutbox):
    client.post(
        reverse("account_signup"),
        {
            "email": "otto@example.org",
            "username": "otto",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mailoutbox[0].body)[1]

    page = client.get(link)

    assertContains(page, "<h1>Confirm your email address</h1>", html=True)
    assert "Is otto@example.org your address, for the regional account otto?" in words(page)
    assertContains(page, "Confirm the address")
    assert_clean_page(page)
    done = client.post(link, follow=True)
    assert "You have confirmed otto@example.org" in words(done)


def test_a_switched_off_account_is_told_so_at_sign_in(client, world):
    world.rita.is_active = False
    world.rita.save()

    page = client.post(
        reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD}, follow=True
    )

    assertContains(page, "<h1>This account is switched off</h1>", html=True)
    assert "Nothing in it has been deleted." in words(page)
    assert "_auth_user_id" not in client.session
