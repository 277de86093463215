"""The authorization code flow, step by step, with the checks of the OpenID Foundation's
basic OP test plan: every error answers as the specifications say, never with a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from solhost.core.models import AuditEvent
from solhost.identity.models import Consent, SignedInSession
from solhost.identity.subjects import subject_for
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    consent,
    consent_form_data,
    exchange,
    make_client,
    pkce_pair,
    query_of,
    verified_claims,
)
from solhost.web.tests.pages import assert_clean_page

AUTHORIZE = "oauth2_provider:authorize"


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


@pytest.fixture
def app(world):
    return make_client(world.mcc_service, public=True)


def sign_in_code(client, registered, **overrides) -> str:
    query = consent(client, authorize_params(registered, **overrides))
    assert query["state"] == "state-123"
    return query["code"]


def test_discovery_advertises_what_relying_parties_need(client, world):
    config = client.get("/.well-known/openid-configuration").json()

    assert config["issuer"] == "http://testserver"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "profile", "email", "groups"} <= set(config["scopes_supported"])
    assert {"sub", "preferred_username", "name", "email", "email_verified", "groups"} <= set(
        config["claims_supported"]
    )
    assert config["response_types_supported"] == ["code"]
    for endpoint in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
    ):
        assert config[endpoint].startswith("http://testserver/")
    assert "RS256" in config["id_token_signing_alg_values_supported"]


def test_the_jwks_publishes_an_rs256_key_with_a_key_id(client, world):
    keys = client.get(reverse("oauth2_provider:jwks-info")).json()["keys"]

    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in keys)
    assert all("d" not in k for k in keys)


def test_a_resident_consents_once_and_the_service_gets_their_claims(client, world, nextcloud):
    client.force_login(world.alice)

    code = sign_in_code(client, nextcloud)
    tokens = exchange(client, nextcloud, code).json()
    claims = verified_claims(client, tokens["id_token"], nextcloud.client.client_id)

    assert claims["iss"] == "http://testserver"
    assert claims["sub"] == subject_for(world.alice, nextcloud.client)
    assert claims["nonce"] == "nonce-456"
    assert claims["preferred_username"] == "alice"
    assert claims["email"] == "alice@example.org"
    assert claims["email_verified"] is True
    assert claims["groups"] == ["mcc:partner_admin"]
    userinfo = client.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
    ).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["groups"] == ["mcc:partner_admin"]
    # Remembered: the next sign-in goes straight back to the service.
    again = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, state="s2"))
    assert query_of(again)["code"]
    assert Consent.objects.get(user=world.alice).scopes == "email groups openid profile"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"identity.consent.give", "identity.token.issue"} <= actions


def test_claims_follow_the_scopes_granted(client, world, nextcloud):
    client.force_login(world.rita)
    code = sign_in_code(client, nextcloud, scope="openid")

    claims = verified_claims(
        client, exchange(client, nextcloud, code).json()["id_token"], nextcloud.client.client_id
    )

    assert claims["sub"] == subject_for(world.rita, nextcloud.client)
    assert "email" not in claims and "groups" not in claims


def test_the_consent_page_says_who_runs_the_service_and_where(client, world, nextcloud):
    world.mcc_server.locality = "Brunswick East"
    world.mcc_server.save()
    client.force_login(world.rita)

    page = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))

    assertContains(page, "Merri Creek Computing")
    assertContains(page, "Brunswick East")
    assertContains(page, "not yet evaluated")
    assertContains(page, "your email address (email)")
    assertContains(page, "Sign in to MCC Files?")
    assert_clean_page(page)


def test_a_refusal_sends_access_denied_back(client, world, nextcloud):
    client.force_login(world.rita)
    page = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))

    query = query_of(client.post(reverse(AUTHORIZE), consent_form_data(page)))  # no "allow"

    assert query["error"] == "access_denied"
    assert query["iss"] == "http://testserver"  # RFC 9207: errors name the issuer too
    assert not Consent.objects.exists()


def test_a_wrong_redirect_uri_is_never_followed(client, world, nextcloud):
    client.force_login(world.rita)

    for wrong in (REDIRECT + "/evil", "https://evil.example.org/cb", REDIRECT.upper()):
        page = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, redirect_uri=wrong))
        assert page.status_code == 400
        assertContains(page, "This sign-in cannot go ahead", status_code=400)


def test_an_unknown_client_gets_an_error_page(client, world):
    client.force_login(world.rita)

    page = client.get(
        reverse(AUTHORIZE),
        {
            "response_type": "code",
            "client_id": "nobody",
            "redirect_uri": REDIRECT,
            "scope": "openid",
        },
    )

    assertContains(page, "This sign-in cannot go ahead", status_code=400)


def test_an_unapproved_client_is_refused_with_a_clear_page(client, world):
    pending = make_client(world.mcc_service, approved=False)
    client.force_login(world.rita)

    page = client.get(reverse(AUTHORIZE), authorize_params(pending))

    assertContains(page, "has not yet approved", status_code=403)
    token = client.post(
        reverse("oauth2_provider:token"),
        {
            "grant_type": "authorization_code",
            "code": "x",
            "redirect_uri": REDIRECT,
            "client_id": pending.client.client_id,
            "client_secret": pending.secret,
        },
    )
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"


def test_a_code_works_once(client, world, nextcloud):
    client.force_login(world.rita)
    code = sign_in_code(client, nextcloud)
    assert exchange(client, nextcloud, code).status_code == 200

    reused = exchange(client, nextcloud, code)

    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_a_public_client_must_use_pkce(client, world, app):
    client.force_login(world.rita)

    query = query_of(client.get(reverse(AUTHORIZE), authorize_params(app)))

    assert query["error"] == "invalid_request"
    assert query["state"] == "state-123"


def test_only_the_s256_method_is_accepted(client, world, app):
    client.force_login(world.rita)
    verifier, _ = pkce_pair()

    query = query_of(
        client.get(
            reverse(AUTHORIZE),
            authorize_params(app, code_challenge=verifier, code_challenge_method="plain"),
        )
    )

    assert query["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("verifier", "error"),
    [
        # A missing required parameter (RFC 6749 5.2), a verifier that does not match (RFC 7636 4.6).
        (None, "invalid_request"),
        ("a-wrong-verifier-that-is-long-enough-to-be-valid-43", "invalid_grant"),
    ],
)
def test_a_missing_or_wrong_verifier_gets_no_tokens(client, world, app, verifier, error):
    client.force_login(world.rita)
    _, challenge = pkce_pair()
    code = sign_in_code(client, app, code_challenge=challenge, code_challenge_method="S256")

    response = exchange(client, app, code, code_verifier=verifier)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_the_right_verifier_gets_tokens(client, world, app):
    client.force_login(world.rita)
    verifier, challenge = pkce_pair()
    code = sign_in_code(
        client,
        app,
        code_challenge=challenge,
        code_challenge_method="S256",
        scope="openid offline_access",
    )

    response = exchange(client, app, code, code_verifier=verifier)

    assert response.status_code == 200
    assert {"access_token", "refresh_token", "id_token"} <= set(response.json())


def test_prompt_none_without_a_session_answers_login_required(client, world, nextcloud):
    response = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, prompt="none"))

    assert response["Location"].startswith(REDIRECT + "?")
    query = query_of(response)
    assert query["error"] == "login_required"
    assert query["state"] == "state-123"


def test_prompt_none_without_consent_answers_consent_required(client, world, nextcloud):
    client.force_login(world.rita)

    query = query_of(client.get(reverse(AUTHORIZE), authorize_params(nextcloud, prompt="none")))

    assert query["error"] == "consent_required"


def test_prompt_none_with_consent_signs_in_silently(client, world, nextcloud):
    client.force_login(world.rita)
    sign_in_code(client, nextcloud)

    query = query_of(client.get(reverse(AUTHORIZE), authorize_params(nextcloud, prompt="none")))

    assert query["code"]


def test_max_age_asks_for_the_password_again_when_the_login_is_too_old(client, world, nextcloud):
    client.force_login(world.rita)
    SignedInSession.objects.filter(user=world.rita).update(
        authenticated_at=timezone.now() - datetime.timedelta(hours=2)
    )

    response = client.get(reverse(AUTHORIZE), authorize_params(nextcloud, max_age="600"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    # Proving it again keeps the session (and its sid).
    assert client.session["_auth_user_id"] == str(world.rita.pk)
    silent = client.get(
        reverse(AUTHORIZE), authorize_params(nextcloud, max_age="600", prompt="none")
    )
    assert query_of(silent)["error"] == "login_required"


def test_max_age_gives_an_auth_time_within_it(client, world, nextcloud):
    client.force_login(world.rita)
    code = sign_in_code(client, nextcloud, max_age="600")

    claims = verified_claims(
        client, exchange(client, nextcloud, code).json()["id_token"], nextcloud.client.client_id
    )

    assert claims["auth_time"] >= timezone.now().timestamp() - 600


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(client, world, nextcloud):
    client.force_login(world.rita)
    code = sign_in_code(client, nextcloud, scope="openid offline_access")
    first = exchange(client, nextcloud, code).json()
    from solhost.identity.tests.oidc import basic_auth

    def refresh(token):
        return client.post(
            reverse("oauth2_provider:token"),
            {"grant_type": "refresh_token", "refresh_token": token},
            **basic_auth(nextcloud),
        )

    second = refresh(first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]

    replay = refresh(first["refresh_token"])
    assert replay.json()["error"] == "invalid_grant"
    # The thief's replay also kills the token the legitimate holder got.
    assert refresh(second.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_introspection_and_revocation(client, world, nextcloud):
    from solhost.identity.tests.oidc import basic_auth

    client.force_login(world.rita)
    tokens = exchange(client, nextcloud, sign_in_code(client, nextcloud)).json()

    def introspect():
        return client.post(
            reverse("oauth2_provider:introspect"),
            {"token": tokens["access_token"]},
            **basic_auth(nextcloud),
        ).json()

    assert introspect()["active"] is True
    revoked = client.post(
        reverse("oauth2_provider:revoke-token"),
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        **basic_auth(nextcloud),
    )
    assert revoked.status_code == 200
    assert introspect()["active"] is False
    assert AuditEvent.objects.filter(action="identity.token.revoke").count() == 1


def test_revoking_a_token_the_client_does_not_hold_records_nothing(client, world, nextcloud):
    """RFC 7009 answers 200 to a token nobody holds (or one already revoked); the trail
    says nothing was revoked, as anyone can name a public client."""
    from solhost.identity.tests.oidc import basic_auth

    client.force_login(world.rita)
    tokens = exchange(client, nextcloud, sign_in_code(client, nextcloud)).json()
    for token in ("no-such-token", tokens["access_token"], tokens["access_token"]):
        answer = client.post(
            reverse("oauth2_provider:revoke-token"), {"token": token}, **basic_auth(nextcloud)
        )
        assert answer.status_code == 200

    assert AuditEvent.objects.filter(action="identity.token.revoke").count() == 1


def test_rp_initiated_logout_ends_the_session(client, world, nextcloud):
    client.force_login(world.rita)
    tokens = exchange(client, nextcloud, sign_in_code(client, nextcloud)).json()

    response = client.get(
        reverse("oauth2_provider:rp-initiated-logout"),
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://files.mcc.example.org/",
            "state": "bye",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith("https://files.mcc.example.org/")
    assert "_auth_user_id" not in client.session


def test_each_sign_in_counts_once_a_day_as_usage(client, world, nextcloud):
    from solhost.metering.models import UsageEvent

    client.force_login(world.rita)
    exchange(client, nextcloud, sign_in_code(client, nextcloud))
    again = query_of(client.get(reverse(AUTHORIZE), authorize_params(nextcloud)))
    exchange(client, nextcloud, again["code"])

    events = UsageEvent.objects.filter(service=world.mcc_service)
    assert events.count() == 1
    assert events.get().resident == world.rita


def test_the_consent_form_may_answer_only_to_the_services_own_origin(client, world, nextcloud):
    client.force_login(world.rita)

    page = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))

    # Browsers check form-action against the redirect that carries the code.
    assert "form-action 'self' https://files.mcc.example.org;" in page["Content-Security-Policy"]
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_a_redirect_address_cannot_write_into_the_consent_pages_policy(client, world):
    # A phone app's own scheme leaves its "host" to the co-op: one holding a ";" would end
    # form-action there and add a directive of the co-op's choosing.
    app = "com.example.notes://cb;sandbox/done"
    phone = make_client(world.mcc_service, public=True, redirect=app)
    _verifier, challenge = pkce_pair()
    client.force_login(world.rita)

    page = client.get(
        reverse(AUTHORIZE),
        authorize_params(
            phone, redirect_uri=app, code_challenge=challenge, code_challenge_method="S256"
        ),
    )

    assert page.status_code == 200
    directives = [part.split()[0] for part in page["Content-Security-Policy"].split(";")]
    assert "sandbox" not in directives
    assert directives.count("form-action") == 1


def test_the_consent_page_gives_the_co_ops_latest_qualification(client, world, nextcloud):
    from solhost.qualification.models import QualificationRun

    QualificationRun.objects.create(
        organisation=world.mcc,
        at=datetime.date(2026, 10, 1),
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=True,
    )
    client.force_login(world.rita)

    page = client.get(reverse(AUTHORIZE), authorize_params(nextcloud))

    assertContains(page, "qualified (judged for 1 October 2026)")
