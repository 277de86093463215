"""A service asks for the region's multi-factor level and the resident steps up with a
WebAuthn security key, in real Chromium: a virtual authenticator (Chrome DevTools
Protocol) stands in for the key, registered through allauth's MFA pages like any other."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from playwright import sync_api

from solhost.identity.assurance import (
    ACR_MULTI_FACTOR,
    AMR_MULTI_FACTOR,
    AMR_PASSWORD,
    AMR_SECURITY_KEY,
    AMR_USER_PRESENCE,
)
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    exchange,
    make_client,
    verified_claims,
)
from solhost.test import PASSWORD, make_world

pytestmark = pytest.mark.e2e

# A USB key that answers at once, as a resident touching theirs would.
SECURITY_KEY = {
    "protocol": "ctap2",
    "transport": "usb",
    "hasResidentKey": False,
    "hasUserVerification": False,
    "automaticPresenceSimulation": True,
}


def test_a_service_asking_for_mfa_gets_the_resident_stepped_up_with_a_security_key(
    live_server, browser
):
    world = make_world()
    nextcloud = make_client(world.mcc_service)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    key = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": SECURITY_KEY})
    # The service's own pages: the code comes back there, and nowhere else is reached.
    page.route(f"{REDIRECT}*", lambda route: route.fulfill(body="MCC Files"))
    expect = sync_api.expect

    # WebAuthn needs a secure context, which plain http is only on "localhost".
    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.get_by_label("Email").fill("rita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('mfa_add_webauthn')}")
    # allauth asks for the password again before any change to the second factors.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    # The key's button does something only once allauth's script has run, at
    # DOMContentLoaded; the form's fields are there before, so wait for the page to load.
    page.wait_for_url(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$"))
    page.get_by_label("Name").fill("Blue key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("main")).to_contain_text("Recovery codes")
    assert len(devtools.send("WebAuthn.getCredentials", key)["credentials"]) == 1

    # Signed in with the password alone: the service's request needs the key.
    params = authorize_params(nextcloud, acr_values=ACR_MULTI_FACTOR)
    page.goto(f"{live_server.url}{reverse('oauth2_provider:authorize')}?{urlencode(params)}")
    # Straight to the key the resident has, not to the recovery codes made with it.
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_reauthenticate_webauthn"))))
    page.get_by_role("button", name="Use a security key").click()
    page.get_by_role("button", name="Continue to MCC Files").click()
    page.wait_for_url(f"{REDIRECT}*")
    code = parse_qs(urlsplit(page.url).query)["code"][0]
    context.close()

    tokens = exchange(Client(), nextcloud, code).json()
    claims = verified_claims(Client(), tokens["id_token"], nextcloud.client.client_id)
    assert claims["acr"] == ACR_MULTI_FACTOR
    assert claims["amr"] == [AMR_PASSWORD, AMR_SECURITY_KEY, AMR_USER_PRESENCE, AMR_MULTI_FACTOR]
