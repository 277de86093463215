"""CORS on token, userinfo and revocation for the origins of approved public clients (apps
in the browser), each reading only its own answers; nothing for a confidential server's
origin or anyone else's; the JWKS for any origin."""

import pytest
from django.test import Client
from django.urls import reverse

from solhost.identity import actions
from solhost.identity.cors import origin_of
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorization_code,
    authorize_params,
    basic_auth,
    consent,
    exchange,
    make_client,
    pkce_pair,
)

APP = "https://notes.mcc.example.org/callback"
APP_ORIGIN = "https://notes.mcc.example.org"
SERVER_ORIGIN = "https://files.mcc.example.org"  # the confidential client's redirect URI's
OTHER_APP_ORIGIN = "https://calendar.cct.example.org"  # another co-op's browser app


@pytest.fixture
def notes_app(world):
    """A public single-page app: no secret, PKCE, calls the region from the browser."""
    return make_client(world.mcc_service, public=True, redirect=APP)


@pytest.fixture
def nextcloud(world):
    """A confidential server: its secret stays on the server, which calls the region."""
    return make_client(world.mcc_service)


def browser_app_code(client, world, notes_app) -> dict:
    """A code for the app, and the PKCE verifier that redeems it."""
    client.force_login(world.rita)
    verifier, challenge = pkce_pair()
    code = authorization_code(
        client, notes_app, redirect_uri=APP, code_challenge=challenge, code_challenge_method="S256"
    )
    return {"code": code, "code_verifier": verifier}


def redeem_from_the_browser(browser, notes_app, code: dict, origin: str = APP_ORIGIN):
    return browser.post(
        reverse("oauth2_provider:token"),
        {
            "grant_type": "authorization_code",
            "redirect_uri": APP,
            "client_id": notes_app.client.client_id,
            **code,
        },
        HTTP_ORIGIN=origin,
    )


def browser_app_tokens(client, world, notes_app) -> dict:
    response = redeem_from_the_browser(
        client, notes_app, browser_app_code(client, world, notes_app)
    )
    assert response.status_code == 200, response.content
    return {"response": response, **response.json()}


