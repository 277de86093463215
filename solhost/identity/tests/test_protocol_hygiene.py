"""The protocol details relying parties and security reviews check: code replay, refresh
tokens only with offline_access, the issuer in every authorization response, request
objects refused rather than ignored, an id_token_hint held to the resident signed in, tokens only in the Authorization header, and a
discovery document that says what the region does."""

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken

from solhost.core.models import AuditEvent
from solhost.identity.assurance import ACR_VALUES
from solhost.identity.models import Consent
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    basic_auth,
    consent,
    consent_form_data,
    exchange,
    introspect,
    make_client,
    rotate_signing_key,
    sign_in_to,
    verified_claims,
)

AUTHORIZE = reverse("oauth2_provider:authorize")


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def test_a_replayed_code_is_refused_and_revokes_what_it_issued(client, world, nextcloud):
    client.force_login(world.rita)
    code = consent(client, authorize_params(nextcloud, scope="openid offline_access"))["code"]
    tokens = exchange(client, nextcloud, code).json()

    replay = exchange(client, nextcloud, code)

    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert introspect(client, nextcloud, tokens["access_token"])["active"] is False
    assert introspect(client, nextcloud, tokens["refresh_token"])["active"] is False
    revocation = AuditEvent.objects.get(action="identity.token.revoke")
    assert "authorization code used twice" in revocation.note


def test_a_token_request_without_the_redirect_uri_of_its_code_is_refused(client, world, nextcloud):
    # RFC 6749 §4.1.3: the authorization request had it, so the token request must repeat
    # it, even though the client registered only that one address.
    client.force_login(world.rita)
    code = consent(client, authorize_params(nextcloud))["code"]

    without = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "authorization_code", "code": code},
        **basic_auth(nextcloud),
    )
    with_it = exchange(client, nextcloud, code)

    assert without.status_code == 400
    assert without.json()["error"] == "invalid_request"
    assert with_it.status_code == 200


def test_a_verifier_for_a_code_asked_for_without_a_challenge_is_refused(client, world, nextcloud):
    # A PKCE downgrade (RFC 9700 §4.8.2): the challenge was stripped on the way in, so the
    # verifier sent with the code proves nothing.
    client.force_login(world.rita)
    code = consent(client, authorize_params(nextcloud))["code"]

    downgraded = exchange(client, nextcloud, code, code_verifier="v" * 50)

    assert downgraded.status_code == 400
    assert downgraded.json()["error"] == "invalid_grant"
    assert "code_challenge" in downgraded.json()["error_description"]
    assert not AccessToken.objects.filter(application=nextcloud.client).exists()


def test_an_unknown_code_revokes_nothing(client, world, nextcloud):
    client.force_login(world.rita)
    tokens = exchange(
        client, nextcloud, consent(client, authorize_params(nextcloud))["code"]
    ).json()

    assert exchange(client, nextcloud, "never-issued").json()["error"] == "invalid_grant"
    assert introspect(client, nextcloud, tokens["access_token"])["active"] is True
    assert not AuditEvent.objects.filter(action="identity.token.revoke").exists()


@pytest.mark.parametrize("device_code", [{}, {"device_code": "x"}])
def test_a_grant_the_region_does_not_offer_is_an_unsupported_grant_type(
    world, nextcloud, device_code
):
    """RFC 6749 §5.2, for the device-code grant that django-oauth-toolkit routes apart
    (without its code that was a server error)."""
    answer = Client(raise_request_exception=False).post(
        reverse("oauth2_provider:token"),
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", **device_code},
        **basic_auth(nextcloud),
    )

    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")


def test_a_refresh_token_only_with_offline_access(client, world, nextcloud):
    client.force_login(world.rita)

    without = exchange(client, nextcloud, consent(client, authorize_params(nextcloud))["code"])
    page = client.get(
        reverse("oauth2_provider:authorize"),
        authorize_params(nextcloud, scope="openid offline_access", state="s2"),
    )
    with_offline = exchange(
        client,
        nextcloud,
        consent(client, authorize_params(nextcloud, scope="openid offline_access"))["code"],
    )

    assert "refresh_token" not in without.json()
    assert "access_token" in without.json()
    assert "refresh_token" in with_offline.json()
    # The consent page says what offline access means.
    assert "while you are not signed in" in page.content.decode()


