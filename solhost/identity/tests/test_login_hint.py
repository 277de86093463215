"""A service's ``login_hint`` fills in the email on the region's login and sign-up forms."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from solhost.identity.tests.oidc import authorize_params, make_client


def _login_page(client, **authorize):
    following = f"{reverse('oauth2_provider:authorize')}?{urlencode(authorize)}"
    return client.get(reverse("account_login"), {"next": following})


def test_the_hinted_email_is_filled_in(client, world):
    page = _login_page(client, client_id="any", login_hint="rita@example.org")
    assert page.context["form"]["login"].value() == "rita@example.org"
    assert 'value="rita@example.org"' in page.content.decode()


def test_a_hint_that_is_not_an_email_or_not_from_an_authorization_is_ignored(client, world):
    assert _login_page(client, login_hint="<script>").context["form"]["login"].value() is None
    assert _login_page(client, login_hint="x\u0000@y").context["form"]["login"].value() is None
    elsewhere = client.get(
        reverse("account_login"), {"next": "/services/?login_hint=rita@example.org"}
    )
    assert elsewhere.context["form"]["login"].value() is None


@pytest.mark.parametrize("page", ["account_login", "account_signup"])
def test_a_next_that_is_no_address_at_all_fills_in_nothing(client, world, page):
    # allauth's check of next and the login hint's reading both parse it, and urlsplit
    # refuses a bracketed host that isn't one: the page was a server error.
    response = client.get(reverse(page), {"next": "http://[x/oidc/authorize/?login_hint=a@b.c"})

    assert response.status_code == 200
    assert response.context["form"]["login" if page == "account_login" else "email"].value() is None


def test_the_hint_fills_in_nothing_but_the_email(client, world):
    page = _login_page(client, login_hint="rita@example.org")
    assert page.context["form"]["password"].value() is None


def test_a_service_sending_someone_to_sign_up_fills_in_the_email_too(client, world):
    # Prompt Create 1.0: the service may know the address of the person it sends.
    nextcloud = make_client(world.mcc_service)
    to_signup = client.get(
        reverse("oauth2_provider:authorize"),
        authorize_params(nextcloud, prompt="create", login_hint="nina@example.org"),
    )

    page = client.get(to_signup["Location"])
    plain = client.get(reverse("account_signup"))

    assert page.context["form"]["email"].value() == "nina@example.org"
    assert page.context["form"]["password1"].value() is None
    assert plain.context["form"]["email"].value() is None
