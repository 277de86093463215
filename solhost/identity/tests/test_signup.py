import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import get_hasher
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from solhost.identity.models import User
from solhost.test import PASSWORD

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def sign_up(client, email="nina@example.org", username="nina"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def link_path(message) -> str:
    return urlsplit(CONFIRM_LINK.search(message.body).group(0)).path


def test_signup_page_has_labelled_fields(client, db):
    response = client.get(reverse("account_signup"))
    for field_id, label in [("id_email", "Email"), ("id_password1", "Password")]:
        assertContains(response, f'<label for="{field_id}">{label}</label>', html=True)
    assertContains(response, 'aria-describedby="id_password1_helptext"')


def test_signup_errors_are_tied_to_their_fields(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "nina@example.org", "username": "nina", "password1": "short", "password2": "x"},
    )

    assertContains(response, '<ul class="errorlist" id="id_password1_error">')
    assertContains(response, 'aria-describedby="id_password1_helptext id_password1_error"')
    assertContains(response, 'aria-invalid="true"')
    assert not User.objects.filter(email="nina@example.org").exists()


def test_the_form_says_what_the_username_and_the_email_address_are_for(client, db):
    page = client.get(reverse("account_signup"))

    assertContains(page, "Your name at the region's services, such as your chat address.")
    assertContains(page, 'aria-describedby="id_username_helptext"')
    assertContains(page, "The region sends a link to it, to confirm it is yours.")


def test_a_username_is_kept_in_lowercase(client, db, mailoutbox):
    sign_up(client, username="Nina.Kovac")

    assert User.objects.get(email="nina@example.org").username == "nina.kovac"


@pytest.mark.parametrize(
    ("username", "problem"),
    [
        ("nina kovac", "Use only lowercase letters, digits, dots, hyphens and underscores"),
        ("nina@home", "Use only lowercase letters, digits, dots, hyphens and underscores"),
        ("-nina", "Use only lowercase letters, digits, dots, hyphens and underscores"),
        ("Admin", "Username can not be used. Please use other username."),
        ("n", "at least 2 characters"),
    ],
)
def test_a_username_no_service_could_take_is_refused_in_words(client, db, username, problem):
    answer = sign_up(client, username=username)

    assert answer.status_code == 200
    assertContains(answer, problem)
    assertContains(answer, 'id="id_username_error"')
    assert not User.objects.filter(email="nina@example.org").exists()


def test_signup_sends_a_link_that_verifies_the_address(client, db, mailoutbox):
    response = sign_up(client)

    assertRedirects(response, reverse("account_email_verification_sent"))
    sent = client.get(reverse("account_email_verification_sent"))
    assertContains(sent, "<h1>Check your email</h1>", html=True)
    assertContains(sent, "To be sent a new link,")
    address = EmailAddress.objects.get(email="nina@example.org")
    assert not address.verified
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nina@example.org"]
    words = " ".join(mailoutbox[0].body.split())
    assert "The regional account nina gave this email address as its own." in words
    assert "nobody can sign in with an address that isn't confirmed" in words

    path = link_path(mailoutbox[0])
    page = client.get(path)
    assertContains(page, "nina@example.org")
    # Opening the link only shows a form: a mail scanner following links verifies nothing.
    address.refresh_from_db()
    assert not address.verified

    response = client.post(path)

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_signup_stores_the_password_hashed_with_argon2(client, db, mailoutbox):
    sign_up(client)

    user = User.objects.get(email="nina@example.org")
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_the_installation_hashes_passwords_with_djangos_argon2_as_it_comes():
    # The suite swaps in cheap Argon2 parameters (conftest.py); the settings must not.
    from solhost import settings as installation

    assert installation.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_hasher().algorithm == "argon2"


def test_signup_with_a_taken_address_creates_no_second_account(client, world, mailoutbox):
    sign_up(client, email="rita@example.org", username="rita2")

    assert User.objects.filter(email__iexact="rita@example.org").count() == 1


def test_login_before_verification_is_sent_to_verify(client, db, mailoutbox):
    user = User.objects.create_user("otto", "otto@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = client.post(
        reverse("account_login"), {"login": "otto@example.org", "password": PASSWORD}
    )

    assertRedirects(response, reverse("account_email_verification_sent"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("account_email")).status_code == 302
    assert [m.to for m in mailoutbox] == [["otto@example.org"]]
    assert CONFIRM_LINK.search(mailoutbox[0].body)


def test_a_bad_confirmation_key_verifies_nothing(client, db):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    assertContains(response, "This link no longer works")