def preflight(client, name: str, origin: str):
    return client.options(
        reverse(f"oauth2_provider:{name}"),
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


@pytest.mark.parametrize("name", ["token", "user-info", "revoke-token"])
def test_a_browser_app_origin_passes_the_preflight(client, notes_app, name):
    response = preflight(client, name, APP_ORIGIN)

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Origin" in response["Vary"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("name", ["token", "user-info", "revoke-token"])
def test_other_origins_get_no_cors_headers(client, world, notes_app, nextcloud, name):
    unapproved = make_client(
        world.cct_service, public=True, approved=False, redirect="https://chat.cct.example.org/cb"
    )
    assert not unapproved.client.approved

    for origin in (
        SERVER_ORIGIN,  # a confidential client's: its server calls, not a browser
        "https://chat.cct.example.org",  # a public client the steward hasn't approved
        "https://notes.mcc.example.org:8443",  # the app's host, another origin
        "http://notes.mcc.example.org",
        "https://evil.example.net",
        "null",
    ):
        response = preflight(client, name, origin)
        assert "Access-Control-Allow-Origin" not in response, origin
        assert "Access-Control-Allow-Methods" not in response, origin
        assert "Origin" in response["Vary"]


def test_the_token_answer_is_readable_by_the_browser_app(client, world, notes_app):
    tokens = browser_app_tokens(client, world, notes_app)

    assert tokens["response"]["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "Origin" in tokens["response"]["Vary"]
    assert "id_token" in tokens


def test_the_token_endpoint_stays_free_of_csrf_checks(client, world, notes_app):
    # Browser apps post without the region's CSRF cookie; wrapping must keep DOT's exemption.
    code = browser_app_code(client, world, notes_app)

    response = redeem_from_the_browser(Client(enforce_csrf_checks=True), notes_app, code)

    assert response.status_code == 200
    assert "access_token" in response.json()


def test_userinfo_and_its_refusal_are_readable_by_the_browser_app(client, world, notes_app):
    token = browser_app_tokens(client, world, notes_app)["access_token"]
    app = Client()  # the app's own requests carry none of the region's cookies

    userinfo = app.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ORIGIN=APP_ORIGIN,
    )
    refused = app.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION="Bearer not-a-token",
        HTTP_ORIGIN=APP_ORIGIN,
    )

    assert userinfo.status_code == 200
    assert userinfo["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert refused.status_code == 401
    assert refused["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert refused["Access-Control-Expose-Headers"] == "WWW-Authenticate"


def test_revocation_is_readable_by_the_browser_app(client, world, notes_app):
    token = browser_app_tokens(client, world, notes_app)["access_token"]

    response = client.post(
        reverse("oauth2_provider:revoke-token"),
        {"token": token, "client_id": notes_app.client.client_id},
        HTTP_ORIGIN=APP_ORIGIN,
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN


@pytest.fixture
def other_app(world):
    """Another co-op's approved browser app, at an origin of its own."""
    return make_client(world.cct_service, public=True, redirect=f"{OTHER_APP_ORIGIN}/callback")


def test_another_apps_origin_may_not_read_this_apps_tokens_or_claims(
    client, world, notes_app, other_app
):
    # A page at the other app's origin holding the notes app's code and verifier.
    stolen = redeem_from_the_browser(
        Client(), notes_app, browser_app_code(client, world, notes_app), origin=OTHER_APP_ORIGIN
    )
    token = browser_app_tokens(client, world, notes_app)["access_token"]
    claims = Client().get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ORIGIN=OTHER_APP_ORIGIN,
    )
    revoked = Client().post(
        reverse("oauth2_provider:revoke-token"),
        {"token": token, "client_id": notes_app.client.client_id},
        HTTP_ORIGIN=OTHER_APP_ORIGIN,
    )

    for answer in (stolen, claims, revoked):
        assert answer.status_code == 200, answer.content
        assert "Access-Control-Allow-Origin" not in answer
        assert "Origin" in answer["Vary"]
    # The preflight, which names no client, and a refusal, which tells nothing of
    # anyone's, it may read.
    assert preflight(client, "token", OTHER_APP_ORIGIN)["Access-Control-Allow-Origin"] == (
        OTHER_APP_ORIGIN
    )
    refused = Client().get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION="Bearer not-a-token",
        HTTP_ORIGIN=OTHER_APP_ORIGIN,
    )
    assert refused.status_code == 401
    assert refused["Access-Control-Allow-Origin"] == OTHER_APP_ORIGIN


def test_a_confidential_servers_origin_cannot_read_the_token_answer(client, world, nextcloud):
    client.force_login(world.rita)
    code = consent(client, authorize_params(nextcloud))["code"]

    response = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        HTTP_ORIGIN=SERVER_ORIGIN,
        **basic_auth(nextcloud),
    )

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_an_app_is_no_longer_allowed_once_its_client_is_deleted(client, world, notes_app):
    assert "Access-Control-Allow-Origin" in preflight(client, "token", APP_ORIGIN)

    notes_app.client.delete()

    assert "Access-Control-Allow-Origin" not in preflight(client, "token", APP_ORIGIN)


def test_a_server_call_without_an_origin_is_answered_as_before(client, world, nextcloud):
    client.force_login(world.rita)
    code = consent(client, authorize_params(nextcloud))["code"]

    response = exchange(client, nextcloud, code)

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("name", ["jwks-info", "oidc-connect-discovery-info"])
def test_the_keys_and_discovery_are_for_every_origin(client, world, name):
    response = client.get(reverse(f"oauth2_provider:{name}"), HTTP_ORIGIN="https://any.example")

    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("uri", "origin"),
    [
        (APP, APP_ORIGIN),
        ("https://Notes.MCC.example.org:443/cb?x=1", APP_ORIGIN),
        ("https://notes.mcc.example.org:8443/cb", "https://notes.mcc.example.org:8443"),
        ("http://127.0.0.1:8080/cb", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/cb", "http://[::1]:8080"),
        ("org.example.notes:/callback", None),
        ("https://notes.mcc.example.org:99999/cb", None),
        ("https://[notes.mcc.example.org/cb", None),
    ],
)
def test_origin_of_a_redirect_uri(uri, origin):
    assert origin_of(uri) == origin


def test_a_native_apps_private_scheme_gives_no_origin(client, world):
    native = actions.register_client(
        service=world.mcc_service,
        redirect_uris=["org.example.notes:/callback", "http://127.0.0.1:7000/cb"],
        public=True,
        actor=None,
    )
    actions.approve_client(client=native.client, steward=None)

    assert "Access-Control-Allow-Origin" in preflight(client, "token", "http://127.0.0.1:7000")
    assert "Access-Control-Allow-Origin" not in preflight(client, "token", "org.example.notes:")
