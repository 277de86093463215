"""/accounts/connected/: a resident sees where their account is in use and can stop it."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from oauth2_provider.models import AccessToken, RefreshToken
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from solhost.core.models import AuditEvent
from solhost.identity.models import Consent, LogoutDelivery, SignedInSession
from solhost.identity.tests import oidc
from solhost.identity.tests.oidc import SCOPES, authorize_params, introspect, make_client
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page

URL = reverse("identity:connected")
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def sign_in_to(client, registered) -> dict:
    return oidc.sign_in_to(client, registered, scope=f"{SCOPES} offline_access")


def log_in(client, email):
    client.post(
        reverse("account_login"),
        {"login": email, "password": PASSWORD},
        HTTP_USER_AGENT=FIREFOX_ON_LINUX,
    )


def test_the_page_needs_a_login(client, world):
    assertRedirects(client.get(URL), f"{reverse('account_login')}?next={URL}")


def test_it_lists_connected_services_and_signed_in_browsers(client, world):
    nextcloud = make_client(world.mcc_service)
    log_in(client, "rita@example.org")
    sign_in_to(client, nextcloud)

    page = client.get(URL)

    assertContains(page, "MCC Files")
    assertContains(page, "Merri Creek Computing")
    assertContains(page, "Firefox on Linux <strong>(this browser)</strong>", html=False)
    # The header itself too, for a resident who wants to look closer.
    assertContains(page, f'<span class="meta user-agent">{FIREFOX_ON_LINUX}</span>')
    # What the service was allowed, in words rather than scope names.
    shares = page.context["connections"][0]["shares"]
    assert shares == [
        "an account identifier",
        "your username and name",
        "your email address",
        "your co-ops and roles",
        "access while you are away",
    ]
    assertNotContains(page, "offline_access")
    # One of the account's pages: their menu, this page marked, and the region in the title.
    assertContains(page, 'aria-current="page">Connected services and sessions</a>')
    assertContains(page, "<title>Connected services and sessions — Test Region</title>")
    assert_clean_page(page)


def test_a_resident_sees_only_their_own(client, world):
    nextcloud = make_client(world.mcc_service)
    log_in(client, "alice@example.org")
    sign_in_to(client, nextcloud)
    client.logout()
    log_in(client, "rita@example.org")

    page = client.get(URL)

    assertNotContains(page, "MCC Files")
    assert len(page.context["sessions"]) == 1


def test_disconnecting_withdraws_consent_and_revokes_the_tokens(client, world):
    nextcloud = make_client(world.mcc_service)
    log_in(client, "rita@example.org")
    tokens = sign_in_to(client, nextcloud)

    response = client.post(reverse("identity:disconnect", args=[nextcloud.client.pk]))

    assertRedirects(response, URL)
    assert not Consent.objects.exists()
    assert introspect(client, nextcloud, tokens["access_token"])["active"] is False
    assert introspect(client, nextcloud, tokens["refresh_token"])["active"] is False
    assert AuditEvent.objects.filter(action="identity.consent.withdraw", actor=world.rita).exists()
    # The next sign-in asks again.
    page = client.get(reverse("oauth2_provider:authorize"), authorize_params(nextcloud))
    assert page.status_code == 200


def test_a_service_with_a_web_and_a_phone_app_is_one_row(client, world):
    web, phone = make_client(world.mcc_service), make_client(world.mcc_service)
    log_in(client, "rita@example.org")
    oidc.sign_in_to(client, web, scope="openid email")
    sign_in_to(client, phone)
    given = Consent.objects.get(client=web.client).given_at

    page = client.get(URL)

    [files] = page.context["connections"]
    assert files["service"] == world.mcc_service
    # What either app was allowed, each once, since the first of them was.
    assert files["shares"] == [
        "an account identifier",
        "your email address",
        "your username and name",
        "your co-ops and roles",
        "access while you are away",
    ]
    assert files["since"] == given
    assert page.content.decode().count("Disconnect <span") == 1
    # And once on the account's overview.
    overview = client.get(reverse("residents:overview")).content.decode()
    assert overview.count("<li>MCC Files <span") == 1


def test_disconnecting_a_service_stops_each_of_its_clients(client, world):
    # A service's web and phone apps are two clients, both listed under its name; the page
    # says the service can no longer use the account once it is disconnected.
    web, phone, unused = (make_client(world.mcc_service) for _ in range(3))
    chat = make_client(world.cct_service)
    log_in(client, "rita@example.org")
    tokens = sign_in_to(client, web)
    phone_tokens = sign_in_to(client, phone)
    chat_tokens = sign_in_to(client, chat)

    response = client.post(reverse("identity:disconnect", args=[web.client.pk]), follow=True)

    assertContains(response, "MCC Files is disconnected")
    assert introspect(client, web, tokens["access_token"])["active"] is False
    assert introspect(client, phone, phone_tokens["access_token"])["active"] is False
    assert list(Consent.objects.values_list("client", flat=True)) == [chat.client.pk]
    assert introspect(client, chat, chat_tokens["access_token"])["active"] is True
    # A client never given anything of Rita's hears nothing of her.
    withdrawn = AuditEvent.objects.filter(action="identity.consent.withdraw")
    assert sorted(int(event.object_id) for event in withdrawn) == [web.client.pk, phone.client.pk]
    assert unused.client.pk not in {int(event.object_id) for event in withdrawn}


@pytest.mark.parametrize("approved", [False, True], ids=["unapproved", "never signed in to"])
def test_a_client_holding_nothing_to_disconnect_is_not_there(client, world, approved):
    """An unapproved client is unknown to the protocol. One Rita never signed in to would
    learn of her from the logout token its co-op is sent."""
    chat = make_client(world.cct_service, approved=approved)
    chat.client.backchannel_logout_uri = "https://chat.cct.example.org/backchannel"
    chat.client.save()
    log_in(client, "rita@example.org")

    response = client.post(reverse("identity:disconnect", args=[chat.client.pk]))

    assert response.status_code == 404
    assert not LogoutDelivery.objects.exists()
    assert not AuditEvent.objects.filter(action="identity.consent.withdraw").exists()


def test_a_service_signed_in_to_at_another_site_can_be_disconnected_here(client, world):
    """Consents and tokens are each site's own; the token endpoint's records of a sign-in
    at another site reach this one with that site's audit trail."""
    nextcloud = make_client(world.mcc_service)
    log_in(client, "rita@example.org")
    sign_in_to(client, nextcloud)
    # What this site holds of it is gone (as if it had all been issued elsewhere).
    Consent.objects.all().delete()
    AccessToken.objects.all().delete()
    RefreshToken.objects.all().delete()

    response = client.post(reverse("identity:disconnect", args=[nextcloud.client.pk]))

    assertRedirects(response, URL)
    assert AuditEvent.objects.filter(action="identity.consent.withdraw").exists()


def test_signing_out_another_browser_ends_its_session(client, world, django_user_model):
    from django.test import Client

    laptop = Client()
    log_in(laptop, "rita@example.org")
    log_in(client, "rita@example.org")
    other = SignedInSession.objects.exclude(session_key=client.session.session_key).get()

    response = client.post(reverse("identity:end_session", args=[other.pk]))

    assertRedirects(response, URL)
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert laptop.get(URL).status_code == 302
    assert client.get(URL).status_code == 200


def test_nobody_can_end_someone_elses_session(client, world):
    from django.test import Client

    other = Client()
    log_in(other, "alice@example.org")
    log_in(client, "rita@example.org")
    alices = SignedInSession.objects.get(user=world.alice)

    response = client.post(reverse("identity:end_session", args=[alices.pk]))

    assert response.status_code == 404
    assert Session.objects.filter(session_key=alices.session_key).exists()


def test_signing_out_forgets_the_session(client, world):
    log_in(client, "rita@example.org")
    assert SignedInSession.objects.filter(user=world.rita).count() == 1

    client.post(reverse("account_logout"))

    assert not SignedInSession.objects.exists()
