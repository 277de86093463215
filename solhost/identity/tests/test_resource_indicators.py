"""Resource indicators (RFC 8707): a service may ask for tokens good at named APIs only.
The code carries them whether or not the resident is asked to agree, and an address that
is no indicator is an ``invalid_target`` error wherever it is sent, never a crash."""

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken, Grant

from solhost.identity.tests.oidc import (
    authorize_params,
    consent,
    consent_form_data,
    exchange,
    make_client,
    query_of,
    refresh,
)

AUTHORIZE = reverse("oauth2_provider:authorize")
API = "https://api.files.mcc.example.org/"
# What no resource indicator is, among them addresses urllib can't read at all.
NOT_INDICATORS = [
    "https://[api.files.mcc.example.org/",
    "https://api.files.mcc.example.org:99999/",
    "https://api.files.mcc.example.org/#part",
    "api.files.mcc.example.org",
]


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def test_the_code_is_for_the_resource_asked_for_whether_or_not_the_resident_is_asked(
    client, world, nextcloud
):
    client.force_login(world.rita)
    first = consent(client, authorize_params(nextcloud, resource=API))
    assert Grant.objects.get(code=first["code"]).resource == [API]
    exchange(client, nextcloud, first["code"])
    assert AccessToken.objects.get().resource == [API]

    # Agreed before: no page this time, and still only the API asked for.
    again = client.get(AUTHORIZE, authorize_params(nextcloud, resource=API))

    assert again.status_code == 302
    assert Grant.objects.get(code=query_of(again)["code"]).resource == [API]


@pytest.mark.parametrize("resource", NOT_INDICATORS)
def test_an_authorization_request_for_no_resource_indicator_goes_back_as_invalid_target(
    client, world, nextcloud, resource
):
    client.force_login(world.rita)

    answer = client.get(AUTHORIZE, authorize_params(nextcloud, resource=resource))

    assert answer.status_code == 302
    assert query_of(answer)["error"] == "invalid_target"
    assert query_of(answer)["state"] == "state-123"
    assert not Grant.objects.exists()


@pytest.mark.parametrize("resource", NOT_INDICATORS)
def test_a_consent_form_changed_to_no_resource_indicator_is_refused(
    client, world, nextcloud, resource
):
    client.force_login(world.rita)
    page = client.get(AUTHORIZE, authorize_params(nextcloud, resource=API))
    changed = {**consent_form_data(page), "resource": resource, "allow": "Authorize"}

    answer = client.post(AUTHORIZE, changed)

    assert answer.status_code == 400
    assert "The consent form came back changed." in answer.content.decode()
    assert not Grant.objects.exists()


@pytest.mark.parametrize("resource", NOT_INDICATORS)
def test_a_token_request_for_no_resource_indicator_is_invalid_target(
    client, world, nextcloud, resource
):
    client.force_login(world.rita)
    scopes = "openid offline_access"
    code = consent(client, authorize_params(nextcloud, scope=scopes))["code"]

    answer = exchange(client, nextcloud, code, resource=resource)

    assert answer.status_code == 400
    assert answer["Cache-Control"] == "no-store"
    assert answer.json()["error"] == "invalid_target"
    assert not AccessToken.objects.exists()

    code = consent(client, authorize_params(nextcloud, scope=scopes, prompt="consent"))["code"]
    tokens = exchange(client, nextcloud, code).json()
    refreshed = refresh(client, nextcloud, tokens["refresh_token"], resource=resource)
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_target"
