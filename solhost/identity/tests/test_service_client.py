"""/manage/<org>/services/<service>/clients/<client>/: a co-op changes a client's addresses
and gives it a new secret (decision 0016)."""

import datetime
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from solhost.core.models import AuditEvent
from solhost.identity import actions, views
from solhost.identity.models import Consent, LogoutDelivery, ServiceClient
from solhost.identity.subjects import subject_for
from solhost.identity.tests.oidc import (
    REDIRECT,
    authorization_code,
    authorize_params,
    exchange,
    make_client,
    pkce_pair,
    query_of,
    sign_in_to,
)
from solhost.web.tests.pages import assert_clean_page, visible_text

MOVED = "https://cloud.mcc.example.org/apps/user_oidc/code"


def url(registered, org="mcc", service="mcc-files"):
    return reverse("identity:service_client", args=[org, service, registered.client.pk])


def secret_url(registered, org="mcc", service="mcc-files"):
    return reverse("identity:new_client_secret", args=[org, service, registered.client.pk])


def addresses(**changes):
    """The form as the page shows it for a client made by ``make_client``, changed."""
    return {
        "redirect_uris": REDIRECT,
        "post_logout_redirect_uris": "https://files.mcc.example.org/",
        "backchannel_logout_session_required": "on",
        "frontchannel_logout_session_required": "on",
        **changes,
    }


