"""A service that needs a second factor asks for it (``acr_values`` or the ``claims``
parameter's ``acr``); the region steps the session up and says so in the ID token."""

import datetime
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.identity.assurance import (
    ACR_MULTI_FACTOR,
    ACR_PASSWORD,
    AMR_MULTI_FACTOR,
    AMR_ONE_TIME_CODE,
    AMR_PASSWORD,
)
from solhost.identity.models import SignedInSession
from solhost.identity.tests.oidc import (
    authorize_params,
    consent_form_data,
    exchange,
    make_client,
    query_of,
    verified_claims,
)
from solhost.identity.tests.test_session_claims import (
    authorization_code,
    current_totp_code,
    id_token_claims,
    sign_in_with_password,
    with_totp,
)
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page

AUTHORIZE = "oauth2_provider:authorize"
MULTI_FACTOR_ESSENTIAL = json.dumps(
    {"id_token": {"acr": {"essential": True, "values": [ACR_MULTI_FACTOR]}}}
)


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def test_acr_values_step_a_password_session_up_with_totp_and_back(client, world, nextcloud):
    sign_in_with_password(client, world.rita)
    # Set up after signing in: this session has used the password alone.
    secret = with_totp(world.rita)
    params = authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR)

    asked = client.get(reverse(AUTHORIZE), params)
    target = urlsplit(asked["Location"])
    assert target.path == reverse("mfa_reauthenticate")
    back_to = parse_qs(target.query)["next"][0]
    assert back_to.startswith(reverse(AUTHORIZE) + "?")
    answered = client.post(asked["Location"], {"code": current_totp_code(secret)})
    assert answered["Location"] == back_to

    claims = id_token_claims(client, nextcloud, acr_values=ACR_MULTI_FACTOR)
    assert claims["acr"] == ACR_MULTI_FACTOR
    assert claims["amr"] == [AMR_PASSWORD, AMR_ONE_TIME_CODE, AMR_MULTI_FACTOR]


def test_a_fresh_sign_in_confirmed_another_way_is_fresh_in_the_id_token(client, world, nextcloud):
    """The page asking for the password again offers the resident's other ways to confirm
    (allauth's reauthentication alternatives). Rita confirms with her authenticator app
    instead: the service asked for a sign-in within five minutes, and it gets an ID token
    whose ``auth_time`` says so, or a conforming library (openid-client, for one) would
    refuse it and she could never sign in that way."""
    sign_in_with_password(client, world.rita)
    secret = with_totp(world.rita)
    password_given_an_hour_ago(client)

    asked = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, max_age="300"))
    assert urlsplit(asked["Location"]).path == reverse("account_reauthenticate")
    page = client.get(asked["Location"])
    [another_way] = [alt["url"] for alt in page.context["reauthentication_alternatives"]]
    assert urlsplit(another_way).path == reverse("mfa_reauthenticate")
    back = client.post(another_way, {"code": current_totp_code(secret)})
    claims = id_token_claims(client, nextcloud, max_age="300")

    assert urlsplit(back["Location"]).path == reverse(AUTHORIZE)
    assert time.time() - claims["auth_time"] < 60
    assert claims["amr"] == [AMR_PASSWORD, AMR_ONE_TIME_CODE, AMR_MULTI_FACTOR]


def password_given_an_hour_ago(browser) -> int:
    """Move the browser's sign-in an hour back, as allauth and the region recorded it."""
    an_hour_ago = time.time() - 3600
    session = browser.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": an_hour_ago} for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    SignedInSession.objects.filter(session_key=session.session_key).update(
        authenticated_at=datetime.datetime.fromtimestamp(an_hour_ago, tz=datetime.UTC)
    )
    return int(an_hour_ago)


def test_an_essential_acr_claim_asks_for_the_second_factor_too(client, world, nextcloud):
    sign_in_with_password(client, world.rita)
    with_totp(world.rita)

    asked = client.get(
        reverse(AUTHORIZE), authorize_params(nextcloud, claims=MULTI_FACTOR_ESSENTIAL)
    )

    assert urlsplit(asked["Location"]).path == reverse("mfa_reauthenticate")


@pytest.mark.parametrize(
    "request_params",
    [
        {"acr_values": f"{ACR_MULTI_FACTOR} {ACR_PASSWORD}"},
        {"claims": json.dumps({"id_token": {"acr": {"values": [ACR_MULTI_FACTOR]}}})},
        {"acr_values": "urn:example:unknown-level"},
    ],
    ids=["password-also-accepted", "acr-not-essential", "unknown-level"],
)
def test_a_request_that_accepts_a_password_is_not_stepped_up(
    client, world, nextcloud, request_params
):
    sign_in_with_password(client, world.rita)
    with_totp(world.rita)

    claims = id_token_claims(client, nextcloud, **request_params)

    assert claims["acr"] == ACR_PASSWORD


def test_an_essential_acr_no_sign_in_can_meet_is_refused(client, world, nextcloud):
    sign_in_with_password(client, world.rita)
    silver = json.dumps({"id_token": {"acr": {"essential": True, "values": ["urn:x:silver"]}}})

    refused = query_of(client.get(reverse(AUTHORIZE), authorize_params(nextcloud, claims=silver)))

    assert refused["error"] == "unmet_authentication_requirements"
    assert ACR_MULTI_FACTOR in refused["error_description"]
    assert "code" not in refused


