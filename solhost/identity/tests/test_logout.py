"""RP-initiated logout: a service's request ends this browser's session only when its ID
token belongs to it; otherwise the resident is asked, and no service loses its tokens."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto import jwt
from oauth2_provider.utils import jwk_from_pem
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.models import AuditEvent
from solhost.identity import jwks
from solhost.identity.jwks import published_keys
from solhost.identity.models import SignedInSession
from solhost.identity.subjects import sid_for
from solhost.identity.tests.oidc import (
    SCOPES,
    introspect,
    make_client,
    new_signing_key_pem,
    refresh,
    rotate_signing_key,
    sign_in_to,
    verified_claims,
)
from solhost.web.tests.pages import assert_clean_page

LOGOUT = reverse("oauth2_provider:rp-initiated-logout")
AFTER = "https://files.mcc.example.org/"


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


@pytest.fixture
def chat(world):
    return make_client(world.cct_service)


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def active(registered, token: str) -> bool:
    return introspect(Client(), registered, token)["active"]


def resigned(registered, id_token: str, key=None, **changed) -> str:
    """The same ID token (same jti) with the ``changed`` claims, signed with ``key``: the
    region's own unless given."""
    claims = {**verified_claims(Client(), id_token, registered.client.client_id), **changed}
    key = key or jwks.signing_key()
    token = jwt.JWT(
        header={"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()}, claims=json.dumps(claims)
    )
    token.make_signed_token(key)
    return token.serialize()


def with_sid(registered, id_token: str, sid) -> str:
    """The same ID token, re-signed by the region with session ``sid`` as the client's
    co-op is shown it."""
    return resigned(registered, id_token, sid=sid_for(sid, registered.client))


def confirmation_form(page) -> dict:
    """What the page asking "Sign out of the region?" sends back, as a browser would."""
    initial = page.context["form"].initial
    return {
        **{name: value for name, value in initial.items() if value is not None},
        "csrfmiddlewaretoken": str(page.context["csrf_token"]),
    }


def logout_params(id_token: str, **extra) -> dict:
    return {"id_token_hint": id_token, "post_logout_redirect_uri": AFTER, "state": "bye", **extra}


def test_an_anonymous_request_with_a_residents_id_token_revokes_nothing(world, nextcloud, chat):
    rita = signed_in(world.rita)
    files, talk = sign_in_to(rita, nextcloud), sign_in_to(rita, chat)

    page = Client().get(LOGOUT, logout_params(files["id_token"]))

    assert page.status_code == 200
    assertContains(page, "You are not signed in")
    assertContains(page, 'method="post"')
    assertContains(page, "csrfmiddlewaretoken")
    assert_clean_page(page)
    assert active(nextcloud, files["access_token"])
    assert active(chat, talk["access_token"])
    assert "_auth_user_id" in rita.session
    assert not AuditEvent.objects.filter(action="identity.token.revoke").exists()


def test_continuing_without_a_session_goes_back_to_the_service_and_revokes_nothing(
    world, nextcloud
):
    files = sign_in_to(signed_in(world.rita), nextcloud)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(LOGOUT, logout_params(files["id_token"]))
    form = confirmation_form(page)

    answer = anonymous.post(LOGOUT, {**form, "allow": "on"})

    assert answer.status_code == 302
    assert answer["Location"] == f"{AFTER}?state=bye"
    assert active(nextcloud, files["access_token"])


def test_the_confirmation_needs_its_csrf_token(world, nextcloud):
    files = sign_in_to(signed_in(world.rita), nextcloud)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.alice)

    answer = browser.post(
        LOGOUT,
        {"id_token_hint": files["id_token"], "allow": "on", "csrfmiddlewaretoken": "forged"},
    )

    assert answer.status_code == 403
    assert "_auth_user_id" in browser.session


def test_a_services_sign_out_request_by_post_is_seen_again_as_a_get(world, nextcloud):
    """RP-Initiated Logout §2: by POST too, from the service's own page, which carries no
    token of the region's; judged exactly as the same request by GET."""
    rita = signed_in(world.rita)
    rita.handler.enforce_csrf_checks = True
    files = sign_in_to(rita, nextcloud)

    answer = rita.post(LOGOUT, logout_params(files["id_token"]))

    assert answer.status_code == 303
    assert answer["Location"].startswith(f"{LOGOUT}?") and "id_token_hint=" in answer["Location"]
    signed_out = rita.get(answer["Location"])
    assert signed_out["Location"] == f"{AFTER}?state=bye"
    assert "_auth_user_id" not in rita.session
    assert not active(nextcloud, files["access_token"])


