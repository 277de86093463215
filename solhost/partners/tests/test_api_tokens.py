import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.partners.actions import issue_api_token, revoke_api_token
from solhost.partners.auth import organisation_for_token
from solhost.partners.models import ApiToken


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.django_db
def test_only_a_hash_is_kept_and_the_issue_is_audited(world):
    token, plaintext = issue_api_token(
        organisation=world.mcc, actor=world.alice, name="usage export"
    )
    assert plaintext.startswith(f"solhost_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plaintext not in stored.key_hash and len(stored.key_hash) == 64
    event = AuditEvent.objects.get(action="partners.api_token.issue")
    assert event.actor == world.alice and plaintext not in json.dumps(event.after)


@pytest.mark.django_db
def test_a_token_works_only_whole_and_unrevoked(world):
    token, plaintext = issue_api_token(organisation=world.mcc, actor=world.alice, name="t")
    assert organisation_for_token(plaintext) == world.mcc
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    for wrong in (plaintext[:-1] + "x", f"solhost_{token.prefix}_", "solhost_", "Basic abc", ""):
        assert organisation_for_token(wrong) is None, wrong
    revoke_api_token(token=token, actor=world.alice)
    assert organisation_for_token(plaintext) is None


@pytest.mark.django_db
def test_the_api_knows_the_partner_behind_a_token(world, client):
    _, plaintext = issue_api_token(organisation=world.cct, actor=world.carol, name="t")
    response = client.get("/api/v1/partner", **bearer(plaintext))
    assert response.status_code == 200
    assert response.json() == {"slug": "cct", "name": "Coburg Commons Tech"}
    assert client.get("/api/v1/partner").status_code == 401
    assert client.get("/api/v1/partner", **bearer("solhost_nope_nope")).status_code == 401


@pytest.mark.django_db
def test_a_partner_admin_makes_a_token_and_sees_it_once(world, client):
    client.force_login(world.alice)
    response = client.post(reverse("partners:token_create", args=["mcc"]), {"name": "Nextcloud"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(organisation=world.mcc)
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode()
    assert organisation_for_token(plaintext) == world.mcc
    overview = client.get(reverse("partners:organisation", args=["mcc"])).content.decode()
    assert token.prefix in overview and plaintext not in overview


@pytest.mark.django_db
def test_a_nameless_token_is_refused(world, client):
    client.force_login(world.alice)
    response = client.post(
        reverse("partners:token_create", args=["mcc"]), {"name": "  "}, follow=True
    )
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("carol", 404), ("rita", 404)])
def test_only_the_partners_admins_make_or_revoke_tokens(world, client, persona, status):
    token, _ = issue_api_token(organisation=world.mcc, actor=world.alice, name="t")
    client.force_login(getattr(world, persona))
    assert (
        client.post(reverse("partners:token_create", args=["mcc"]), {"name": "x"}).status_code
        == status
    )
    revoke = reverse("partners:token_revoke", args=["mcc", token.prefix])
    assert client.post(revoke).status_code == status
    assert ApiToken.objects.get().revoked_at is None


@pytest.mark.django_db
def test_revoking_from_the_overview(world, client):
    token, plaintext = issue_api_token(organisation=world.mcc, actor=world.alice, name="t")
    client.force_login(world.alice)
    response = client.post(reverse("partners:token_revoke", args=["mcc", token.prefix]))
    assert response.status_code == 302
    assert organisation_for_token(plaintext) is None
    assert AuditEvent.objects.filter(action="partners.api_token.revoke").count() == 1


@pytest.mark.django_db
def test_the_command_makes_and_revokes_tokens(world):
    out = StringIO()
    call_command(
        "api-token", "create", "--organisation", "cct", "--name", "ops", "--json", stdout=out
    )
    plaintext = json.loads(out.getvalue())["token"]
    assert organisation_for_token(plaintext) == world.cct
    call_command("api-token", "revoke", ApiToken.objects.get().prefix, stdout=StringIO())
    assert organisation_for_token(plaintext) is None
    with pytest.raises(CommandError, match="No organisation has the slug"):
        call_command("api-token", "create", "--organisation", "nope", "--name", "x")
    with pytest.raises(CommandError, match="No token starts with"):
        call_command("api-token", "revoke", "zzzz")
