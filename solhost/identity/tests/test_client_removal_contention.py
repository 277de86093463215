"""A co-op removing a client while a code or refresh token of its is being redeemed: on
PostgreSQL the removal waits for the redemption (or the other way round), and neither
ends in a deadlock. Each side runs in a thread of its own, with its own connection; the
redemption is held, what it redeems locked, until the removal is seen waiting on a lock."""

import threading

import pytest
from django.db import connection
from django.test import Client
from oauth2_provider.models import AccessToken, Grant

from solhost.identity import actions
from solhost.identity.models import ServiceClient
from solhost.identity.oidc import RegionValidator
from solhost.identity.tests.oidc import (
    SCOPES,
    authorization_code,
    exchange,
    make_client,
    refresh,
    sign_in_to,
)
from solhost.test import someone_waits_on_a_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="only PostgreSQL locks rows one by one"
    ),
]


def _code(world, nextcloud):
    browser = Client()
    browser.force_login(world.rita)
    code = authorization_code(browser, nextcloud)
    return lambda: exchange(Client(), nextcloud, code)


def _refresh_token(world, nextcloud):
    browser = Client()
    browser.force_login(world.rita)
    issued = sign_in_to(browser, nextcloud, scope=f"{SCOPES} offline_access")
    return lambda: refresh(Client(), nextcloud, issued["refresh_token"])


@pytest.mark.parametrize(
    ("redeemed", "locked_in", "tokens_issued"),
    [
        # The access token (no refresh token without offline_access).
        (_code, "validate_code", 1),
        # The new access and refresh tokens; the old refresh token is revoked.
        (_refresh_token, "validate_refresh_token", 2),
    ],
)
def test_removing_a_client_while_it_redeems_something_waits_for_the_redemption(
    monkeypatch, redeemed, locked_in, tokens_issued
):
    from solhost.test import make_world

    world = make_world()
    nextcloud = make_client(world.mcc_service)
    redeem_request = redeemed(world, nextcloud)
    locked, go_on = threading.Event(), threading.Event()
    outcome: dict = {}
    validate = getattr(RegionValidator, locked_in)

    def validate_then_hold(self, *args, **kwargs):
        valid = validate(self, *args, **kwargs)
        locked.set()
        go_on.wait(30)
        return valid

    monkeypatch.setattr(RegionValidator, locked_in, validate_then_hold)

    def redeem():
        try:
            outcome["token_response"] = redeem_request()
        finally:
            locked.set()
            connection.close()

    def remove():
        try:
            locked.wait(30)
            outcome["tokens_removed"] = actions.remove_client(
                client=nextcloud.client, actor=world.alice
            )
        except Exception as error:
            outcome["removal_error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem), threading.Thread(target=remove)]
    for thread in threads:
        thread.start()
    waited = someone_waits_on_a_lock()
    go_on.set()
    for thread in threads:
        thread.join(60)

    assert waited, "the removal never waited for the redemption"
    assert "removal_error" not in outcome, outcome.get("removal_error")
    answer = outcome["token_response"]
    assert answer.status_code == 200, answer.content
    # The removal came after: it counted the tokens just issued, and took them with it.
    assert outcome["tokens_removed"] == tokens_issued
    assert not ServiceClient.objects.exists()
    assert not AccessToken.objects.exists() and not Grant.objects.exists()