def test_prompt_consent_shows_the_consent_page_whatever_approval_prompt_says(
    client, world, nextcloud
):
    # django-oauth-toolkit's own approval_prompt=auto skips the page for a live token;
    # OpenID Connect's prompt=consent asks the resident again (Core §3.1.2.1).
    client.force_login(world.rita)
    sign_in_to(client, nextcloud)

    page = client.get(
        reverse("oauth2_provider:authorize"),
        authorize_params(nextcloud, prompt="consent", approval_prompt="auto"),
    )

    assert page.status_code == 200
    assert page.context["form"] is not None


def test_scopes_the_region_does_not_know_are_left_out_not_refused(client, world, nextcloud):
    # OpenID Connect Core §3.1.2.1: unknown scope values are ignored. Services often ask
    # for OpenID Connect's phone and address, or a scope of their own.
    client.force_login(world.rita)
    params = authorize_params(nextcloud, scope="openid phone profile wallet address")

    page = client.get(AUTHORIZE, params)
    tokens = exchange(client, nextcloud, consent(client, params)["code"]).json()
    # Agreed once, the same request signs in again without asking.
    again = client.get(AUTHORIZE, params)

    assert page.status_code == 200
    assert consent_form_data(page)["scope"] == "openid profile"
    assert "phone" not in page.content.decode() and "wallet" not in page.content.decode()
    # RFC 6749 §3.3: the token response says what was granted.
    assert tokens["scope"] == "openid profile"
    assert Consent.objects.get(user=world.rita, client=nextcloud.client).scopes == "openid profile"
    assert "code" in _error_sent_back(again)


def test_the_authorization_response_names_the_issuer(client, world, nextcloud):
    client.force_login(world.rita)

    query = consent(client, authorize_params(nextcloud))

    assert query["iss"] == "http://testserver"


def _error_sent_back(response) -> dict[str, list[str]]:
    """The authorization response the browser is sent back to the service with."""
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(f"{REDIRECT}?"), location
    return parse_qs(urlsplit(location).query)


@pytest.mark.parametrize(
    ("signed_in", "params", "error"),
    [
        (False, {"prompt": "none"}, "login_required"),
        (True, {"prompt": "none"}, "consent_required"),
        (True, {"scope": "wallet phone"}, "invalid_scope"),
        (True, {"response_type": "token"}, "unauthorized_client"),
        (True, {"response_type": "code id_token"}, "unauthorized_client"),
        (True, {"response_mode": "fragment"}, "invalid_request"),
        (True, {"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        (True, {"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        (True, {"request_uri": "https://files.mcc.example.org/r/1"}, "request_uri_not_supported"),
        # oauthlib raises this one without the request: it reached Django's bare 400.
        (True, {"claims": "{"}, "invalid_request"),
    ],
)
def test_an_authorization_error_names_the_issuer_too(
    client, world, nextcloud, signed_in, params, error
):
    # RFC 9207 §2: errors sent back to the service are authorization responses as well. A
    # library that checks iss, as discovery tells it to (openid-client does), would take
    # a refusal without it for a forged response and never see the error.
    if signed_in:
        client.force_login(world.rita)

    query = _error_sent_back(client.get(AUTHORIZE, authorize_params(nextcloud, **params)))

    assert query["error"] == [error]
    assert query["state"] == ["state-123"]
    assert query["iss"] == ["http://testserver"]


def test_an_openid_request_without_a_redirect_uri_is_refused_on_a_page(client, world, nextcloud):
    # OpenID Connect Core §3.1.2.1 requires redirect_uri even when the client registered
    # one address; the resident is told, and the service is sent nothing.
    client.force_login(world.rita)
    consent(client, authorize_params(nextcloud))  # agreed before: a code would follow

    page = client.get(AUTHORIZE, authorize_params(nextcloud, redirect_uri=None))
    plain_oauth = client.get(
        AUTHORIZE, authorize_params(nextcloud, redirect_uri=None, scope="profile")
    )

    assert page.status_code == 400
    assert "has no redirect_uri" in page.content.decode()
    # RFC 6749 §3.1.2.3 lets a plain OAuth request use the one registered address.
    assert "code" in _error_sent_back(plain_oauth)


def test_a_request_object_is_refused_not_ignored(client, world, nextcloud):
    # OpenID Connect Core §6: what a service puts in a request object (acr_values,
    # max_age, claims) would otherwise be dropped without its knowing; no code is issued.
    client.force_login(world.rita)
    consent(client, authorize_params(nextcloud))  # agreed before, so a code would follow

    for name, value in (("request", "eyJhbGciOiJub25lIn0.e30."), ("request_uri", "urn:r:1")):
        query = _error_sent_back(
            client.get(AUTHORIZE, authorize_params(nextcloud, **{name: value}))
        )
        assert "code" not in query
        assert query["error"] == [f"{name}_not_supported"]


def _silently(client, nextcloud, **params) -> dict[str, list[str]]:
    """A silent authorization request (prompt=none) for a resident who agreed before."""
    response = client.get(AUTHORIZE, authorize_params(nextcloud, prompt="none", **params))
    return _error_sent_back(response)


def test_an_id_token_hint_of_the_resident_signed_in_gets_a_code(client, world, nextcloud):
    client.force_login(world.rita)
    id_token = sign_in_to(client, nextcloud)["id_token"]

    query = _silently(client, nextcloud, id_token_hint=id_token)

    assert "code" in query, query


def test_an_expired_id_token_hint_is_still_a_hint(client, world, nextcloud, settings):
    # Issued already expired: a service's ID token from last week is a hint all the same.
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ID_TOKEN_EXPIRE_SECONDS": -60}
    client.force_login(world.rita)
    id_token = sign_in_to(client, nextcloud)["id_token"]
    payload = id_token.split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "=="))["exp"] < time.time()

    query = _silently(client, nextcloud, id_token_hint=id_token)

    assert "code" in query, query


