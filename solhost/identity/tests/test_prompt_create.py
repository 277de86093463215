"""OpenID Connect Prompt Create 1.0: a service sends someone without an account to sign
up, and they come back to the service's request once their address is confirmed."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from solhost.identity.assurance import ACR_PASSWORD
from solhost.identity.models import User
from solhost.identity.tests.oidc import (
    authorize_params,
    consent,
    consent_form_data,
    exchange,
    make_client,
    query_of,
    verified_claims,
)
from solhost.test import PASSWORD

AUTHORIZE = reverse("oauth2_provider:authorize")
CONFIRM_LINK = re.compile(r"https?://\S+(/accounts/confirm-email/\S+/)")


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def _sign_up(browser: Client, signup_url: str, email: str = "nina@example.org"):
    """Fill in the sign-up page as a browser would: what it posts back is the page's own
    form, the way back to the service included."""
    page = browser.get(signup_url)
    assert page.status_code == 200
    back_to = re.search(r'name="next" value="([^"]+)"', page.content.decode())
    assert back_to is not None, "the sign-up form forgets where the resident was going"
    return browser.post(
        signup_url,
        {
            "email": email,
            "username": "nina",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": html.unescape(back_to.group(1)),
        },
    )


def test_a_new_resident_signs_up_and_comes_back_to_the_service(
    client, world, nextcloud, mailoutbox
):
    to_signup = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="create"))
    assert to_signup.status_code == 302
    assert to_signup["Location"].startswith(reverse("account_signup"))
    back_to = parse_qs(urlsplit(to_signup["Location"]).query)["next"][0]
    # Back to the same request, without the prompt just answered.
    assert "prompt" not in parse_qs(urlsplit(back_to).query)

    signed_up = _sign_up(client, to_signup["Location"])
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    confirm = CONFIRM_LINK.search(mailoutbox[0].body).group(1)
    confirmed = client.post(confirm)

    # Confirming in the browser that signed up signs it in and goes on to the service.
    assert confirmed.status_code == 302
    assert urlsplit(confirmed["Location"]).path == AUTHORIZE
    consent_page = client.get(confirmed["Location"])
    assert consent_page.status_code == 200
    nina = User.objects.get(email="nina@example.org")
    assert consent_page.context["user"] == nina
    answer = client.post(AUTHORIZE, {**consent_form_data(consent_page), "allow": "Authorize"})
    tokens = exchange(client, nextcloud, query_of(answer)["code"]).json()
    claims = verified_claims(client, tokens["id_token"], nextcloud.client.client_id)
    # Confirming an address proves neither a password nor a second factor: the ID token
    # claims no method, and the lowest level.
    assert "amr" not in claims
    assert claims["acr"] == ACR_PASSWORD
    assert claims["sub"] and claims["email_verified"] is True


def test_the_confirmation_link_opened_elsewhere_signs_no_one_in(
    client, world, nextcloud, mailoutbox
):
    to_signup = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="create"))
    _sign_up(client, to_signup["Location"])
    confirm = CONFIRM_LINK.search(mailoutbox[0].body).group(1)

    elsewhere = Client()
    confirmed = elsewhere.post(confirm)

    assert "_auth_user_id" not in elsewhere.session
    assert urlsplit(confirmed["Location"]).path != AUTHORIZE


def test_a_signed_in_resident_asked_to_sign_up_just_signs_in(client, world, nextcloud):
    # Prompt Create 1.0 leaves this to the provider: the account is already there.
    client.force_login(world.rita)

    first_time = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="create"))
    consent(client, authorize_params(nextcloud))
    agreed = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="create"))

    assert consent_form_data(first_time)["client_id"] == nextcloud.client.client_id
    assert "code" in query_of(agreed)


def test_signing_up_from_a_services_sign_in_page_comes_back_too(
    client, world, nextcloud, mailoutbox
):
    # A service that doesn't ask for prompt=create: the resident finds "sign up" on the
    # sign-in page the request sent them to, and still lands back at the service.
    to_login = client.get(AUTHORIZE, authorize_params(nextcloud))
    login_page = client.get(to_login["Location"]).content.decode()
    # Both of the page's sign-up links (the header's and the form's) keep the way back.
    links = [
        html.unescape(link) for link in re.findall(r'href="(/accounts/signup/[^"]*)"', login_page)
    ]
    assert len(links) == 2 and links[0] == links[1]
    signup_url = links[0]

    _sign_up(client, signup_url)
    confirmed = client.post(CONFIRM_LINK.search(mailoutbox[0].body).group(1))

    assert urlsplit(confirmed["Location"]).path == AUTHORIZE
    assert client.get(confirmed["Location"]).context["user"].email == "nina@example.org"
