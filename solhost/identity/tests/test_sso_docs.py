"""The partner guides in docs/sso say what the region does.

Each guide tells a co-op's admin which scopes to request, which claims to map, which
addresses to register and what happens at sign-out. These tests read the guides' own
snippets and hold them to the region: the scopes and claims they name are the ones
discovery advertises, every service keys accounts on ``sub``, the addresses are ones the
region accepts, and the sign-out requests the services send (as their upstream code builds
them) get the answers the guides promise.
"""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.identity.models import logout_uri_problem, redirect_uri_problem
from solhost.identity.tests.oidc import authorize_params, consent, exchange, make_client
from solhost.partners.models import Membership

DOCS = Path(__file__).resolve().parents[3] / "docs" / "sso"
GUIDES = ["discourse.md", "forgejo.md", "mastodon.md", "nextcloud.md", "synapse.md"]
LOGOUT = reverse("oauth2_provider:rp-initiated-logout")
# Registered by make_client as the service's address after sign-out.
AFTER = "https://files.mcc.example.org/"


def text(name: str) -> str:
    return (DOCS / name).read_text()


def code(name: str) -> str:
    """The guide's code blocks, where its settings are."""
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", text(name), re.DOTALL))


# How each service spells the scopes it asks for, as the guide writes them.
SCOPE_REQUESTS = {
    "discourse.md": lambda s: [
        m.split() for m in re.findall(r'openid_connect_authorize_scope = "([^"]+)"', s)
    ],
    "forgejo.md": lambda s: [
        re.findall(r"--scopes (\S+)", block)
        for block in s.split("forgejo admin auth")
        if "--scopes" in block
    ],
    "mastodon.md": lambda s: [m.split(",") for m in re.findall(r"^OIDC_SCOPE=(\S+)$", s, re.M)],
    "nextcloud.md": lambda s: [m.split() for m in re.findall(r'--scope="([^"]+)"', s)],
    "synapse.md": lambda s: [
        re.findall(r'"([^"]+)"', m) for m in re.findall(r"scopes: \[([^\]]+)\]", s)
    ],
}

# The claims each guide maps, as it writes them.
CLAIM_MAPPINGS = {
    "forgejo.md": [r"--group-claim-name (\w+)"],
    "mastodon.md": [r"^OIDC_UID_FIELD=(\w+)$"],
    "nextcloud.md": [r"--mapping-[a-z-]+=(\w+)"],
    "synapse.md": [r'subject_claim: "(\w+)"', r"\{\{ user\.(\w+) \}\}", r"attribute: (\w+)"],
}

# The setting that makes each service key its accounts on a claim (Discourse and Forgejo
# always use the ID token's sub and have no such setting).
ACCOUNT_KEYS = {
    "mastodon.md": r"^OIDC_UID_FIELD=(\w+)$",
    "nextcloud.md": r"--mapping-uid=(\w+)",
    "synapse.md": r'subject_claim: "(\w+)"',
}


@pytest.fixture
def discovery(client):
    return client.get("/.well-known/openid-configuration").json()


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_requests_only_scopes_the_region_offers(discovery, guide):
    requests = SCOPE_REQUESTS[guide](code(guide))

    assert requests, f"{guide} names no scopes"
    for scopes in requests:
        assert "openid" in scopes, (guide, scopes)
        assert set(scopes) <= set(discovery["scopes_supported"]), (guide, scopes)
        # None of these services needs a refresh token.
        assert "offline_access" not in scopes, (guide, scopes)


@pytest.mark.parametrize("guide", sorted(CLAIM_MAPPINGS))
def test_each_guide_maps_only_claims_the_region_sends(discovery, guide):
    named = {
        claim
        for pattern in CLAIM_MAPPINGS[guide]
        for claim in re.findall(pattern, code(guide), re.M)
    }

    assert named, f"{guide} maps no claims"
    assert named <= set(discovery["claims_supported"]), named - set(discovery["claims_supported"])


@pytest.mark.parametrize("guide", sorted(ACCOUNT_KEYS))
def test_each_service_keys_accounts_on_sub(guide):
    keys = re.findall(ACCOUNT_KEYS[guide], code(guide), re.M)

    assert keys == ["sub"], (guide, keys)


