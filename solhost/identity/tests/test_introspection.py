"""Token introspection (RFC 7662) tells a service about its own tokens only: another
service, even one of the same co-op, hears ``active: false`` and nothing more, unless the
steward marked it as its co-op's resource server, which hears about its co-op's tokens."""

import datetime
import secrets
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken

from solhost.identity.models import ServiceClient
from solhost.identity.subjects import subject_for
from solhost.identity.tests.oidc import basic_auth, introspect, make_client, sign_in_to

INTROSPECT = "/oidc/introspect/"


@pytest.fixture
def nextcloud(world):
    """A confidential server client of Mountain Cloud Co-op."""
    return make_client(world.mcc_service)


@pytest.fixture
def cct_chat(world):
    """Another co-op's confidential client."""
    return make_client(world.cct_service, redirect="https://chat.cct.example.org/cb")


@pytest.fixture
def notes_app(world):
    """A public browser app: no secret to authenticate with."""
    return make_client(world.mcc_service, public=True, redirect="https://notes.mcc.example.org/cb")


@pytest.fixture
def ritas_token(world, nextcloud) -> str:
    # Signed in from a browser of her own, which stays signed in: a token issued without
    # offline_access ends with the session it was issued in. ``client`` is the service.
    browser = Client()
    browser.force_login(world.rita)
    return sign_in_to(browser, nextcloud)["access_token"]


def test_a_service_learns_about_its_own_token(client, world, nextcloud, ritas_token):
    answer = introspect(client, nextcloud, ritas_token)

    assert answer["active"] is True
    assert answer["client_id"] == nextcloud.client.client_id
    assert "openid" in answer["scope"].split()
    # The pairwise sub the service knows Rita by (decision 0009), not her regional username.
    assert answer["sub"] == subject_for(world.rita, nextcloud.client)
    assert answer["sub"] != str(world.rita.sub)
    assert "username" not in answer


def test_another_co_ops_service_learns_nothing(client, cct_chat, ritas_token):
    assert introspect(client, cct_chat, ritas_token) == {"active": False}


def test_another_service_of_the_same_co_op_learns_nothing(client, world, ritas_token):
    calendar = make_client(world.mcc_service, redirect="https://calendar.mcc.example.org/cb")

    assert introspect(client, calendar, ritas_token) == {"active": False}


def test_a_marked_resource_server_learns_about_its_co_ops_tokens(client, world, ritas_token):
    api = make_client(world.mcc_service, redirect="https://api.mcc.example.org/cb")
    api.client.introspects_its_coops_tokens = True
    api.client.save()

    answer = introspect(client, api, ritas_token)

    assert answer["active"] is True
    # Rita as this co-op's services know her: one pairwise sub for the whole co-op.
    assert answer["sub"] == subject_for(world.rita, api.client)


def test_a_marked_resource_server_with_the_public_sub_hears_only_the_sub_the_token_carried(
    client, world, nextcloud, ritas_token
):
    # A client registered before pairwise subs keeps the public one (decision 0009). As its
    # co-op's resource server it must not learn the public sub of a resident who only
    # signed in to the co-op's pairwise services: any other co-op holding public subs
    # could match them by it.
    api = make_client(world.mcc_service, redirect="https://api.mcc.example.org/cb")
    api.client.introspects_its_coops_tokens = True
    api.client.subject_type = ServiceClient.SubjectType.PUBLIC
    api.client.save()

    answer = introspect(client, api, ritas_token)

    assert answer["active"] is True
    assert answer["sub"] != str(world.rita.sub)
    assert answer["sub"] == subject_for(world.rita, nextcloud.client)