def test_a_multi_factor_session_asked_for_the_password_level_says_that_level(
    client, world, nextcloud
):
    secret = with_totp(world.rita)
    sign_in_with_password(client, world.rita)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    password_level = json.dumps(
        {"id_token": {"acr": {"essential": True, "values": [ACR_PASSWORD]}}}
    )

    claims = id_token_claims(client, nextcloud, claims=password_level)

    assert claims["acr"] == ACR_PASSWORD  # one of the values asked for (§5.5.1.1)
    assert AMR_MULTI_FACTOR in claims["amr"]  # and how the resident really signed in


def test_a_session_that_used_a_second_factor_goes_straight_through(client, world, nextcloud):
    secret = with_totp(world.rita)
    sign_in_with_password(client, world.rita)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    code = authorization_code(client, nextcloud, acr_values=ACR_MULTI_FACTOR)

    assert code


def test_without_a_second_factor_the_page_says_how_to_set_one_up(client, world, nextcloud):
    sign_in_with_password(client, world.rita)
    params = authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR)

    page = client.get(reverse(AUTHORIZE), params)

    assert page.status_code == 403
    assertContains(page, "MCC Files asks for a second factor", status_code=403)
    assertContains(page, f'href="{reverse("mfa_index")}"', status_code=403)
    assertContains(page, "acr_values=", status_code=403)  # the way back to the service
    assert_clean_page(page)


@pytest.mark.parametrize("has_totp", [True, False], ids=["totp-unused", "no-second-factor"])
def test_prompt_none_answers_unmet_authentication_requirements(client, world, nextcloud, has_totp):
    sign_in_with_password(client, world.rita)
    if has_totp:
        with_totp(world.rita)

    response = client.get(
        reverse(AUTHORIZE),
        authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR, prompt="none"),
    )

    query = query_of(response)
    assert query["error"] == "unmet_authentication_requirements"
    assert query["state"] == "state-123"


def test_a_consent_form_posted_past_the_step_up_gets_an_id_token_that_says_so(
    client, world, nextcloud
):
    """The request travels through the browser, which may drop ``acr_values`` on the way:
    whatever comes back, the signed ID token states how the session signed in, which
    is what services are told to check (docs/sso/README.md)."""
    sign_in_with_password(client, world.rita)
    with_totp(world.rita)
    asked = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR))
    assert urlsplit(asked["Location"]).path == reverse("mfa_reauthenticate")
    # The consent form of the same request without acr_values, posted instead.
    shown = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))
    form = {**consent_form_data(shown), "allow": "Authorize"}

    code = query_of(client.post(reverse(AUTHORIZE), form))["code"]
    tokens = exchange(client, nextcloud, code).json()

    claims = verified_claims(client, tokens["id_token"], nextcloud.client.client_id)
    assert claims["acr"] == ACR_PASSWORD
    assert claims["amr"] == [AMR_PASSWORD]


def test_a_password_given_again_does_not_carry_an_older_second_factor_forward(
    client, world, nextcloud
):
    """RFC 9470 §4: ``prompt=login`` (or ``max_age``) with the multi-factor level asks for
    one proof that meets both. Rita's second factor was hours ago: giving her password again
    now must not make an ID token say a second factor was used at this new ``auth_time``."""
    secret = with_totp(world.rita)
    # The app's code is good once per 30 seconds; the second proof is a recovery code.
    recovery_code = RecoveryCodes.activate(world.rita).get_unused_codes()[0]
    sign_in_with_password(client, world.rita)
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})
    params = authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR, prompt="login")

    asked = client.get(reverse(AUTHORIZE), params)
    assert urlsplit(asked["Location"]).path == reverse("account_reauthenticate")
    back = client.post(asked["Location"], {"password": PASSWORD})
    stepped = client.get(back["Location"])

    assert urlsplit(stepped["Location"]).path == reverse("mfa_reauthenticate")
    client.post(stepped["Location"], {"code": recovery_code})
    claims = id_token_claims(client, nextcloud, acr_values=ACR_MULTI_FACTOR)
    assert claims["acr"] == ACR_MULTI_FACTOR
    assert claims["amr"] == [AMR_PASSWORD, AMR_ONE_TIME_CODE, AMR_MULTI_FACTOR]


def test_an_essential_acr_added_to_a_consent_form_is_met_or_the_sign_in_fails(
    client, world, nextcloud
):
    """OpenID Connect Core §5.5.1.1: an essential ``acr`` the sign-in can't meet fails it.
    The consent form carries the claims parameter through the browser, where whoever holds
    it can put back the essential multi-factor level a step-up was asked for: no code
    follows, rather than an ID token stating a level the request did not accept."""
    sign_in_with_password(client, world.rita)
    with_totp(world.rita)
    shown = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))
    form = {**consent_form_data(shown), "allow": "Authorize", "claims": MULTI_FACTOR_ESSENTIAL}

    refused = query_of(client.post(reverse(AUTHORIZE), form))

    assert refused["error"] == "unmet_authentication_requirements"
    assert refused["state"] == "state-123"
    assert "code" not in refused
