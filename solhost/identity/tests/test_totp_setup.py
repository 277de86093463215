"""Setting up an authenticator app (allauth's page, in the region's words): the QR code
says what it is rather than reading out the secret, the key can be copied, and a wrong
code turns nothing on."""

import re

from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from solhost.identity.tests.test_session_claims import current_totp_code
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page

ACTIVATE = reverse("mfa_activate_totp")


def signed_in(user) -> Client:
    """Signed in, and the password given again, as allauth asks before a second factor
    is added."""
    browser = Client()
    browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return browser


def test_the_page_says_what_the_app_does_and_never_reads_the_secret_aloud(world):
    page = signed_in(world.rita).get(ACTIVATE)

    secret = page.context["form"].secret
    assertContains(page, "Set up an authenticator app")
    assertContains(page, 'alt="QR code for your authenticator app (the key below holds the same)"')
    assertNotContains(page, f'alt="{secret}"')
    # A field that can be selected and copied, unlike allauth's disabled one.
    (field,) = re.findall(rf'<input[^>]*value="{secret}"[^>]*>', page.content.decode())
    assert re.search(r"\sreadonly\b", field) and "disabled" not in field
    assert_clean_page(page)


def test_the_code_the_app_shows_turns_two_factor_sign_in_on(world):
    rita = signed_in(world.rita)
    secret = rita.get(ACTIVATE).context["form"].secret

    answer = rita.post(ACTIVATE, {"code": current_totp_code(secret)})

    assert answer.status_code == 302
    assert Authenticator.objects.filter(user=world.rita, type=Authenticator.Type.TOTP).exists()


def test_a_wrong_code_turns_nothing_on_and_says_so(world):
    rita = signed_in(world.rita)
    rita.get(ACTIVATE)

    answer = rita.post(ACTIVATE, {"code": "000000"})

    assert answer.status_code == 200
    assertContains(answer, "Incorrect code.")
    assert not Authenticator.objects.filter(user=world.rita).exists()


def test_the_two_factor_page_says_what_is_on_and_what_each_button_does(world):
    rita = signed_in(world.rita)

    before = rita.get(reverse("mfa_index"))

    assertContains(before, "<strong>Off.</strong>", html=False)
    assertContains(
        before, f'<a class="button" href="{ACTIVATE}">Set up an authenticator app</a>', html=True
    )
    assertContains(before, "Add a security key")
    assertNotContains(before, "Make recovery codes")  # nothing to recover yet
    assert_clean_page(before)

    secret = rita.get(ACTIVATE).context["form"].secret
    rita.post(ACTIVATE, {"code": current_totp_code(secret)})
    after = rita.get(reverse("mfa_index"))

    assertContains(after, "Signing in asks for the six-digit code your app shows.")
    assertContains(after, "Turn off the authenticator app")
    # allauth makes recovery codes with the first authenticator.
    assertContains(after, "of 10 left.")