def test_a_marked_resource_server_with_pairwise_subs_hears_no_public_sub(client, world):
    # The co-op's older app keeps the public sub; its API, on pairwise subs, names each
    # resident by the co-op's one pairwise sub whichever app the token came from.
    legacy = make_client(world.mcc_service)
    legacy.client.subject_type = ServiceClient.SubjectType.PUBLIC
    legacy.client.save()
    browser = Client()
    browser.force_login(world.rita)
    token = sign_in_to(browser, legacy)["access_token"]
    api = make_client(world.mcc_service, redirect="https://api.mcc.example.org/cb")
    api.client.introspects_its_coops_tokens = True
    api.client.save()

    answer = introspect(client, api, token)

    assert answer["active"] is True
    assert answer["sub"] == subject_for(world.rita, api.client) != str(world.rita.sub)


def test_a_marked_resource_server_of_another_co_op_learns_nothing(client, world, ritas_token):
    api = make_client(world.cct_service, redirect="https://api.cct.example.org/cb")
    api.client.introspects_its_coops_tokens = True
    api.client.save()

    assert introspect(client, api, ritas_token) == {"active": False}


def test_an_unknown_token_is_inactive_and_a_missing_one_a_bad_request(client, nextcloud):
    missing = client.post(INTROSPECT, {}, **basic_auth(nextcloud))

    assert introspect(client, nextcloud, "never-issued") == {"active": False}
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


def test_a_caller_who_is_no_client_is_refused(client, notes_app, ritas_token):
    anonymous = client.post(INTROSPECT, {"token": ritas_token})
    public = client.post(
        INTROSPECT, {"token": ritas_token, "client_id": notes_app.client.client_id}
    )
    wrong_secret = client.post(
        INTROSPECT,
        {"token": ritas_token},
        HTTP_AUTHORIZATION="Basic " + "bm90LWEtY2xpZW50Om5vLXNlY3JldA==",
    )

    assert anonymous.status_code == 403
    assert public.status_code == 403
    assert wrong_secret.status_code == 403


def test_a_bearer_with_the_introspection_scope_sees_only_its_clients_tokens(
    client, world, nextcloud, cct_chat, ritas_token
):
    def introspection_bearer(registered) -> str:
        value = secrets.token_urlsafe(32)
        AccessToken.objects.create(
            token=value,
            application=registered.client if registered else None,
            scope="introspection",
            expires=timezone.now() + datetime.timedelta(minutes=5),
        )
        return value

    def ask(bearer: str) -> dict:
        return client.post(
            reverse("oauth2_provider:introspect"),
            {"token": ritas_token},
            HTTP_AUTHORIZATION=f"Bearer {bearer}",
        ).json()

    assert ask(introspection_bearer(nextcloud))["active"] is True
    assert ask(introspection_bearer(cct_chat)) == {"active": False}
    assert ask(introspection_bearer(None)) == {"active": False}  # no client at all


def test_a_service_posts_without_a_csrf_token_as_any_server_does(world, nextcloud, ritas_token):
    # Django's test client skips CSRF checks unless asked; a real server never does.
    from django.test import Client

    server = Client(enforce_csrf_checks=True)
    answer = introspect(server, nextcloud, ritas_token)
    assert answer["active"] is True and answer["client_id"] == nextcloud.client.client_id


def test_the_secret_and_the_token_are_never_read_from_the_address(client, nextcloud, ritas_token):
    # RFC 7662 §2.1: a POST with its parameters in the body. In the address, the client's
    # secret (RFC 6749 §2.3.1: never there) and the token it asks about stay in proxies'
    # and servers' logs.
    by_get = client.get(INTROSPECT, {"token": ritas_token}, **basic_auth(nextcloud))
    secret_in_address = client.post(
        INTROSPECT
        + "?"
        + urlencode({"client_id": nextcloud.client.client_id, "client_secret": nextcloud.secret}),
        {"token": ritas_token},
    )
    token_in_address = client.post(
        f"{INTROSPECT}?{urlencode({'token': ritas_token})}",
        {"token": ritas_token},
        **basic_auth(nextcloud),
    )

    assert by_get.status_code == 405
    assert by_get["Allow"] == "POST"
    for refused in (secret_in_address, token_in_address):
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_request"
        assert "address" in refused.json()["error_description"]
