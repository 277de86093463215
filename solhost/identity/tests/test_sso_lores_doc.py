"""docs/sso/lores.md says what the region does for an app on a LoRes node: its settings
are ones the region offers, its addresses are ones the region accepts (and refuses), its
command registers a client, and its app is one the LoRes sync counts for the service."""

import json
import re
import shlex
from pathlib import Path

from django.core.management import call_command

from solhost.identity.models import ServiceClient, redirect_uri_problem
from solhost.lores.recipes import serves
from solhost.partners.models import Service

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "sso" / "lores.md"


def text() -> str:
    return GUIDE.read_text()


def code() -> str:
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text(), re.DOTALL))


def setting(name: str) -> str:
    [value] = re.findall(rf"^\s*{name}=(.*)$", code(), re.M)
    return value


def test_the_example_asks_only_for_scopes_the_region_offers_and_keys_on_sub(client):
    discovery = client.get("/.well-known/openid-configuration").json()
    scopes = setting("OIDC_SCOPE").split(",")
    assert "openid" in scopes and "offline_access" not in scopes
    assert set(scopes) <= set(discovery["scopes_supported"])
    assert setting("OIDC_UID_FIELD") == "sub"
    assert setting("OIDC_USE_PKCE") == "true"
    # Compose takes values as written: a quoted name would show its quotes.
    assert '"' not in setting("OIDC_DISPLAY_NAME")


def test_the_address_it_registers_is_accepted_and_the_local_one_refused():
    [registered] = re.findall(r"Redirect URI to register: `([^`]+)`", text())
    assert redirect_uri_problem(registered) is None
    assert setting("OIDC_REDIRECT_URI") == registered
    [refused] = re.findall(r"Refused:\s+`([^`]+)`", text())
    assert redirect_uri_problem(refused).startswith("must start with https://")


def test_its_lores_app_is_one_the_sync_counts_for_the_service():
    [app] = re.findall(r"runs the LoRes app `([^`]+)`", text())
    [software] = re.findall(r"\(software\s+(\w+)\)", text())
    assert serves(app, software=software, kind="social")


def test_its_command_registers_a_client_for_the_service(world, capsys):
    Service.objects.create(
        organisation=world.mcc,
        slug="mcc-social",
        name="MCC Social",
        kind=world.chat,
        summary="A local home on the fediverse.",
        software="Mastodon",
        licence="AGPL-3.0-or-later",
        source_url="https://github.com/mastodon/mastodon",
        url="https://social.mcc-node.merri-bek.tech",
    )
    [command] = re.findall(r"solhost (oidc-client add .*?--json)", code(), re.DOTALL)
    call_command(*shlex.split(command.replace("\\\n", " ")))
    answer = json.loads(capsys.readouterr().out)
    registered = ServiceClient.objects.get(client_id=answer["client_id"])
    assert registered.service.slug == "mcc-social"
    assert registered.redirect_uris == setting("OIDC_REDIRECT_URI")


def test_the_guide_cites_its_upstream_documentation():
    ending = text().rsplit("Upstream documentation:", 1)
    assert len(ending) == 2 and "<https://docs.coopcloud.tech/" in ending[1]