@pytest.mark.parametrize("guide", GUIDES)
def test_the_groups_in_each_guide_are_a_co_op_and_one_of_its_roles(guide):
    roles = re.findall(r"[\"`]([a-z0-9]+(?:-[a-z0-9]+)+):([a-z_]+)[\"`]", text(guide))

    assert {role for _, role in roles} <= set(Membership.Role.values), roles


@pytest.mark.parametrize("guide", GUIDES)
def test_the_addresses_each_guide_registers_are_accepted(guide):
    page = text(guide)
    redirects = re.findall(r"Redirect URI(?: to register)?: `([^`]+)`", page)
    after_sign_out = re.findall(r"Address after sign-out: `([^`]+)`", page)
    backchannel = re.findall(r"Back-channel logout URI: `([^`]+)`", page)

    assert redirects, f"{guide} names no redirect URI"
    for uri in redirects + after_sign_out:
        assert redirect_uri_problem(uri) is None, uri
    for uri in backchannel:
        assert logout_uri_problem(uri) is None, uri


@pytest.mark.parametrize("guide", GUIDES)
def test_each_guide_cites_its_upstream_documentation(guide):
    ending = text(guide).rsplit("Upstream documentation:", 1)

    assert len(ending) == 2 and "<https://" in ending[1], guide


def test_discovery_has_what_the_guides_rely_on(discovery):
    # user_oidc turns PKCE on by itself only when discovery lists S256; Discourse, Mastodon
    # and Nextcloud find the sign-out endpoint there; Discourse and Mastodon call userinfo.
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["end_session_endpoint"].endswith(LOGOUT)
    assert discovery["userinfo_endpoint"]
    # Mastodon, Discourse and Forgejo authenticate with client_secret_basic by default.
    assert "client_secret_basic" in discovery["token_endpoint_auth_methods_supported"]


@pytest.fixture
def service(world):
    return make_client(world.mcc_service)


def signed_in_at_the_service(world, service) -> tuple[Client, str]:
    """A resident's browser signed in to the region and to the service; their ID token."""
    browser = Client()
    browser.force_login(world.rita)
    code = consent(browser, authorize_params(service))["code"]
    return browser, exchange(browser, service, code).json()["id_token"]


def test_nextclouds_sign_out_ends_the_region_session_at_once(world, service):
    browser, id_token = signed_in_at_the_service(world, service)

    # user_oidc with --send-id-token-hint=1: post_logout_redirect_uri, client_id, hint.
    answer = browser.get(
        LOGOUT,
        {
            "post_logout_redirect_uri": AFTER,
            "client_id": service.client.client_id,
            "id_token_hint": id_token,
        },
    )

    assert answer.status_code == 302 and answer["Location"] == AFTER
    assert "_auth_user_id" not in browser.session


def test_discourses_sign_out_ends_the_region_session_at_once(world, service):
    browser, id_token = signed_in_at_the_service(world, service)

    # The plugin sends the stored ID token and the configured redirect, no client_id.
    answer = browser.get(LOGOUT, {"id_token_hint": id_token, "post_logout_redirect_uri": AFTER})

    assert answer.status_code == 302 and answer["Location"] == AFTER
    assert "_auth_user_id" not in browser.session


def test_mastodons_sign_out_asks_the_resident_first(world, service):
    browser, _ = signed_in_at_the_service(world, service)

    # omniauth_openid_connect's logout phase sends no parameter at all by default.
    page = browser.get(LOGOUT)

    assertContains(page, "Sign out of the region?")
    assert "_auth_user_id" in browser.session


def test_a_sign_out_naming_only_where_to_go_back_is_refused(world, service):
    browser, _ = signed_in_at_the_service(world, service)

    # What Mastodon would send with OIDC_IDP_LOGOUT_REDIRECT_URI set, which its guide
    # says to leave out.
    page = browser.get(LOGOUT, {"post_logout_redirect_uri": AFTER})

    assert page.status_code == 400
    assert "_auth_user_id" in browser.session
