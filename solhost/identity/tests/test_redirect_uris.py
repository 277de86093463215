"""Where residents may be sent back to: https, loopback http for apps on the device
(RFC 8252 §7.3) and an app's own reversed-domain scheme (§7.1); checked the same way by the
registration form, the action and the steward's admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.identity import actions
from solhost.identity.models import ServiceClient, redirect_uri_problem
from solhost.identity.tests.oidc import authorize_params, consent_form_data, pkce_pair

ALLOWED = [
    "https://files.mcc.example.org/apps/user_oidc/code",
    "https://files.mcc.example.org/cb?provider=region",
    "http://127.0.0.1:8765/callback",
    "http://127.0.0.1/callback",
    "http://[::1]:8765/callback",
    "com.example.app:/oauth2redirect",
    "org.mcc.files://callback",
    # An internationalised name, in the form the protocol reads.
    "https://xn--r8jz45g.jp/callback",
    "https://files.mcc.example.org/r%C3%BCckruf",
]

REFUSED = [
    ("http://files.mcc.example.org/cb", "must start with https://"),
    ("http://10.0.0.5:8080/cb", "must start with https://"),
    ("http://localhost:8765/cb", "names localhost"),
    ("HTTP://files.mcc.example.org/cb", "must start with https://"),
    ("https://files.mcc.example.org/cb#top", "cannot hold a #fragment"),
    ("https://user:pw@files.mcc.example.org/cb", "cannot hold a user name or password"),
    ("myapp://callback", "is not a web address"),
    ("javascript:alert(1)", "is not a web address"),
    ("data:text/html,hi", "is not a web address"),
    ("file:///etc/passwd", "is not a web address"),
    ("com.example.app:", "is not a valid address for an app"),
    ("not a url", "is not a web address"),
    # The protocol's reader takes ASCII only: registered so, they never match.
    ("https://例え.jp/callback", "write it as https://xn--r8jz45g.jp/callback"),
    (
        "https://files.mcc.example.org/rückruf?für=dich",
        "write it as https://files.mcc.example.org/r%C3%BCckruf?f%C3%BCr=dich",
    ),
    ("https://例え.jp:8443/", "write it as https://xn--r8jz45g.jp:8443/"),
    ("https://a..例え/cb", "write its host in its xn-- form and percent-encode the rest"),
]


@pytest.mark.parametrize("uri", ALLOWED)
def test_allowed_redirect_uris(uri):
    assert redirect_uri_problem(uri) is None


@pytest.mark.parametrize(("uri", "problem"), REFUSED)
def test_refused_redirect_uris_say_why(uri, problem):
    assert problem in (redirect_uri_problem(uri) or "")


def register(world, *, redirect_uris, post_logout=None, public=False):
    return actions.register_client(
        service=world.mcc_service,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout,
        public=public,
        actor=world.alice,
    )


@pytest.mark.parametrize(("uri", "problem"), REFUSED)
def test_the_action_refuses_naming_the_uri_and_saves_nothing(world, uri, problem):
    with pytest.raises(ValidationError) as refused:
        register(world, redirect_uris=["https://ok.example.org/cb", uri])
    (message,) = refused.value.message_dict["redirect_uris"]
    assert message.startswith(f"“{uri}” ") and problem in message
    assert not ServiceClient.objects.exists()


def test_the_action_checks_the_addresses_after_sign_out_too(world):
    with pytest.raises(ValidationError) as refused:
        register(
            world,
            redirect_uris=["https://ok.example.org/cb"],
            post_logout=["http://ok.example.org/"],
        )
    assert "must start with https://" in refused.value.message_dict["post_logout_redirect_uris"][0]
    assert not ServiceClient.objects.exists()


def test_the_form_names_every_bad_line(client, world):
    client.force_login(world.alice)
    page = client.post(
        reverse("identity:service_clients", args=["mcc", "mcc-files"]),
        {
            "redirect_uris": "https://ok.example.org/cb\nhttp://ok.example.org/cb\n"
            "http://localhost:8000/cb\n",
            "post_logout_redirect_uris": "http://ok.example.org/",
        },
    )
    assertContains(
        page, "Line 2, “http://ok.example.org/cb”, must start with https://", status_code=400
    )
    assertContains(page, "Line 3, “http://localhost:8000/cb”, names localhost", status_code=400)
    assertContains(
        page, "Line 1, “http://ok.example.org/”, must start with https://", status_code=400
    )
    assert not ServiceClient.objects.exists()


def test_the_form_registers_a_native_app(client, world):
    client.force_login(world.alice)
    uris = "http://127.0.0.1:8765/cb\nhttp://[::1]:8765/cb\ncom.example.app:/cb"
    client.post(
        reverse("identity:service_clients", args=["mcc", "mcc-files"]),
        {"redirect_uris": uris, "public": "on"},
    )
    assert ServiceClient.objects.get().redirect_uris.split() == uris.split()


def test_a_client_lists_at_most_a_hundred_addresses_of_each_kind(client, world):
    # Every approved public client's redirect URIs are read for each CORS preflight and
    # refusal in the region: one co-op's client listing 100,000 slowed every browser app's
    # by almost half a second, and each save of them took seconds.
    many = [f"https://files{n}.mcc.example.org/cb" for n in range(101)]
    client.force_login(world.alice)

    page = client.post(
        reverse("identity:service_clients", args=["mcc", "mcc-files"]),
        {
            "redirect_uris": "\n".join(many),
            "post_logout_redirect_uris": "\n".join(many),
            "public": "on",
        },
    )

    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"redirect_uris", "post_logout_redirect_uris"}
    assertContains(page, "List at most 100 addresses here (this lists 101)", status_code=400)
    with pytest.raises(ValidationError) as refused:
        register(world, redirect_uris=many)
    assert "at most 100" in refused.value.message_dict["redirect_uris"][0]
    assert not ServiceClient.objects.exists()
    assert register(world, redirect_uris=many[:100]).client.redirect_uris.split() == many[:100]


def test_the_steward_cannot_store_a_plain_http_address_in_the_admin(client, world):
    registered = register(world, redirect_uris=["https://ok.example.org/cb"])
    client.force_login(world.sam)
    page = client.post(
        reverse("admin:identity_serviceclient_change", args=[registered.client.pk]),
        {
            "service": world.mcc_service.pk,
            "client_type": "confidential",
            "redirect_uris": "http://ok.example.org/cb",
            "post_logout_redirect_uris": "",
        },
    )
    assertContains(page, "“http://ok.example.org/cb” must start with https://")
    registered.client.refresh_from_db()
    assert registered.client.redirect_uris == "https://ok.example.org/cb"


def sign_in_from_an_app(client, world, *, registered_uri: str, sent_uri: str):
    """Rita, signed in, sent to the region by an approved app registered with
    ``registered_uri`` that asks for its code at ``sent_uri``."""
    app = register(world, redirect_uris=[registered_uri], public=True)
    actions.approve_client(client=app.client, steward=world.sam)
    client.force_login(world.rita)
    _, challenge = pkce_pair()
    return client.get(
        reverse("oauth2_provider:authorize"),
        authorize_params(
            app, redirect_uri=sent_uri, code_challenge=challenge, code_challenge_method="S256"
        ),
    )


@pytest.mark.parametrize(
    ("registered_uri", "sent_uri"),
    [
        # The app picks its port when it signs in (RFC 8252 §7.3).
        ("http://127.0.0.1:8765/cb", "http://127.0.0.1:50123/cb"),
        ("http://[::1]:8765/cb", "http://[::1]:50123/cb"),
        ("com.example.app:/cb", "com.example.app:/cb"),
        # And an app at an internationalised name, registered as the protocol reads it.
        ("https://xn--r8jz45g.jp/callback", "https://xn--r8jz45g.jp/callback"),
    ],
)
def test_a_native_app_gets_its_code_back(client, world, registered_uri, sent_uri):
    page = sign_in_from_an_app(client, world, registered_uri=registered_uri, sent_uri=sent_uri)
    assert page.status_code == 200
    data = consent_form_data(page)
    response = client.post(reverse("oauth2_provider:authorize"), {**data, "allow": "Authorize"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{sent_uri}?")
    assert "code=" in response["Location"]


@pytest.mark.parametrize(
    ("registered_uri", "sent_uri"),
    [
        # Addresses urllib can't read: a port past 65535, a bracket never closed.
        ("https://ok.example.org/cb", "https://ok.example.org:99999/cb"),
        ("https://ok.example.org/cb", "https://[ok.example.org/cb"),
        ("http://127.0.0.1:8765/cb", "http://127.0.0.1:99999/cb"),
    ],
)
def test_a_redirect_uri_urllib_cannot_read_is_refused_on_a_page(
    client, world, registered_uri, sent_uri
):
    page = sign_in_from_an_app(client, world, registered_uri=registered_uri, sent_uri=sent_uri)

    # Nowhere checked to send an error to, so it is told here (RFC 6749 §4.1.2.1).
    assert page.status_code == 400
    assert "Location" not in page
