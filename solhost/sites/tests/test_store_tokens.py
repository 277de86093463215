"""At a site, a token in its store whose client or resident the region no longer has is no
token: the primary's deletion took its copy of the token with it, and at a site nothing
links the store's rows to the region's to do the same (decision 0012)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from solhost.identity import endpoints, oidc
from solhost.identity.tests.oidc import SCOPES, make_client, refresh, sign_in_to
from solhost.identity.tests.test_backchannel_logout import log_in


@pytest.fixture
def as_at_a_site(monkeypatch, settings):
    """The provider reading as at a replica site: tokens apart from clients and residents,
    each read on its own."""
    settings.BASE_URL = "http://testserver"
    for module in (oidc, endpoints):
        monkeypatch.setattr(module, "joinable", lambda *models: False)


def _gone(table: str, pk: int) -> None:
    # The row goes alone, as the region's would at a site; the check of the links to it
    # would come at a commit, and each test puts it back first.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (a table name)


def userinfo(access_token: str):
    return Client().get(
        reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {access_token}"
    )


def test_a_token_of_a_client_deleted_since_is_refused_not_a_failure(world, as_at_a_site):
    files = make_client(world.mcc_service)
    tokens = sign_in_to(log_in("rita@example.org"), files)
    assert userinfo(tokens["access_token"]).status_code == 200

    _gone("identity_serviceclient", files.client.pk)

    assert userinfo(tokens["access_token"]).status_code == 401
    assert endpoints._answer_from_a_site_store(tokens["access_token"]).content == (
        b'{"active": false}'
    )
    files.client.save(force_insert=True)


def test_a_token_of_an_account_deleted_since_is_refused_not_a_failure(world, as_at_a_site):
    files = make_client(world.mcc_service)
    tokens = sign_in_to(log_in("rita@example.org"), files, scope=f"{SCOPES} offline_access")

    _gone("identity_user", world.rita.pk)

    assert userinfo(tokens["access_token"]).status_code == 401
    refreshed = refresh(Client(), files, tokens["refresh_token"])
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
    world.rita.save(force_insert=True)
