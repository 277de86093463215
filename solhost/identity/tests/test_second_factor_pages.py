"""allauth's second-factor pages speak in the region's words, with the names the two-factor
page gives (authenticator app, security keys, recovery codes), and their forms still work."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from solhost.identity.tests.test_session_claims import (
    current_totp_code,
    sign_in_with_password,
    with_totp,
)
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page, visible_text

KEYS = reverse("mfa_list_webauthn")
LAST_FACTOR = (
    "this turns two-factor authentication off: your recovery codes are deleted, and from "
    "your next sign-in your password alone lets you in. A service that asks for a second "
    "factor then won't let you in until you set one up again."
)


def words(page) -> str:
    return visible_text(page.content.decode())


def signed_in(user) -> Client:
    """Signed in, and the password given again, as allauth asks before a change to the
    second factors."""
    browser = Client()
    browser.force_login(user)
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return browser


def with_security_key(user, name: str = "Blue key") -> Authenticator:
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


def test_the_security_keys_page_lists_each_key_with_what_can_be_done_to_it(world):
    key = with_security_key(world.rita)

    page = signed_in(world.rita).get(KEYS)

    assertContains(page, "<h1>Security keys</h1>", html=True)
    assert "Security Keys" not in page.content.decode()  # allauth's title, in the tab too
    assertContains(page, "<h2>Blue key</h2>", html=True)
    assert "Not used yet." in words(page)
    edit = reverse("mfa_edit_webauthn", kwargs={"pk": key.pk})
    assertContains(page, f'<a class="button button-secondary" href="{edit}">Rename</a>', html=True)
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})
    assertContains(page, f'<a class="button button-danger" href="{remove}">Remove</a>', html=True)
    add = reverse("mfa_add_webauthn")
    assertContains(page, f'<a class="button" href="{add}">Add a security key</a>', html=True)
    assert_clean_page(page)


def test_the_security_keys_page_says_when_there_are_none(world):
    page = signed_in(world.rita).get(KEYS)

    assert "You have not added a security key." in words(page)
    assertContains(page, "Add a security key")


def test_removing_a_key_names_it_and_says_what_the_last_factor_takes(world):
    key = with_security_key(world.rita)
    rita = signed_in(world.rita)
    remove = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})

    page = rita.get(remove)

    assertContains(page, "<h1>Remove a security key</h1>", html=True)
    assert "Blue key, added on" in words(page)
    assert LAST_FACTOR in words(page)
    assertContains(page, f'action="{remove}"')
    assertContains(page, "Remove the key")
    assert_clean_page(page)

    assertRedirects(rita.post(remove), KEYS)
    assert not Authenticator.objects.filter(pk=key.pk).exists()


def test_turning_the_app_off_says_what_follows_and_does_it(world):
    with_totp(world.rita)
    rita = signed_in(world.rita)
    deactivate = reverse("mfa_deactivate_totp")

    page = rita.get(deactivate)

    assertContains(page, "<h1>Turn off the authenticator app</h1>", html=True)
    assert "Signing in will no longer ask for the code your app shows." in words(page)
    assert LAST_FACTOR in words(page)
    assertContains(page, f'action="{deactivate}"')
    assertNotContains(page, "Deactivate")
    assert_clean_page(page)

    done = rita.post(deactivate, follow=True)

    assertRedirects(done, reverse("mfa_index"))
    assert "The authenticator app is off: signing in no longer asks for its code." in words(done)
    assert not Authenticator.objects.filter(user=world.rita).exists()


def test_the_recovery_codes_page_says_what_they_are_for_and_how_many_are_left(world):
    with_totp(world.rita)
    codes = RecoveryCodes.activate(world.rita)

    page = signed_in(world.rita).get(reverse("mfa_view_recovery_codes"))

    assertContains(page, "<h1>Recovery codes</h1>", html=True)
    assert "Each code signs you in once in place of your authenticator app" in words(page)
    assert "10 of 10 left." in words(page)
    assertContains(page, codes.get_unused_codes()[0])
    assertContains(page, "Download the codes")
    generate = reverse("mfa_generate_recovery_codes")
    assertContains(
        page, f'<a class="button button-secondary" href="{generate}">Make new codes</a>', html=True
    )
    assert "Recovery Codes" not in page.content.decode()
    assert_clean_page(page)


def test_making_new_recovery_codes_says_the_old_ones_stop_working(world):
    with_totp(world.rita)
    old = RecoveryCodes.activate(world.rita).get_unused_codes()
    rita = signed_in(world.rita)
    generate = reverse("mfa_generate_recovery_codes")

    page = rita.get(generate)

    assertContains(page, "<h1>Make new recovery codes</h1>", html=True)
    assert "Your 10 unused codes stop working as soon as the new ones are made." in words(page)
    assertContains(page, f'action="{generate}"')
    assertNotContains(page, "Are you sure?")
    assert_clean_page(page)

    assertRedirects(rita.post(generate), reverse("mfa_view_recovery_codes"))
    new = Authenticator.objects.get(user=world.rita, type="recovery_codes").wrap()
    assert not set(old) & set(new.get_unused_codes())


def test_the_second_step_of_signing_in_says_what_it_asks_for(world):
    secret = with_totp(world.rita)
    browser = Client()
    sign_in_with_password(browser, world.rita)

    page = browser.get(reverse("mfa_authenticate"))

    assertContains(page, "<h1>Your second factor</h1>", html=True)
    assert "Enter the six-digit code your authenticator app shows" in words(page)
    assert "is told that you used a second factor, and which kind" in words(page)
    assertContains(page, 'id="mfa_webauthn_authenticate"')
    assertContains(page, "Use a security key")
    assertNotContains(page, "Two-Factor Authentication")
    assert_clean_page(page)

    signed_in_now = browser.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    assert signed_in_now.status_code == 302
    assert browser.get(reverse("mfa_index")).status_code == 200


def test_adding_and_renaming_a_key_say_what_happens(world):
    adding = signed_in(world.rita).get(reverse("mfa_add_webauthn"))
    key = with_security_key(world.rita)
    rita = signed_in(world.rita)
    renaming = rita.get(reverse("mfa_edit_webauthn", kwargs={"pk": key.pk}))

    assertContains(adding, "<h1>Add a security key</h1>", html=True)
    assert "your browser asks you to touch or unlock the key" in words(adding)
    assertContains(adding, 'id="mfa_webauthn_add"')  # allauth's script finds its button
    assertContains(adding, 'data-allauth-onload="allauth.webauthn.forms.addForm"')
    assertContains(renaming, "<h1>Rename a security key</h1>", html=True)
    assertRedirects(rita.post(renaming.request["PATH_INFO"], {"name": "Red key"}), KEYS)
    key.refresh_from_db()
    assert key.data["name"] == "Red key"