def test_the_page_shows_the_client_and_its_addresses_in_the_form(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.get(url(registered))

    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["redirect_uris"] == REDIRECT
    assert form.initial["post_logout_redirect_uris"] == "https://files.mcc.example.org/"
    text = visible_text(page.content.decode())
    assert registered.client.client_id in text
    assert "Approved" in text and "Make a new secret" in text
    assert_clean_page(page)


def test_the_clients_list_links_each_client_to_its_page(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.get(reverse("identity:service_clients", args=["mcc", "mcc-files"]))

    assertContains(page, f'href="{url(registered)}"')


def test_a_partner_admin_moves_the_service_and_residents_sign_in_at_the_new_address(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    saved = client.post(
        url(registered),
        addresses(
            redirect_uris=f"{MOVED}\n",
            backchannel_logout_uri="https://cloud.mcc.example.org/backchannel",
        ),
    )

    assert saved.status_code == 302 and saved["Location"] == url(registered)
    stored = ServiceClient.objects.get()
    assert stored.redirect_uris == MOVED
    assert stored.backchannel_logout_uri == "https://cloud.mcc.example.org/backchannel"
    assert stored.approved, "the steward's approval stands"
    assertContains(client.get(saved["Location"]), "Saved the addresses of client")
    event = AuditEvent.objects.get(action="identity.client.change")
    assert event.actor == world.alice
    assert event.before["redirect_uris"] == REDIRECT and event.after["redirect_uris"] == MOVED

    client.force_login(world.rita)
    old = client.get(reverse("oauth2_provider:authorize"), authorize_params(registered))
    assert old.status_code == 400, "the old address no longer receives codes"
    new = client.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, redirect_uri=MOVED)
    )
    assert new.status_code == 200 and "form" in new.context


def test_the_page_lists_the_clients_changes(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)
    client.post(url(registered), addresses(redirect_uris=MOVED))

    page = client.get(url(registered))

    history = visible_text(page.content.decode()).split("Recent changes", 1)[1]
    assert "alice" in history
    assert "Changed OpenID Connect client" in history
    assert "redirect URIs" in history


def test_the_history_never_names_the_residents_who_signed_in(client, world):
    """Each sign-in and disconnect is an audit event about the client, under the
    resident's regional username: the same at every co-op (decision 0009)."""
    registered = make_client(world.mcc_service)
    client.force_login(world.rita)
    sign_in_to(client, registered)
    client.post(reverse("identity:disconnect", args=[registered.client.pk]))
    assert AuditEvent.objects.filter(actor=world.rita, object_id=registered.client.pk).exists()
    client.force_login(world.bob)

    page = client.get(url(registered))

    history = visible_text(page.content.decode()).split("Recent changes", 1)[1]
    assert "Registered OpenID Connect client" in history
    assert world.rita.username not in page.content.decode()


def test_saving_the_same_addresses_changes_nothing(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    saved = client.post(url(registered), addresses())

    assertContains(client.get(saved["Location"]), "Nothing was changed.")
    assert not AuditEvent.objects.filter(action="identity.client.change").exists()


def test_bad_addresses_are_named_by_field_and_line_and_nothing_is_saved(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.post(
        url(registered),
        addresses(
            redirect_uris=f"{MOVED}\nhttp://files.mcc.example.org/cb\n",
            frontchannel_logout_uri="javascript:alert(1)",
        ),
    )

    assert page.status_code == 400
    text = visible_text(page.content.decode())
    assert "Redirect URIs: Line 2, “http://files.mcc.example.org/cb”" in text
    assert "Front-channel logout URI: “javascript:alert(1)”" in text
    assert "Nothing was saved" in text
    assert ServiceClient.objects.get().redirect_uris == REDIRECT
    assert not AuditEvent.objects.filter(action="identity.client.change").exists()


def test_no_redirect_uri_at_all_is_refused(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.post(url(registered), addresses(redirect_uris="  \n"))

    assertContains(page, "Give at least one redirect URI.", status_code=400)
    assert ServiceClient.objects.get().redirect_uris == REDIRECT


def test_a_client_can_not_be_made_public_by_adding_a_field(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    client.post(url(registered), addresses(redirect_uris=MOVED, public="on"))

    assert ServiceClient.objects.get().client_type == "confidential"


def test_a_new_secret_is_shown_once_and_the_old_one_stops_working(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.rita)
    tokens = sign_in_to(client, registered)
    code = authorization_code(client, registered)
    client.force_login(world.alice)

    page = client.post(secret_url(registered))

    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    new_secret = page.context["registered"].secret
    assertContains(page, new_secret)
    assertContains(page, "shown only this once")
    stored = ServiceClient.objects.get()
    assert check_password(new_secret, stored.client_secret)
    assert not check_password(registered.secret, stored.client_secret)
    assertNotContains(client.get(url(registered)), new_secret)
    event = AuditEvent.objects.get(action="identity.client.new_secret")
    assert event.actor == world.alice
    assert new_secret not in str(event.__dict__) and stored.client_secret not in str(event.__dict__)

    client.force_login(world.rita)
    refused = exchange(client, registered, code)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    userinfo = client.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
    )
    assert userinfo.status_code == 200, "tokens already issued keep working"
    renewed = type(registered)(client=stored, secret=new_secret)
    assert exchange(client, renewed, code).status_code == 200


def test_a_public_client_has_no_secret_to_replace(client, world):
    registered = make_client(world.mcc_service, public=True)
    stored = registered.client.client_secret
    client.force_login(world.alice)

    page = client.get(url(registered))
    refused = client.post(secret_url(registered))

    assertNotContains(page, "Make a new secret")
    assertContains(refused, "A public client has no secret", status_code=400)
    assert ServiceClient.objects.get().client_secret == stored
    assert not AuditEvent.objects.filter(action="identity.client.new_secret").exists()


def test_a_partner_member_sees_the_addresses_but_changes_nothing(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.bob)

    page = client.get(url(registered))

    assert page.status_code == 200
    assertContains(page, REDIRECT)
    assertNotContains(page, "Save addresses")
    assertNotContains(page, "Make a new secret")
    assert client.post(url(registered), addresses(redirect_uris=MOVED)).status_code == 403
    assert client.post(secret_url(registered)).status_code == 403
    stored = ServiceClient.objects.get()
    assert stored.redirect_uris == REDIRECT
    assert check_password(registered.secret, stored.client_secret)


def test_another_co_op_finds_no_such_client(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.carol)

    assert client.get(url(registered)).status_code == 404
    assert client.post(url(registered), addresses(redirect_uris=MOVED)).status_code == 404
    assert client.post(secret_url(registered)).status_code == 404
    # Nor through the address of a service of its own.
    assert client.get(url(registered, "cct", "cct-chat")).status_code == 404
    assert ServiceClient.objects.get().redirect_uris == REDIRECT


def test_a_client_is_only_found_under_its_own_service(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    assert client.get(url(registered, "mcc", "not-this-service")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    registered = make_client(world.mcc_service)

    page = client.get(url(registered))

    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert client.post(secret_url(registered)).status_code == 302
    assert check_password(registered.secret, ServiceClient.objects.get().client_secret)


def test_the_new_secret_page_asks_for_a_post(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    assert client.get(secret_url(registered)).status_code == 405


def test_pkce_still_guards_a_moved_public_client(client, world):
    registered = make_client(world.mcc_service, public=True)
    client.force_login(world.alice)
    client.post(url(registered), addresses(redirect_uris=MOVED))
    client.force_login(world.rita)

    without = client.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, redirect_uri=MOVED)
    )
    _, challenge = pkce_pair()
    with_pkce = client.get(
        reverse("oauth2_provider:authorize"),
        authorize_params(
            registered, redirect_uri=MOVED, code_challenge=challenge, code_challenge_method="S256"
        ),
    )

    assert query_of(without)["error"] == "invalid_request"
    assert with_pkce.status_code == 200


def remove_url(registered, org="mcc", service="mcc-files"):
    return reverse("identity:remove_client", args=[org, service, registered.client.pk])


def test_a_partner_admin_removes_a_client_and_what_was_issued_to_it_stops(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.rita)
    tokens = sign_in_to(client, registered)
    client.force_login(world.alice)

    removed = client.post(remove_url(registered), {"confirm": "yes"})

    assert removed.status_code == 302
    assert removed["Location"] == reverse("identity:service_clients", args=["mcc", "mcc-files"])
    assertContains(client.get(removed["Location"]), "Removed client")
    assert not ServiceClient.objects.exists()
    assert not Consent.objects.exists()
    userinfo = client.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
    )
    assert userinfo.status_code == 401
    event = AuditEvent.objects.get(action="identity.client.remove")
    assert event.actor == world.alice and event.note == "1 tokens went with it"
    assert event.before["redirect_uris"] == REDIRECT
    assert event.before["client_secret"] == "(set)"
    client.force_login(world.rita)
    gone = client.get(reverse("oauth2_provider:authorize"), authorize_params(registered))
    assert gone.status_code == 400


def test_removing_asks_for_the_box_to_be_ticked(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)

    page = client.post(remove_url(registered))

    assertContains(page, "Tick the box to confirm", status_code=400)
    assert ServiceClient.objects.exists()
    assert not AuditEvent.objects.filter(action="identity.client.remove").exists()


def test_only_the_co_ops_admins_can_remove_a_client(client, world):
    registered = make_client(world.mcc_service)

    client.force_login(world.bob)
    assert client.post(remove_url(registered), {"confirm": "yes"}).status_code == 403
    assertNotContains(client.get(url(registered)), "Remove client")
    client.force_login(world.carol)
    assert client.post(remove_url(registered), {"confirm": "yes"}).status_code == 404
    client.force_login(world.alice)
    assert client.get(remove_url(registered)).status_code == 405
    assert ServiceClient.objects.exists()


def addresses_form_action(page) -> str:
    """Where the page's "Save addresses" form posts."""
    html = page.content.decode()
    form = html[html.rindex("<form", 0, html.index("Save addresses")) :]
    return re.search(r'action="([^"]*)"', form[: form.index(">")]).group(1)


def test_the_addresses_form_posts_to_the_client_page_from_the_new_secret_page(client, world):
    """The new secret's page is drawn at …/secret/; saving addresses there must not make
    yet another secret, which would stop the one just copied."""
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)
    page = client.post(secret_url(registered))
    shown = page.context["registered"].secret

    client.post(addresses_form_action(page), addresses(redirect_uris=MOVED))

    stored = ServiceClient.objects.get()
    assert stored.redirect_uris == MOVED
    assert check_password(shown, stored.client_secret)
    assert AuditEvent.objects.filter(action="identity.client.new_secret").count() == 1


def test_the_addresses_form_posts_to_the_client_page_from_a_refused_removal(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)
    page = client.post(remove_url(registered))  # the box not ticked

    client.post(addresses_form_action(page), addresses(redirect_uris=MOVED))

    assert ServiceClient.objects.get().redirect_uris == MOVED


def test_a_code_sent_to_an_address_just_removed_buys_no_tokens(client, world):
    registered = make_client(world.mcc_service)
    client.force_login(world.rita)
    code = authorization_code(client, registered)  # sent to REDIRECT
    client.force_login(world.alice)
    client.post(url(registered), addresses(redirect_uris=MOVED))

    redeemed = exchange(client, registered, code)

    assert redeemed.status_code == 400 and redeemed.json()["error"] == "invalid_grant"


def test_a_client_still_owed_logout_tokens_is_not_removed(client, world):
    """They would go with it, never sent and never recorded as given up."""
    registered = make_client(world.mcc_service)
    registered.client.backchannel_logout_uri = "https://files.mcc.example.org/backchannel"
    registered.client.save()
    LogoutDelivery.objects.create(
        client=registered.client,
        user=world.rita,
        subject=subject_for(world.rita, registered.client),
        reason=LogoutDelivery.Reason.PASSWORD,
        attempts=1,
        last_outcome="HTTP 503",
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    client.force_login(world.alice)
    # The page says so before the button is pressed.
    assertContains(client.get(url(registered)), "the removal is refused")

    refused = client.post(remove_url(registered), {"confirm": "yes"})

    assertContains(refused, "still owed 1 logout tokens", status_code=400)
    assert ServiceClient.objects.exists() and LogoutDelivery.objects.exists()
    LogoutDelivery.objects.update(abandoned_at=timezone.now())
    assert client.post(remove_url(registered), {"confirm": "yes"}).status_code == 302


@pytest.mark.parametrize(
    ("target", "data"),
    [
        (remove_url, {"confirm": "yes"}),
        (secret_url, {}),
        (url, addresses(redirect_uris=MOVED)),
    ],
    ids=["remove twice", "new secret", "change addresses"],
)
def test_a_request_racing_a_removal_finds_the_client_gone(client, world, monkeypatch, target, data):
    registered = make_client(world.mcc_service)
    client.force_login(world.alice)
    found_before = views._client_for_user

    def found_then_removed_by_another_request(*args, **kwargs):
        found = found_before(*args, **kwargs)
        # The other request's removal commits while this one waits for the row's lock.
        actions.remove_client(client=found, actor=world.alice)
        return found

    monkeypatch.setattr(views, "_client_for_user", found_then_removed_by_another_request)

    assert client.post(target(registered), data).status_code == 404
