"""A key rotation as services see it: the new key is in the JWKS from the moment of the
rotation, signs from its time in every process with no restart, and the key before it
still vouches for what it signed."""

import base64
import datetime
import io
import json
import types

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwk, jwt

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import jwks
from solhost.identity.tests.oidc import make_client, own_key_folder, sign_in_to, verified_claims

JWKS = reverse("oauth2_provider:jwks-info")
LOGOUT = reverse("oauth2_provider:rp-initiated-logout")


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def kid_of(token: str) -> str:
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=="))["kid"]


def published_kids(client) -> list[str]:
    return [key["kid"] for key in client.get(JWKS).json()["keys"]]


def test_a_rotated_key_is_published_at_once_and_signs_from_its_time(
    world, nextcloud, settings, tmp_path, monkeypatch, client
):
    own_key_folder(settings, tmp_path / "keys", since=timezone.now() - datetime.timedelta(days=9))
    old = jwks.key_ring().active.public_jwk["kid"]
    call_command("oidc-keys", "rotate", stdout=io.StringIO())
    new = jwks.key_ring().upcoming[0].public_jwk["kid"]

    # Services that fetch the JWKS now hold the new key a day before its first token.
    assert published_kids(client) == [old, new]
    browser = Client()
    browser.force_login(world.rita)
    today = sign_in_to(browser, nextcloud)
    assert kid_of(today["id_token"]) == old

    # A day later (the ring's clock only: no process restarted, nothing re-read by hand).
    tomorrow = timezone.now() + datetime.timedelta(seconds=settings.OIDC_KEY_NOTICE_SECONDS + 60)
    monkeypatch.setattr(jwks, "timezone", types.SimpleNamespace(now=lambda: tomorrow))
    later = sign_in_to(browser, nextcloud)

    assert kid_of(later["id_token"]) == new
    assert published_kids(client) == [new, old]
    assert verified_claims(client, later["id_token"], nextcloud.client.client_id)["sub"]
    # The ID token from before the takeover still signs its session out.
    answer = browser.get(
        LOGOUT,
        {
            "id_token_hint": today["id_token"],
            "post_logout_redirect_uri": "https://files.mcc.example.org/",
        },
    )
    assert answer.status_code == 302
    assert "_auth_user_id" not in browser.session


def test_a_token_is_checked_with_the_published_key_it_names(db, settings, tmp_path):
    # DOT reads back its own ID tokens (a JWT bearer token) with the key their header
    # names, the one before a rotation included; never with one the region doesn't publish.
    own_key_folder(settings, tmp_path / "keys", since=timezone.now() - datetime.timedelta(days=9))
    before = jwks.signing_key()
    call_command("oidc-keys", "rotate", stdout=io.StringIO())
    upcoming = jwks.key_ring().upcoming[0]
    stranger = jwk.JWK.generate(kty="RSA", size=2048)

    assert jwks.own_key_for(signed_with(before)).thumbprint() == before.thumbprint()
    found = jwks.own_key_for(signed_with(upcoming.private_jwk))
    assert found.thumbprint() == upcoming.private_jwk.thumbprint()
    assert jwks.own_key_for(signed_with(stranger)) is None
    assert jwks.own_key_for("not.a.token") is None


def signed_with(key) -> str:
    token = jwt.JWT(header={"alg": "RS256", "kid": key.thumbprint()}, claims={"sub": "x"})
    token.make_signed_token(key)
    return token.serialize()


def test_withdrawing_the_keys_replaces_them_all_at_once(
    world, nextcloud, settings, tmp_path, client
):
    own_key_folder(settings, tmp_path / "keys", since=timezone.now() - datetime.timedelta(days=9))
    call_command("oidc-keys", "rotate", stdout=io.StringIO())
    before = published_kids(client)
    browser = Client()
    browser.force_login(world.rita)
    old_id_token = sign_in_to(browser, nextcloud)["id_token"]
    old_files = sorted(path.name for path in (tmp_path / "keys").glob("rsa-*.pem"))

    output = io.StringIO()
    call_command("oidc-keys", "withdraw", "--yes", stdout=output)

    (kid,) = published_kids(client)
    assert kid not in before
    assert kid_of(sign_in_to(browser, nextcloud)["id_token"]) == kid
    for name in old_files:
        assert f"Withdrew {name}: deleted, no longer published." in output.getvalue()
    (new_file,) = (tmp_path / "keys").glob("rsa-*.pem")
    assert f"New signing key {new_file.name}, signing now." in output.getvalue()
    withdrawal = AuditEvent.objects.get(action=AuditAction.SIGNING_KEY_WITHDRAW)
    assert sorted(withdrawal.before["kids"]) == sorted(before)
    assert withdrawal.after == {"kids": [kid]}
    # An ID token signed before is no hint the region signed: refused, and no one is
    # signed out by it.
    answer = browser.get(LOGOUT, {"id_token_hint": old_id_token})
    assert answer.status_code == 400
    assert "_auth_user_id" in browser.session


def test_withdraw_asks_for_yes_first_and_changes_nothing_without_it(db, settings, tmp_path):
    own_key_folder(settings, tmp_path / "keys", since=timezone.now())
    before = sorted((tmp_path / "keys").glob("rsa-*.pem"))

    with pytest.raises(CommandError, match="Run it again with --yes to go ahead"):
        call_command("oidc-keys", "withdraw", stdout=io.StringIO())

    assert sorted((tmp_path / "keys").glob("rsa-*.pem")) == before
