"""A relying party signs a resident in against the real server, as Nextcloud or Forgejo would.

Authlib's OAuth2Session does the protocol with S256 PKCE; Chromium does the resident's
part (login form, consent). The relying party's pages are the site's home page with a
marker in the query, so the browser never needs another host; its front-channel logout
page is a small server of the test's own.
"""

import json
import secrets
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings as django_settings
from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet
from playwright import sync_api

from solhost.identity.models import ServiceClient
from solhost.identity.subjects import subject_for
from solhost.identity.tests.served import on_loopback
from solhost.test import PASSWORD, make_world
from solhost.tests.photographs import photograph

pytestmark = pytest.mark.e2e


class _FrontChannelLogout(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requested.append(parse_qs(urlsplit(self.path).query))
        body = b"<!doctype html><title>Signed out</title>"
        self.send_response(200)
        # As Front-Channel Logout 1.0 §2 asks of a service, so a sign-out is never cached.
        self.send_header("Cache-Control", "no-cache, no-store")
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def frontchannel_logout():
    """The relying party's front-channel logout page, on this machine's loopback: it notes
    the query of each request the resident's browser makes."""
    with on_loopback(_FrontChannelLogout) as server:
        server.requested = []
        server.uri = f"http://127.0.0.1:{server.server_port}/frontchannel-logout"
        yield server


def register_client(callback: str, after_logout: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(
        "oidc-client",
        "add",
        "--service",
        "mcc-files",
        "--redirect-uri",
        callback,
        "--post-logout-redirect-uri",
        after_logout,
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_a_relying_party_signs_a_resident_in_refreshes_and_signs_out(
    live_server, browser, frontchannel_logout
):
    world = make_world()
    world.mcc_server.locality = "Brunswick East"
    world.mcc_server.save()
    # Plain http is registered only for the loopback address (RFC 8252 §7.3), so the
    # relying party's pages are reached there rather than at "localhost".
    relying_party = live_server.url.replace("//localhost:", "//127.0.0.1:")
    callback_uri = f"{relying_party}/?rp=callback"
    after_logout = f"{relying_party}/?rp=signed-out"
    credentials = register_client(callback_uri, after_logout)
    # The command registers no logout address; a partner gives it on the client form.
    ServiceClient.objects.filter(client_id=credentials["client_id"]).update(
        frontchannel_logout_uri=frontchannel_logout.uri
    )
    shots = Path(django_settings.VAR_DIR) / "screenshots" / "identity"
    shots.mkdir(parents=True, exist_ok=True)

    rp = OAuth2Session(
        credentials["client_id"],
        credentials["client_secret"],
        scope="openid profile email groups offline_access",
        redirect_uri=callback_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    discovery = rp.get(
        f"{live_server.url}/.well-known/openid-configuration", withhold_token=True
    ).json()
    assert discovery["issuer"] == live_server.url
    assert "S256" in discovery["code_challenge_methods_supported"]
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48)
    authorize_url, _state = rp.create_authorization_url(
        discovery["authorization_endpoint"], nonce=nonce, code_verifier=verifier
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    expect = sync_api.expect

    page.goto(authorize_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email").fill("rita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to MCC Files?")
    expect(page.get_by_role("main")).to_contain_text("Merri Creek Computing")
    expect(page.get_by_role("main")).to_contain_text("Brunswick East")
    page.screenshot(path=shots / "consent.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=shots / "consent-narrow.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Continue to MCC Files").click()
    page.wait_for_url(lambda url: url.startswith(callback_uri))
    callback = page.url

    token = rp.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    keys = KeySet.import_key_set(rp.get(discovery["jwks_uri"], withhold_token=True).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": credentials["client_id"]},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(id_token.claims)
    service_client = ServiceClient.objects.get(client_id=credentials["client_id"])
    rita_sub = subject_for(world.rita, service_client)
    assert id_token.claims["sub"] == rita_sub

    userinfo = rp.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["sub"] == rita_sub
    assert userinfo["email"] == "rita@example.org"
    assert userinfo["email_verified"] is True

    refreshed = rp.refresh_token(discovery["token_endpoint"])
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert rp.get(discovery["userinfo_endpoint"]).json()["sub"] == rita_sub

    page.goto(f"{live_server.url}/accounts/connected/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected services and sessions")
    expect(page.get_by_role("main")).to_contain_text("MCC Files")
    page.screenshot(path=shots / "connected.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=shots / "connected-narrow.png", full_page=True)

    page.goto(
        f"{discovery['end_session_endpoint']}?"
        + urlencode(
            {
                "id_token_hint": token["id_token"],
                "post_logout_redirect_uri": after_logout,
                "state": "bye",
            }
        )
    )
    # Through the signed-out page, whose hidden frame signs the resident out of the
    # service in their browser too, and on to where the service asked (its script).
    page.wait_for_url(lambda url: url.startswith(after_logout))
    assert "state=bye" in page.url
    assert frontchannel_logout.requested == [
        {"iss": [discovery["issuer"]], "sid": [id_token.claims["sid"]]}
    ]
    page.goto(f"{live_server.url}/accounts/connected/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Signed in again, a new session: the old ID token names the session that ended, so
    # the region asks before signing this one out, and staying signed in keeps it.
    page.get_by_label("Email").fill("rita@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected services and sessions")
    page.goto(
        f"{discovery['end_session_endpoint']}?"
        + urlencode({"id_token_hint": token["id_token"], "post_logout_redirect_uri": after_logout})
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out of the region?")
    expect(page.get_by_role("main")).to_contain_text("MCC Files asked to sign you out.")
    photograph(page, "identity-logout-confirm")
    page.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are still signed in")
    expect(page.get_by_role("main")).to_contain_text("MCC Files may still have signed you out")
    photograph(page, "identity-logout-declined")
    page.goto(f"{live_server.url}/accounts/connected/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected services and sessions")

    # Close the relying party's kept-alive connection before the live server stops.
    rp.close()
    context.close()
    assert problems == []
