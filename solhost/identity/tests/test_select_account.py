"""``prompt=select_account`` (OpenID Connect Core §3.1.2.1): the resident chooses the
account a service signs them in with, going on as the one signed in or signing out to use
another, and comes back to the same request either way."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from oauth2_provider.models import Grant

from solhost.identity.models import SignedInSession
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    consent,
    consent_form_data,
    make_client,
    query_of,
)
from solhost.test import PASSWORD

AUTHORIZE = reverse("oauth2_provider:authorize")


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def _next_of(location: str) -> dict[str, list[str]]:
    """The query of the authorization request a page sends the resident back to."""
    next_url = parse_qs(urlsplit(location).query)["next"][0]
    return parse_qs(urlsplit(next_url).query)


def test_the_signed_in_resident_chooses_before_any_code_is_issued(client, world, nextcloud):
    client.force_login(world.rita)
    consent(client, authorize_params(nextcloud))  # agreed before: a code would follow
    Grant.objects.all().delete()

    page = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="select_account"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Which account for" in text and "Continue as rita" in text
    assert not Grant.objects.exists()
    # Going on as Rita is the same request without the prompt just answered.
    onward = client.get(page.context["continue_url"])
    assert query_of(onward)["state"] == "state-123"
    assert Grant.objects.get().user == world.rita


def test_other_prompts_survive_the_choice(client, world, nextcloud):
    client.force_login(world.rita)
    consent(client, authorize_params(nextcloud))

    page = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="select_account consent"))
    asked_again = client.get(page.context["continue_url"])

    # prompt=consent still holds: the consent page, not a code.
    assert asked_again.status_code == 200
    assert consent_form_data(asked_again)["client_id"] == nextcloud.client.client_id


def test_another_account_signs_this_one_out_and_comes_back(client, world, nextcloud):
    client.force_login(world.rita)
    page = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="select_account"))
    form = page.content.decode()
    assert f'action="{reverse("account_logout")}"' in form

    signed_out = client.post(reverse("account_logout"), {"next": page.context["continue_url"]})
    to_login = client.get(signed_out["Location"])
    assert to_login["Location"].startswith(reverse("account_login"))
    back = client.post(to_login["Location"], {"login": world.carol.email, "password": PASSWORD})
    consent_page = client.get(back["Location"])

    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert consent_page.status_code == 200
    assert consent_page.context["user"] == world.carol
    assert "select_account" not in back["Location"]


def test_not_signing_in_at_all_tells_the_service_access_denied(client, world, nextcloud):
    client.force_login(world.rita)
    consent(client, authorize_params(nextcloud))
    Grant.objects.all().delete()
    page = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="select_account"))
    assert "Don’t sign in to" in page.content.decode()
    # The page's form may end at the service, which its policy must let it reach.
    assert "https://files.mcc.example.org" in page["Content-Security-Policy"]

    declined = client.post(page.wsgi_request.get_full_path(), consent_form_data(page))

    query = query_of(declined)
    assert declined["Location"].startswith(REDIRECT)
    assert (query["error"], query["state"]) == ("access_denied", "state-123")
    assert not Grant.objects.exists()


@pytest.mark.parametrize("answered", ["select_account", "login", "login select_account"])
def test_signing_in_is_the_choice_for_a_browser_signed_in_to_no_one(
    client, world, nextcloud, answered
):
    response = client.get(AUTHORIZE, authorize_params(nextcloud, prompt=f"{answered} consent"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Signing in answers select_account and login both: not asked again once signed in,
    # while what else the service asked for still holds.
    assert _next_of(response["Location"])["prompt"] == ["consent"]


def test_select_account_with_none_is_refused(client, world, nextcloud):
    client.force_login(world.rita)

    response = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="none select_account"))

    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT)
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_request"]