def test_a_hint_signed_with_a_retired_key_still_counts(
    client, world, nextcloud, settings, tmp_path
):
    client.force_login(world.rita)
    id_token = sign_in_to(client, nextcloud)["id_token"]
    rotate_signing_key(settings, tmp_path / "keys")

    query = _silently(client, nextcloud, id_token_hint=id_token)

    assert "code" in query, query


def test_a_hint_issued_to_another_service_gets_login_required(client, world, nextcloud):
    chat = make_client(world.cct_service)
    client.force_login(world.rita)
    sign_in_to(client, nextcloud)
    for_chat = sign_in_to(client, chat)["id_token"]

    query = _silently(client, nextcloud, id_token_hint=for_chat)

    assert query["error"] == ["login_required"]


def test_an_id_token_hint_of_someone_else_gets_login_required(client, world, nextcloud):
    client.force_login(world.rita)
    ritas = sign_in_to(client, nextcloud)["id_token"]
    client.force_login(world.carol)
    sign_in_to(client, nextcloud)  # Carol has agreed too: only the hint stands in the way

    query = _silently(client, nextcloud, id_token_hint=ritas)

    assert "code" not in query
    assert query["error"] == ["login_required"]
    assert query["iss"] == ["http://testserver"]


def test_a_claims_parameter_naming_a_sub_gets_a_code_only_for_that_resident(
    client, world, nextcloud
):
    client.force_login(world.rita)
    ritas_sub = verified_claims(
        client, sign_in_to(client, nextcloud)["id_token"], nextcloud.client.client_id
    )["sub"]
    client.force_login(world.carol)
    sign_in_to(client, nextcloud)

    def asking_for(sub):
        return json.dumps({"id_token": {"sub": {"value": sub}}})

    for_rita = _silently(client, nextcloud, claims=asking_for(ritas_sub))
    client.force_login(world.rita)
    for_rita_as_rita = _silently(client, nextcloud, claims=asking_for(ritas_sub))

    assert for_rita["error"] == ["login_required"]
    assert "code" in for_rita_as_rita, for_rita_as_rita


@pytest.mark.parametrize(
    "hint",
    ["not-a-token", "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.", "a.b.c"],
)
def test_a_hint_the_region_never_issued_gets_login_required(client, world, nextcloud, hint):
    client.force_login(world.rita)
    sign_in_to(client, nextcloud)

    query = _silently(client, nextcloud, id_token_hint=hint)

    assert "code" not in query
    assert query["error"] == ["login_required"]


def test_an_authorization_request_by_post_is_seen_again_as_a_get(client, world, nextcloud):
    # OpenID Connect Core §3.1.2.1: the endpoint takes the request by POST as well, from a
    # form on the service's own site (which has no token of the region's).
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    consent(browser, authorize_params(nextcloud))  # agreed before
    params = authorize_params(nextcloud)

    posted = browser.post(AUTHORIZE, params)

    assert posted.status_code == 303
    location = urlsplit(posted["Location"])
    assert location.path == AUTHORIZE
    assert {k: v[0] for k, v in parse_qs(location.query).items()} == params
    assert "code" in _error_sent_back(browser.get(posted["Location"]))


