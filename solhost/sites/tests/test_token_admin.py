"""The steward's pages for codes and tokens: revoking is audited, and at a site no list
joins the site's store to the region's database."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity.tests.oidc import authorize_params, consent, make_client, sign_in_to

TOKEN_MODELS = [AccessToken, RefreshToken, IDToken, Grant]


@pytest.fixture
def tokens(world):
    """Rita signed in to MCC Files (tokens, an ID token) and holds a code not yet redeemed."""
    registered = make_client(world.mcc_service)
    rita = Client()
    rita.force_login(world.rita)
    sign_in_to(rita, registered, scope="openid profile offline_access")
    consent(rita, authorize_params(registered))
    return registered.client


@pytest.fixture
def sam(world):
    steward = Client()
    steward.force_login(world.sam)
    return steward


def _changelist(model) -> str:
    return reverse(f"admin:oauth2_provider_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [AccessToken, RefreshToken])
def test_revoking_tokens_in_the_admin_ends_their_family_and_is_audited(sam, world, tokens, model):
    token = model.objects.get()
    response = sam.post(
        _changelist(model), {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )

    assert response.status_code == 302
    assert not AccessToken.objects.exists()  # revoked with its family
    assert RefreshToken.objects.get().revoked is not None
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert event.actor == world.sam and event.object_id == str(tokens.pk)
    assert event.note == "1 tokens revoked by the steward in the admin"


def test_deleting_a_code_in_the_admin_is_audited(sam, world, tokens):
    code = Grant.objects.get()
    url = reverse("admin:oauth2_provider_grant_delete", args=[code.pk])

    assert sam.post(url, {"post": "yes"}).status_code == 302

    assert not Grant.objects.exists()
    event = AuditEvent.objects.get(action="admin.grant.delete")
    assert event.actor == world.sam


@pytest.mark.parametrize("model", TOKEN_MODELS)
def test_at_a_site_the_lists_join_nothing_and_search_only_their_own_columns(
    sam, tokens, settings, model
):
    # At a site the codes and tokens are in the site's store, residents and clients in the
    # region's database: a join between them cannot be run there.
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"
    with CaptureQueriesContext(connection) as queries:
        page = sam.get(_changelist(model), {"q": "rita"})
    assert page.status_code == 200
    listed = [q["sql"] for q in queries if f'FROM "{model._meta.db_table}"' in q["sql"]]
    assert listed and not any("JOIN" in sql for sql in listed), listed
    assert "rita" in page.content.decode()  # each row still names its resident


@pytest.mark.parametrize("model", TOKEN_MODELS)
def test_at_the_primary_the_lists_still_search_by_resident(sam, tokens, model):
    page = sam.get(_changelist(model), {"q": "rita"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == model.objects.count() > 0


def test_a_clients_view_on_site_is_its_services_page(sam, world, tokens):
    content_type = reverse("admin:view_on_site", args=[_content_type_id(tokens), tokens.pk])
    response = sam.get(content_type)
    assert response.status_code == 302
    assert response["Location"].endswith(world.mcc_service.get_absolute_url())


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
