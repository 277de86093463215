"""/manage/<org>/services/<service>/clients/: a partner registers sign-in clients for its service."""

import re
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.models import AuditEvent
from solhost.identity.models import LogoutDelivery, ServiceClient
from solhost.identity.tests.oidc import make_client
from solhost.web.tests.pages import assert_clean_page, visible_text


def url(org="mcc", service="mcc-files"):
    return reverse("identity:service_clients", args=[org, service])


GOOD = {
    "redirect_uris": "https://files.mcc.example.org/apps/user_oidc/code\n",
    "post_logout_redirect_uris": "",
}


def test_a_partner_admin_registers_a_client_and_sees_its_secret_once(client, world):
    client.force_login(world.alice)

    page = client.post(url(), GOOD)

    created = ServiceClient.objects.get()
    secret = page.context["registered"].secret
    assertContains(page, created.client_id)
    assertContains(page, secret)
    assertContains(page, "shown only this once")
    assert created.service == world.mcc_service
    assert not created.approved
    assert created.client_type == "confidential"
    assert check_password(secret, created.client_secret)
    assert AuditEvent.objects.filter(action="identity.client.register", actor=world.alice).exists()
    again = client.get(url())
    assertNotContains(again, secret)
    assertContains(again, "Waiting for the steward")
    assert_clean_page(again)


def test_the_issuer_shown_is_the_regions_whatever_address_the_page_was_opened_at(
    client, world, settings
):
    # A region with SOLHOST_BASE_URL names that as the issuer in every ID token, while the
    # page may be opened at another address the site answers to.
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ISS_ENDPOINT": "https://region.example.org",
    }
    client.force_login(world.alice)

    page = client.post(url(), GOOD)

    assertContains(page, "<dt>Issuer</dt><dd><code>https://region.example.org</code></dd>")


def test_on_a_phone_each_clients_card_names_its_facts(client, world):
    make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.get(url()).content.decode()

    # The table's cells become a card per client on a narrow screen, each cell labelled
    # from its data-label, as the column headings are hidden there.
    table = page.split('class="table-wrap manage-table client-table"', 1)[1].split("</table>")[0]
    cells = re.findall(r"<td[^>]*>", table)
    assert cells and all("data-label=" in cell for cell in cells)


def test_a_public_client_has_no_secret(client, world):
    client.force_login(world.alice)

    client.post(url(), {**GOOD, "public": "on"})

    created = ServiceClient.objects.get()
    assert created.client_type == "public"


def test_bad_redirect_uris_are_named_by_line_and_nothing_is_saved(client, world):
    client.force_login(world.alice)

    page = client.post(url(), {"redirect_uris": "https://ok.example.org/cb\nnot a url\n"})

    assert page.status_code == 400
    assertContains(page, "Line 2, “not a url”, is not a web address", status_code=400)
    assert not ServiceClient.objects.exists()


def test_a_fragment_is_refused(client, world):
    client.force_login(world.alice)

    page = client.post(url(), {"redirect_uris": "https://ok.example.org/cb#x"})

    assertContains(page, "cannot hold a #fragment", status_code=400)


def test_a_partner_member_can_look_but_not_register(client, world):
    client.force_login(world.bob)

    assert client.get(url()).status_code == 200
    assert client.post(url(), GOOD).status_code == 403
    assert not ServiceClient.objects.exists()


def test_another_partner_cannot_see_or_register(client, world):
    client.force_login(world.carol)

    assert client.get(url()).status_code == 404
    assert client.post(url(), GOOD).status_code == 404
    assert client.get(url("cct", "mcc-files")).status_code == 404


def test_the_steward_approves_in_the_admin(client, world):
    client.force_login(world.alice)
    client.post(url(), GOOD)
    created = ServiceClient.objects.get()
    client.force_login(world.sam)

    client.post(
        reverse("admin:identity_serviceclient_changelist"),
        {"action": "approve", "_selected_action": [created.pk]},
    )

    created.refresh_from_db()
    assert created.approved and created.approved_by == world.sam
    assert AuditEvent.objects.filter(action="identity.client.approve", actor=world.sam).exists()


def test_client_secrets_are_stored_salted_and_hashed_but_not_stretched(client, world):
    client.force_login(world.alice)

    page = client.post(url(), GOOD)

    stored = ServiceClient.objects.get().client_secret
    assert stored.startswith("client_secret_sha256$1$")
    assert page.context["registered"].secret not in stored


def test_the_trail_notes_that_a_client_has_a_secret_but_never_the_secret_or_its_hash(client, world):
    client.force_login(world.alice)
    secret = client.post(url(), GOOD).context["registered"].secret
    registered = ServiceClient.objects.get()
    client.force_login(world.sam)
    client.post(
        reverse("admin:identity_serviceclient_changelist"),
        {"action": "approve", "_selected_action": [registered.pk]},
    )

    events = AuditEvent.objects.filter(action__startswith="identity.client.").order_by("pk")
    assert [e.action for e in events] == ["identity.client.register", "identity.client.approve"]
    register, approve = events
    assert register.after["client_secret"] == "(set)"
    assert approve.before["client_secret"] == approve.after["client_secret"] == "(set)"
    assert approve.before["approved_by_id"] is None
    assert approve.after["approved_by_id"] == world.sam.pk
    for event in events:
        text = str(event.before) + str(event.after)
        assert secret not in text and registered.client_secret not in text


def test_a_partner_sees_what_became_of_its_services_logout_tokens(client, world):
    registered = make_client(world.mcc_service)
    registered.client.backchannel_logout_uri = "https://files.mcc.example.org/backchannel"
    registered.client.save()
    other = make_client(world.mcc_service)  # no back-channel address: nothing to report
    now = timezone.now()

    def owed(minutes_ago, **state):
        delivery = LogoutDelivery.objects.create(
            client=registered.client, subject="s", reason="logout", **state
        )
        LogoutDelivery.objects.filter(pk=delivery.pk).update(
            created=now - timedelta(minutes=minutes_ago)
        )

    owed(5, attempts=1, delivered_at=now, last_outcome="acknowledged")
    owed(10, attempts=1, delivered_at=now, last_outcome="acknowledged")
    owed(20, attempts=2, last_outcome="HTTP 500")
    owed(30, attempts=1, last_outcome="no answer: timed out")
    owed(60 * 24 * 3, attempts=12, abandoned_at=now, last_outcome="HTTP 404")
    owed(60 * 24 * 8, attempts=1, delivered_at=now)  # before the week shown
    client.force_login(world.alice)

    page = client.get(url())

    words = visible_text(page.content.decode())
    assert (
        "Logout tokens, last 7 days: 2 acknowledged, 2 being sent again, "
        "1 given up after every retry." in words
    )
    assert "Latest not acknowledged: HTTP 500" in words  # the newest, not the oldest
    assert words.count("Logout tokens, last") == 1  # the client without an address has none
    assert other.client.client_id in words
    assert "subject" not in words and '"s"' not in words
