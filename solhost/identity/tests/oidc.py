"""Helpers for driving the provider as a relying party would, with Django's test client."""

import base64
import datetime
import hashlib
import json
import secrets
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk, jwt

from solhost.core.files import write_new
from solhost.identity import actions, jwks, subjects
from solhost.identity.signing_keys import PREFIX, STAMP, SUFFIX, generate_key, new_private_pem

REDIRECT = "https://files.mcc.example.org/apps/user_oidc/code"
SCOPES = "openid profile email groups"


def make_client(service, *, public=False, approved=True, redirect=REDIRECT):
    registered = actions.register_client(
        service=service,
        redirect_uris=[redirect],
        post_logout_redirect_uris=["https://files.mcc.example.org/"],
        public=public,
        actor=None,
    )
    if approved:
        actions.approve_client(client=registered.client, steward=None)
    return registered


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(registered, **overrides) -> dict:
    params = {
        "response_type": "code",
        "client_id": registered.client.client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "state-123",
        "nonce": "nonce-456",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def query_of(response) -> dict[str, str]:
    assert response.status_code == 302, response.content[:500]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def consent_form_data(page) -> dict:
    """The consent form on ``page`` as the browser posts it, its CSRF token included,
    without the answer ("allow")."""
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["csrfmiddlewaretoken"] = str(page.context["csrf_token"])
    return data


def consent(client, params: dict):
    """Show the consent page, then say yes; the redirect's query."""
    page = client.get(reverse("oauth2_provider:authorize"), params)
    assert page.status_code == 200, page.content[:500]
    data = {**consent_form_data(page), "allow": "Authorize"}
    return query_of(client.post(reverse("oauth2_provider:authorize"), data))


def basic_auth(registered) -> dict:
    pair = f"{registered.client.client_id}:{registered.secret}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode()}


def exchange(client, registered, code: str, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    headers = {}
    if registered.secret:
        headers = basic_auth(registered)
    else:
        data["client_id"] = registered.client.client_id
    data.update({k: v for k, v in extra.items() if v is not None})
    return client.post(reverse("oauth2_provider:token"), data, **headers)


def authorization_code(browser, registered, **params) -> str:
    """The code, from the consent page or straight away once the resident has consented."""
    params = authorize_params(registered, **params)
    response = browser.get(reverse("oauth2_provider:authorize"), params)
    if response.status_code == 302:
        return query_of(response)["code"]
    return consent(browser, params)["code"]


def sign_in_to(browser, registered, **params) -> dict:
    """Sign in to the service in the signed-in ``browser`` (consenting if asked), then
    redeem the code: the token response."""
    return exchange(browser, registered, authorization_code(browser, registered, **params)).json()


def refresh(client, registered, refresh_token: str, **params):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **params}
    return client.post(reverse("oauth2_provider:token"), data, **basic_auth(registered))


def verified_claims(client, id_token: str, audience: str) -> dict:
    keys = jwk.JWKSet.from_json(client.get(reverse("oauth2_provider:jwks-info")).content)
    token = jwt.JWT(jwt=id_token, key=keys, check_claims={"aud": audience, "exp": None})
    return json.loads(token.claims)


def introspect(client, registered, token: str) -> dict:
    return client.post(
        reverse("oauth2_provider:introspect"), {"token": token}, **basic_auth(registered)
    ).json()


def new_signing_key_pem() -> str:
    return new_private_pem().decode()


def own_key_folder(settings, folder: Path, *, since: datetime.datetime) -> None:
    """The site keeps its keys in ``folder`` (which must not exist), a test's own, from now
    on: it holds the key the site signed with, as signing from ``since``, and the secret
    pairwise subjects are made with, if there is one yet."""
    signed_with = jwks.key_ring().active
    folder.mkdir(mode=0o700)
    write_new(folder / f"{PREFIX}{since.strftime(STAMP)}{SUFFIX}", signed_with.pem.encode())
    # Made at the first pairwise sub: without one yet, none was given to keep.
    if subjects.pairwise_key_file().is_file():
        shutil.copy2(subjects.pairwise_key_file(), folder / subjects.KEY_FILE_NAME)
    settings.OIDC_KEY_DIR = folder


def rotate_signing_key(settings, folder: Path, *, ago=datetime.timedelta(0)) -> None:
    """The region signs with a new key from ``ago`` before now, in a key folder of the
    test's own (``folder``, see own_key_folder), and still has the one it signed with."""
    took_over = timezone.now() - ago
    own_key_folder(settings, folder, since=took_over - datetime.timedelta(days=1))
    generate_key(folder, signs_from=took_over)