def test_the_id_token_of_this_session_signs_it_out_and_revokes_what_it_was_given(
    world, nextcloud, chat
):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    # Kept while Rita is away (offline_access), so her session's end does not revoke them.
    talk = sign_in_to(rita, chat, scope=f"{SCOPES} offline_access")
    alices = sign_in_to(signed_in(world.alice), nextcloud)

    answer = rita.get(LOGOUT, logout_params(files["id_token"]))

    assert answer.status_code == 302
    assert answer["Location"] == f"{AFTER}?state=bye"
    assert "_auth_user_id" not in rita.session
    assert not active(nextcloud, files["access_token"])
    # Another service, and another resident at the same service, keep theirs.
    assert active(chat, talk["access_token"])
    assert active(nextcloud, alices["access_token"])
    events = AuditEvent.objects.filter(actor=world.rita)
    assert events.filter(action="identity.logout.by_service").count() == 1
    revoked = events.get(action="identity.token.revoke")
    assert revoked.object_id == str(nextcloud.client.pk) and "tokens revoked" in revoked.note
    assert events.filter(action="identity.logout").count() == 1


def test_signing_out_of_a_service_in_one_browser_keeps_its_tokens_in_another(world, nextcloud):
    laptop, phone = signed_in(world.rita), signed_in(world.rita)
    on_laptop = sign_in_to(laptop, nextcloud)
    # The service's sync client on the laptop, kept while Rita is away.
    syncing = sign_in_to(laptop, nextcloud, scope=f"{SCOPES} offline_access")
    on_phone = sign_in_to(phone, nextcloud)

    answer = laptop.get(LOGOUT, logout_params(on_laptop["id_token"]))

    assert answer.status_code == 302 and "_auth_user_id" not in laptop.session
    assert not active(nextcloud, on_laptop["access_token"])
    assert active(nextcloud, on_phone["access_token"])
    assert "_auth_user_id" in phone.session
    assert active(nextcloud, syncing["access_token"])
    assert refresh(Client(), nextcloud, syncing["refresh_token"]).status_code == 200


def test_an_id_token_signed_before_a_key_rotation_signs_this_session_out(
    world, nextcloud, settings, tmp_path
):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    rotate_signing_key(settings, tmp_path / "keys")

    answer = rita.get(LOGOUT, logout_params(files["id_token"]))

    assert answer.status_code == 302
    assert answer["Location"] == f"{AFTER}?state=bye"
    assert "_auth_user_id" not in rita.session


def test_an_id_token_signed_with_a_key_retired_days_ago_still_signs_this_session_out(
    world, nextcloud, settings, client, tmp_path
):
    # A service's own session outlives the hour its ID token is valid: it signs its resident
    # out with the ID token from sign-in, whose key the region no longer publishes.
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    old_kid = jwks.signing_key().thumbprint()
    rotate_signing_key(settings, tmp_path / "keys", ago=datetime.timedelta(days=3))
    assert [key.public_jwk["kid"] for key in jwks.key_ring().hint_checking] == [old_kid]
    published = client.get(reverse("oauth2_provider:jwks-info")).json()["keys"]
    assert old_kid not in [key["kid"] for key in published]

    answer = rita.get(LOGOUT, logout_params(files["id_token"]))

    assert answer.status_code == 302
    assert answer["Location"] == f"{AFTER}?state=bye"
    assert "_auth_user_id" not in rita.session


def test_an_id_token_from_another_site_of_the_region_signs_this_session_out(world, nextcloud):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    # The same claims as another site signs them, with its own key, which the region
    # publishes beside this site's (sites.keys.registered_sites_keys does at a site).
    other_site = jwk_from_pem(new_signing_key_pem())
    public = {"alg": "RS256", "use": "sig", "kid": other_site.thumbprint()}
    public.update(json.loads(other_site.export_public()))
    token = resigned(nextcloud, files["id_token"], key=other_site)
    published_keys.connect(lambda sender, **kwargs: [public], dispatch_uid="other-site", weak=False)
    try:
        answer = rita.get(LOGOUT, logout_params(token))
    finally:
        published_keys.disconnect(dispatch_uid="other-site")

    assert answer.status_code == 302
    assert answer["Location"] == f"{AFTER}?state=bye"
    assert "_auth_user_id" not in rita.session


def test_an_id_token_signed_with_a_key_the_region_does_not_publish_is_refused(world, nextcloud):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    stranger = jwk_from_pem(new_signing_key_pem())

    answer = rita.get(LOGOUT, logout_params(resigned(nextcloud, files["id_token"], stranger)))

    assert answer.status_code == 400
    assert "_auth_user_id" in rita.session


def test_an_id_token_naming_this_sessions_sid_signs_it_out(world, nextcloud):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    this_session = SignedInSession.objects.get(session_key=rita.session.session_key)

    answer = rita.get(
        LOGOUT, logout_params(with_sid(nextcloud, files["id_token"], this_session.sid))
    )

    assert answer.status_code == 302
    assert "_auth_user_id" not in rita.session


