"""An account the steward deactivates (``is_active`` off) is signed out everywhere: its
sessions end, its tokens and codes are revoked, every service holding any is told by
back-channel logout, and nothing it was issued is honoured even where no revocation has
reached (a site of the region that learns of it by replication). Its consents stay, for
when the steward lets it in again."""

import pytest
from django.test import Client
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.identity.models import Consent, LogoutDelivery, SignedInSession
from solhost.identity.subjects import sid_for, subject_for
from solhost.identity.tests.oidc import (
    SCOPES,
    authorization_code,
    authorize_params,
    exchange,
    introspect,
    make_client,
    refresh,
    sign_in_to,
)
from solhost.identity.tests.test_backchannel_logout import (
    audience_and_sid,
    client_posting_to,
    log_in,
    logout_claims,
)
from solhost.identity.tests.test_backchannel_logout import (
    receiver as receiver,
)
from solhost.tests.forms import admin_form_data


@pytest.fixture(autouse=True)
def _issuer(settings):
    # The test client's host, which the ID tokens name as issuer.
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def nextcloud(world):
    return make_client(world.mcc_service)


def userinfo(token: str):
    return Client().get(reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {token}")


def test_nothing_issued_to_an_inactive_account_is_honoured(world, nextcloud):
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, nextcloud, scope=f"{SCOPES} offline_access")
    code = authorization_code(rita, nextcloud)
    # Deactivated where no revocation follows: as a site of the region sees it, once the
    # account's row has arrived by replication.
    type(world.rita).objects.filter(pk=world.rita.pk).update(is_active=False)

    assert introspect(Client(), nextcloud, tokens["access_token"]) == {"active": False}
    assert userinfo(tokens["access_token"]).status_code == 401
    refused = refresh(Client(), nextcloud, tokens["refresh_token"])
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    redeemed = exchange(Client(), nextcloud, code)
    assert (redeemed.status_code, redeemed.json()["error"]) == (400, "invalid_grant")


def test_an_active_accounts_tokens_still_work(world, nextcloud):
    tokens = sign_in_to(log_in("rita@example.org"), nextcloud, scope=f"{SCOPES} offline_access")

    assert introspect(Client(), nextcloud, tokens["access_token"])["active"]
    assert userinfo(tokens["access_token"]).status_code == 200
    assert refresh(Client(), nextcloud, tokens["refresh_token"]).status_code == 200


def _save_account_in_admin(steward: Client, user, **changes):
    url = reverse("admin:identity_user_change", args=[user.pk])
    return steward.post(url, admin_form_data(steward.get(url), **changes), follow=True)


def test_the_steward_deactivating_an_account_signs_it_out_everywhere(
    world, request, django_capture_on_commit_callbacks
):
    receiver = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, receiver.uri)
    laptop = log_in("rita@example.org")
    tokens = sign_in_to(laptop, files, scope=f"{SCOPES} offline_access")
    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)
    steward = Client()
    steward.force_login(world.sam)

    with django_capture_on_commit_callbacks(execute=True):
        saved = _save_account_in_admin(steward, world.rita, is_active="")

    # (The admin capitalises its messages.)
    assert "Rita is signed out everywhere: 1 tokens revoked" in saved.content.decode()
    _header, claims = logout_claims(receiver, files)
    assert (claims["sub"], claims["sid"]) == (
        subject_for(world.rita, files.client),
        sid_for(laptops.sid, files.client),
    )
    assert LogoutDelivery.objects.get().reason == LogoutDelivery.Reason.DEACTIVATED
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert laptop.get(reverse("identity:connected")).status_code == 302
    assert not introspect(Client(), files, tokens["access_token"])["active"]
    # Even with the account let in again, what it held before stays revoked.
    type(world.rita).objects.filter(pk=world.rita.pk).update(is_active=True)
    assert refresh(Client(), files, tokens["refresh_token"]).status_code == 400
    revoked = AuditEvent.objects.get(action="identity.token.revoke")
    assert revoked.note == "1 tokens revoked: the steward deactivated the account"
    # Let in again, they sign in without being asked to agree again.
    assert Consent.objects.filter(user=world.rita, client=files.client).exists()
    again = log_in("rita@example.org")
    asked = again.get(reverse("oauth2_provider:authorize"), authorize_params(files))
    assert asked.status_code == 302 and "code=" in asked["Location"]


def test_deactivating_tells_each_service_only_of_the_sessions_that_signed_in_to_it(
    world, request, django_capture_on_commit_callbacks
):
    receiver = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, receiver.uri)
    chat = client_posting_to(world.cct_service, receiver.uri + "/chat")
    laptop, phone = log_in("rita@example.org"), log_in("rita@example.org")
    sign_in_to(laptop, files)
    sign_in_to(phone, chat)
    sessions = {
        browser: SignedInSession.objects.get(session_key=browser.session.session_key).sid
        for browser in (laptop, phone)
    }
    steward = Client()
    steward.force_login(world.sam)

    with django_capture_on_commit_callbacks(execute=True):
        _save_account_in_admin(steward, world.rita, is_active="")

    assert sorted(audience_and_sid(received) for received in receiver.received) == sorted(
        [
            (files.client.client_id, sid_for(sessions[laptop], files.client)),
            (chat.client.client_id, sid_for(sessions[phone], chat.client)),
        ]
    )