def test_a_request_by_post_too_long_for_an_address_is_refused_on_a_page(
    client, world, nextcloud, settings
):
    # Turned into a GET, it would be refused by the server before any page could say why.
    client.force_login(world.rita)
    params = authorize_params(nextcloud, state="s" * settings.LONGEST_REQUEST_LINE)

    page = client.post(AUTHORIZE, params)

    assert page.status_code == 400
    assert "more than the 8,190 the region reads" in page.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_posted_without_the_forms_token_only_asks_again(client, world, nextcloud):
    # Another site's form saying "allow" for the resident is, at most, a request to be
    # asked: nothing is agreed to and no code is sent.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    page = browser.get(AUTHORIZE, authorize_params(nextcloud))
    forged = {k: v for k, v in consent_form_data(page).items() if k != "csrfmiddlewaretoken"}

    posted = browser.post(AUTHORIZE, {**forged, "allow": "Authorize"})
    asked = browser.get(posted["Location"])

    assert posted.status_code == 303
    assert asked.status_code == 200
    assert "Sign in to" in asked.content.decode()
    assert not Consent.objects.filter(user=world.rita, client=nextcloud.client).exists()


def test_the_consent_form_is_checked_for_its_token(client, world, nextcloud):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    page = browser.get(AUTHORIZE, authorize_params(nextcloud))
    data = {**consent_form_data(page), "allow": "Authorize"}

    wrong = browser.post(AUTHORIZE, {**data, "csrfmiddlewaretoken": "x" * 64})
    right = browser.post(AUTHORIZE, data)

    assert wrong.status_code == 403
    assert "code" in _error_sent_back(right)


def test_userinfo_refuses_a_token_in_the_query_string(client, world, nextcloud):
    client.force_login(world.rita)
    token = exchange(
        client, nextcloud, consent(client, authorize_params(nextcloud))["code"]
    ).json()["access_token"]
    service = Client()  # the service's own requests carry no browser session

    in_query = service.get(reverse("oauth2_provider:user-info"), {"access_token": token})
    in_header = service.get(
        reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert in_query.status_code == 400
    assert in_query.json()["error"] == "invalid_request"
    assert in_header.status_code == 200


def test_userinfo_answers_a_post_as_well_as_a_get(client, world, nextcloud):
    # OpenID Connect Core §5.3.1: a service may ask with either; it posts without any
    # browser's CSRF cookie.
    client.force_login(world.rita)
    token = exchange(
        client, nextcloud, consent(client, authorize_params(nextcloud))["code"]
    ).json()["access_token"]
    service = Client(enforce_csrf_checks=True)

    posted = service.post(
        reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert posted.status_code == 200
    assert posted.json()["preferred_username"] == "rita"


def test_discovery_says_what_the_region_does_and_nothing_it_does_not(client, world):
    config = client.get("/.well-known/openid-configuration").json()

    assert config["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert config["response_modes_supported"] == ["query", "form_post"]
    assert config["authorization_response_iss_parameter_supported"] is True
    assert config["backchannel_logout_supported"] is True
    assert config["backchannel_logout_session_supported"] is True
    assert config["acr_values_supported"] == list(ACR_VALUES)
    assert config["subject_types_supported"] == ["public", "pairwise"]
    assert config["claims_parameter_supported"] is True
    assert {"none", "login", "consent", "select_account", "create"} <= set(
        config["prompt_values_supported"]
    )
    assert {"sub", "sid", "auth_time", "amr", "acr"} <= set(config["claims_supported"])
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "offline_access" in config["scopes_supported"]
    # Public clients (no secret, PKCE) redeem and revoke with their client_id alone; only
    # a confidential client introspects.
    assert config["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]
    assert config["revocation_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ]
    assert config["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    # Omitted, request_uri_parameter_supported would default to true.
    assert config["request_parameter_supported"] is False
    assert config["request_uri_parameter_supported"] is False


def test_oauth_clients_find_the_same_metadata_at_rfc_8414s_address(client, world):
    openid = client.get("/.well-known/openid-configuration")
    oauth = client.get("/.well-known/oauth-authorization-server")

    assert oauth.status_code == 200
    assert oauth.json() == openid.json()
    assert oauth.json()["issuer"] == "http://testserver"
    assert oauth["Access-Control-Allow-Origin"] == "*"