def test_an_id_token_of_another_session_of_the_same_resident_asks_first(world, nextcloud):
    laptop, phone = signed_in(world.rita), signed_in(world.rita)
    files = sign_in_to(laptop, nextcloud)
    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)

    page = phone.get(LOGOUT, logout_params(with_sid(nextcloud, files["id_token"], laptops.sid)))

    assert page.status_code == 200
    assertContains(page, "Sign out of the region?")
    assert "_auth_user_id" in phone.session and "_auth_user_id" in laptop.session
    assert active(nextcloud, files["access_token"])


def test_a_hint_for_someone_else_asks_and_signing_out_revokes_nothing(world, nextcloud):
    alices = sign_in_to(signed_in(world.alice), nextcloud)
    rita = signed_in(world.rita)
    # Kept while Rita is away (offline_access): only a hint could revoke them here.
    ritas = sign_in_to(rita, nextcloud, scope=f"{SCOPES} offline_access")

    page = rita.get(LOGOUT, logout_params(alices["id_token"]))

    assert page.status_code == 200
    assertContains(page, "Sign out of the region?")
    assertContains(page, "MCC Files asked to sign you out")
    assert_clean_page(page)
    # The answer redirects to the service: the form may go there, and nowhere else.
    assert "form-action 'self' https://files.mcc.example.org;" in page["Content-Security-Policy"]
    form = confirmation_form(page)

    answer = rita.post(LOGOUT, {**form, "allow": "on"})

    assert answer.status_code == 302
    assert "_auth_user_id" not in rita.session
    assert active(nextcloud, alices["access_token"])
    assert active(nextcloud, ritas["access_token"])
    assert not AuditEvent.objects.filter(action="identity.token.revoke").exists()
    assert AuditEvent.objects.filter(action="identity.logout", actor=world.rita).exists()


def test_staying_signed_in_keeps_the_session(world, nextcloud):
    rita = signed_in(world.rita)
    files = sign_in_to(rita, nextcloud)
    page = rita.get(LOGOUT, {"client_id": nextcloud.client.client_id})
    form = confirmation_form(page)

    answer = rita.post(LOGOUT, form)

    assertContains(answer, "You are still signed in")
    assert "_auth_user_id" in rita.session
    assert active(nextcloud, files["access_token"])


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "no-such-client"},
        {"id_token_hint": "not.a.token"},
        {"post_logout_redirect_uri": "https://elsewhere.example.org/"},
        # Addresses urllib can't read: no client registered them.
        {"post_logout_redirect_uri": "https://[files.mcc.example.org/"},
        {"post_logout_redirect_uri": "https://files.mcc.example.org:99999/"},
    ],
)
def test_a_bad_request_is_refused_plainly(world, nextcloud, params):
    rita = signed_in(world.rita)
    if "post_logout_redirect_uri" in params:
        params = {**params, "client_id": nextcloud.client.client_id}

    page = rita.get(LOGOUT, params)

    assert page.status_code == 400
    assertContains(page, "This sign-out cannot go ahead", status_code=400)
    assertNotContains(page, "Sign out of the region?", status_code=400)
    assert "_auth_user_id" in rita.session


def test_an_unapproved_client_can_not_send_anyone_to_its_address_after_sign_out(world):
    """A client the steward has not approved is unknown to the protocol (is_usable):
    its address after sign-out is not one the region sends residents to."""
    pending = make_client(world.mcc_service, approved=False)
    params = {"client_id": pending.client.client_id, "post_logout_redirect_uri": AFTER}
    visitor = signed_in(world.rita)

    page = visitor.get(LOGOUT, params)
    # A confirmation sent by hand (a service's request by POST is seen again as a GET).
    answer = visitor.post(LOGOUT, {**params, "allow": "on", "csrfmiddlewaretoken": "from the page"})

    assertContains(page, "This sign-out cannot go ahead", status_code=400)
    assert answer.status_code == 400 and "Location" not in answer
    assert "_auth_user_id" in visitor.session


def test_a_bad_request_says_in_words_what_happened_and_keeps_the_details_for_developers(
    world, nextcloud
):
    page = Client().get(LOGOUT, {"id_token_hint": "not.a.token"})

    assertContains(page, "Nothing was signed out.", status_code=400)
    assertContains(page, "nothing to sign out of here", status_code=400)
    # The library's words and the error code, folded away for the service's developers.
    assertContains(
        page,
        '<details class="for-developers"><summary>For the service&#x27;s developers</summary>'
        "<p><code>invalid_request</code>: The ID Token is expired, revoked, malformed, or "
        "otherwise invalid.</p></details>",
        html=True,
        status_code=400,
    )


def test_a_sign_out_link_that_names_no_service_says_so(world):
    page = signed_in(world.rita).get(LOGOUT)

    assertContains(page, "A link asked to sign you out of the region.")
    assertNotContains(page, "A service")
    assert_clean_page(page)
    anonymous = Client().get(LOGOUT)
    assertContains(anonymous, "No one is signed in to the region in this browser.")
    assertContains(anonymous, "Continue to the home page")
