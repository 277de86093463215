"""response_mode=form_post: the authorization response as a form the browser posts to the
service's redirect URI, sent by a static script or, without JavaScript, by the resident."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    consent_form_data,
    exchange,
    make_client,
    pkce_pair,
    query_of,
)

AUTHORIZE = "/oidc/authorize/"


class _ResponseForm(HTMLParser):
    """The page's form that goes to the service: where, and with what."""

    def __init__(self, page: str):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}
        self.scripts: list[str] = []
        self._inside = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and "data-form-post" in attributes:
            self.action, self._inside = attributes["action"], True
        elif tag == "input" and self._inside:
            self.fields[attributes["name"]] = attributes["value"]
        elif tag == "script":
            self.scripts.append(attributes.get("src", "inline"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def response_form(response) -> _ResponseForm:
    assert response.status_code == 200, response.content[:500]
    form = _ResponseForm(response.content.decode())
    assert form.action is not None, "no form to the service on the page"
    return form


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def consent_form(client, params: dict) -> dict:
    page = client.get(AUTHORIZE, params)
    assert page.status_code == 200, page.content[:500]
    return consent_form_data(page)


def test_after_consent_the_code_is_posted_to_the_redirect_uri(client, world, nextcloud):
    client.force_login(world.rita)
    params = authorize_params(nextcloud, response_mode="form_post")
    data = consent_form(client, params)

    # The consent form posts back to the address it was shown at, response_mode and all.
    response = client.post(f"{AUTHORIZE}?response_mode=form_post", {**data, "allow": "Authorize"})

    form = response_form(response)
    assert form.action == REDIRECT
    assert set(form.fields) == {"code", "state", "iss"}
    assert form.fields["state"] == "state-123"
    assert form.fields["iss"] == "http://testserver"
    assert exchange(client, nextcloud, form.fields["code"]).status_code == 200


def test_the_page_may_post_only_to_the_service_and_keeps_nothing(client, world, nextcloud):
    client.force_login(world.rita)
    data = consent_form(client, authorize_params(nextcloud, response_mode="form_post"))

    response = client.post(f"{AUTHORIZE}?response_mode=form_post", {**data, "allow": "Authorize"})

    policy = response["Content-Security-Policy"]
    assert "form-action 'self' https://files.mcc.example.org;" in policy
    assert "script-src 'self';" in policy
    assert response["Cache-Control"] == "no-store"
    # The region's CSRF token is for the region: never in a form that leaves it.
    assert "csrfmiddlewaretoken" not in response_form(response).fields


def test_a_static_script_sends_it_and_a_button_does_without(client, world, nextcloud):
    client.force_login(world.rita)
    data = consent_form(client, authorize_params(nextcloud, response_mode="form_post"))

    response = client.post(f"{AUTHORIZE}?response_mode=form_post", {**data, "allow": "Authorize"})

    form = response_form(response)
    assert "inline" not in form.scripts
    assert "/static/js/form-post.js" in form.scripts
    assert finders.find("js/form-post.js") is not None
    page = response.content.decode()
    assert f'<button type="submit">Continue to {world.mcc_service.name}</button>' in page


def test_a_service_already_consented_to_gets_the_code_by_form_at_once(client, world, nextcloud):
    client.force_login(world.rita)
    data = consent_form(client, authorize_params(nextcloud))
    client.post(AUTHORIZE, {**data, "allow": "Authorize"})

    response = client.get(AUTHORIZE, authorize_params(nextcloud, response_mode="form_post"))

    assert set(response_form(response).fields) == {"code", "state", "iss"}


def test_a_refusal_is_posted_the_same_way(client, world, nextcloud):
    client.force_login(world.rita)
    data = consent_form(client, authorize_params(nextcloud, response_mode="form_post"))

    response = client.post(f"{AUTHORIZE}?response_mode=form_post", data)

    form = response_form(response)
    assert form.action == REDIRECT
    assert form.fields["error"] == "access_denied"
    assert form.fields["state"] == "state-123"
    assert "code" not in form.fields


def test_errors_of_a_silent_sign_in_are_posted_too(client, world, nextcloud):
    params = authorize_params(nextcloud, response_mode="form_post", prompt="none")

    signed_out = response_form(client.get(AUTHORIZE, params))
    client.force_login(world.rita)
    not_consented = response_form(client.get(AUTHORIZE, params))

    assert signed_out.fields["error"] == "login_required"
    assert not_consented.fields["error"] == "consent_required"
    assert not_consented.fields["state"] == "state-123"


def test_an_error_from_the_validation_is_posted_too(client, world, nextcloud):
    client.force_login(world.rita)
    _verifier, challenge = pkce_pair()

    response = client.get(
        AUTHORIZE,
        authorize_params(
            nextcloud,
            response_mode="form_post",
            code_challenge=challenge,
            code_challenge_method="plain",
        ),
    )

    assert response_form(response).fields["error"] == "invalid_request"


def test_the_redirect_uris_own_query_stays_in_the_address(client, world):
    with_query = make_client(world.mcc_service, redirect="https://app.mcc.example.org/cb?tenant=7")
    client.force_login(world.rita)
    params = authorize_params(
        with_query,
        response_mode="form_post",
        redirect_uri="https://app.mcc.example.org/cb?tenant=7",
    )
    data = consent_form(client, params)

    response = client.post(f"{AUTHORIZE}?response_mode=form_post", {**data, "allow": "Authorize"})

    form = response_form(response)
    assert form.action == "https://app.mcc.example.org/cb?tenant=7"
    assert set(form.fields) == {"code", "state", "iss"}
    assert "form-action 'self' https://app.mcc.example.org;" in response["Content-Security-Policy"]


@pytest.mark.parametrize("mode", ["fragment", "web_message", "FORM_POST"])
def test_an_unknown_response_mode_is_an_invalid_request(client, world, nextcloud, mode):
    client.force_login(world.rita)

    response = client.get(AUTHORIZE, authorize_params(nextcloud, response_mode=mode))

    query = query_of(response)
    assert urlsplit(response["Location"])._replace(query="").geturl() == REDIRECT
    assert query["error"] == "invalid_request"
    assert "response_mode" in query["error_description"]
    assert query["state"] == "state-123"
    assert "code" not in query


def test_an_unregistered_redirect_uri_is_never_posted_to(client, world, nextcloud):
    client.force_login(world.rita)

    response = client.get(
        AUTHORIZE,
        authorize_params(
            nextcloud, response_mode="form_post", redirect_uri="https://evil.example.net/cb"
        ),
    )

    assert response.status_code == 400
    assert "evil.example.net" not in response.content.decode()


def test_query_stays_the_default_and_can_be_asked_for(client, world, nextcloud):
    client.force_login(world.rita)
    data = consent_form(client, authorize_params(nextcloud, response_mode="query"))

    response = client.post(f"{AUTHORIZE}?response_mode=query", {**data, "allow": "Authorize"})

    assert "code" in query_of(response)


def test_discovery_lists_form_post(client, world):
    config = client.get(reverse("oauth2_provider:oidc-connect-discovery-info")).json()

    assert config["response_modes_supported"] == ["query", "form_post"]
