"""What a resident ends at one site ends at every site: a disconnected service, a new
password, an erased account (``identity.AccessEnd``, ``sites.access_ends``).

In one database these tests play this site (``main``) and the records the region's other
sites made, as they arrive by replication or, for a disconnect made at a site cut off,
forwarded with its audit trail; the site test (test_cut_off_site) does it across servers.
"""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity import actions
from solhost.identity.models import (
    AccessEnd,
    Consent,
    LogoutDelivery,
    SignedInSession,
)
from solhost.identity.subjects import sid_for
from solhost.identity.tests.oidc import SCOPES, introspect, make_client, refresh, sign_in_to
from solhost.identity.tests.test_backchannel_logout import (  # noqa: F401
    client_posting_to,
    log_in,
    receiver,
)
from solhost.sites import access_ends
from solhost.sites.keys import own_public_keys, sign_batch
from solhost.sites.models import AccessEndApplied, Site
from solhost.sites.tasks import end_access_ended_elsewhere
from solhost.test import PASSWORD
from solhost.tests.forms import admin_form_data

Reason = LogoutDelivery.Reason


@pytest.fixture(autouse=True)
def main(settings):
    """This installation is the site ``main``; the test client's host is its issuer."""
    settings.SOLHOST_SITE = "main"
    settings.BASE_URL = "http://testserver"


def ended_at(site: str, *, user, reason, client=None, at=None) -> AccessEnd:
    """What another site's resident did, as its row reaches this site."""
    return AccessEnd.objects.create(
        resident_id=user.pk, client=client, reason=reason, at=at or timezone.now(), site=site
    )


def active(registered, tokens: dict) -> bool:
    return introspect(Client(), registered, tokens["access_token"])["active"]


def test_a_disconnect_at_another_site_ends_what_this_site_issued_to_that_service(world):
    files, chat = make_client(world.mcc_service), make_client(world.cct_service)
    rita = log_in("rita@example.org")
    at_files = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    at_chat = sign_in_to(rita, chat)

    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)
    assert access_ends.apply_waiting() == 1

    assert not active(files, at_files)
    assert refresh(Client(), files, at_files["refresh_token"]).json()["error"] == "invalid_grant"
    assert not Consent.objects.filter(user=world.rita, client=files.client).exists()
    # The other service keeps what it holds.
    assert active(chat, at_chat)
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert revoked.object_id == str(files.client.pk)
    assert revoked.note == "1 tokens revoked: the resident disconnected the service at hill"
    # Applied once.
    assert AccessEndApplied.objects.count() == 1
    assert access_ends.apply_waiting() == 0


def test_what_the_resident_allowed_after_the_disconnect_is_kept(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    before = sign_in_to(rita, files)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)
    # Signed in to the service again here, agreeing again, after disconnecting it there.
    Consent.objects.filter(user=world.rita).delete()
    after = sign_in_to(rita, files)

    access_ends.apply_waiting()

    assert not active(files, before)
    assert active(files, after)
    assert Consent.objects.filter(user=world.rita, client=files.client).exists()


def test_what_the_service_refreshed_on_its_own_after_the_disconnect_ends_too(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    issued = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)
    # Before the end reaches this site (or while it is cut off), the service rotates its
    # refresh token: the new one is newer than the disconnect, but the resident did nothing.
    rotated = refresh(Client(), files, issued["refresh_token"]).json()

    access_ends.apply_waiting()

    assert not active(files, rotated)
    assert refresh(Client(), files, rotated["refresh_token"]).json()["error"] == "invalid_grant"


def test_the_service_is_told_by_back_channel_logout(
    world, request, django_capture_on_commit_callbacks
):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    rita = log_in("rita@example.org")
    sign_in_to(rita, files)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)

    with django_capture_on_commit_callbacks(execute=True):
        access_ends.apply_waiting()

    delivery = LogoutDelivery.objects.get()
    assert (delivery.client, delivery.reason) == (files.client, Reason.DISCONNECT)
    assert str(delivery.sid) == sid_for(
        SignedInSession.objects.get(user=world.rita).sid, files.client
    )
    assert len(endpoint.received) == 1


def test_the_service_is_told_only_of_the_sign_ins_before_the_disconnect(
    world, request, django_capture_on_commit_callbacks
):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    laptop = log_in("rita@example.org")
    sign_in_to(laptop, files)
    disconnected_at = timezone.now()
    # Then, here, on her phone, Rita signs in to the service again, agreeing again, before
    # the disconnect she made at the cut-off site arrives: that sign-in is kept.
    Consent.objects.filter(user=world.rita).delete()
    phone = log_in("rita@example.org")
    sign_in_to(phone, files)
    ended_at(
        "hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client, at=disconnected_at
    )

    with django_capture_on_commit_callbacks(execute=True):
        access_ends.apply_waiting()

    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)
    assert [str(delivery.sid) for delivery in LogoutDelivery.objects.all()] == [
        sid_for(laptops.sid, files.client)
    ]


def test_a_new_password_set_at_another_site_ends_the_sessions_begun_here_before_it(world):
    files = make_client(world.mcc_service)
    laptop = log_in("rita@example.org")
    online, offline = (
        sign_in_to(laptop, files),
        sign_in_to(laptop, files, scope=f"{SCOPES} offline_access"),
    )
    ended_at("hill", user=world.rita, reason=Reason.PASSWORD)
    phone = log_in("rita@example.org")  # with the new password, after it changed

    assert access_ends.apply_waiting() == 1

    assert laptop.get(reverse("identity:connected")).status_code == 302
    assert phone.get(reverse("identity:connected")).status_code == 200
    assert [s.session_key for s in SignedInSession.objects.all()] == [phone.session.session_key]
    # As at the site where the password changed: what the ended session was issued goes
    # with it, what the resident let the service keep while away stays.
    assert not active(files, online)
    assert active(files, offline)
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_END_PASSWORD).count() == 1


def test_a_session_begun_here_with_the_old_password_after_it_changed_elsewhere_ends(world, request):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    ended_at("hill", user=world.rita, reason=Reason.PASSWORD)
    # Cut off, this site's standby still had the old password, which let someone in after
    # the resident had changed it; then the new one arrives with the rest of the region.
    thief = log_in("rita@example.org")
    online = sign_in_to(thief, files)
    type(world.rita).objects.filter(pk=world.rita.pk).update(
        password=make_password("a new long passphrase")
    )
    # The thief's browser asks again before the end is applied: Django refuses its session.
    assert thief.get(reverse("identity:connected")).status_code == 302

    access_ends.apply_waiting()

    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert not active(files, online)
    # The service is told of the session, as it would be for one begun before the change.
    assert LogoutDelivery.objects.get().reason == Reason.PASSWORD


def test_a_session_begun_here_with_the_new_password_is_kept(world):
    files = make_client(world.mcc_service)
    ended_at("hill", user=world.rita, reason=Reason.PASSWORD)
    phone = log_in("rita@example.org")
    online = sign_in_to(phone, files)

    access_ends.apply_waiting()

    assert phone.get(reverse("identity:connected")).status_code == 200
    assert active(files, online)


def test_an_account_erased_elsewhere_keeps_nothing_here(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    ended_at("main-2", user=world.rita, reason=Reason.DELETED)

    access_ends.apply_waiting()

    assert not active(files, tokens)
    assert not SignedInSession.objects.filter(user=world.rita).exists()
    assert not Consent.objects.filter(user=world.rita).exists()
    assert rita.get(reverse("identity:connected")).status_code == 302


def test_an_account_deactivated_elsewhere_is_signed_out_here_and_keeps_its_consents(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    offline = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    # The steward's change arrives by replication, with the record of it.
    type(world.rita).objects.filter(pk=world.rita.pk).update(is_active=False)
    ended_at("main-2", user=world.rita, reason=Reason.DEACTIVATED)

    assert access_ends.apply_waiting() == 1

    assert not SignedInSession.objects.filter(user=world.rita).exists()
    type(world.rita).objects.filter(pk=world.rita.pk).update(is_active=True)
    # Revoked, not only refused while the account is inactive.
    assert not active(files, offline)
    assert Consent.objects.filter(user=world.rita, client=files.client).exists()
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert revoked.note == "1 tokens revoked: the steward deactivated the account"


def test_an_account_let_in_again_before_its_deactivation_arrives_keeps_its_sessions(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files)
    ended_at("main-2", user=world.rita, reason=Reason.DEACTIVATED)

    access_ends.apply_waiting()

    assert rita.get(reverse("identity:connected")).status_code == 200
    assert active(files, tokens)


def test_renewed_credentials_end_everything_here_until_a_new_password_is_chosen(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    offline = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    # The renewal arrives by replication: the unusable password, with the record of it.
    type(world.rita).objects.filter(pk=world.rita.pk).update(password=make_password(None))
    ended_at("main-2", user=world.rita, reason=Reason.RENEWED)

    assert access_ends.apply_waiting() == 1

    assert not SignedInSession.objects.filter(user=world.rita).exists()
    # Offline access too: the copied password may have got it.
    assert not active(files, offline)
    assert Consent.objects.filter(user=world.rita, client=files.client).exists()
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert revoked.note == "1 tokens revoked: the steward renewed the account's credentials"


def test_what_the_new_password_chosen_after_a_renewal_began_here_is_kept(world):
    files = make_client(world.mcc_service)
    before = log_in("rita@example.org")
    offline = sign_in_to(before, files, scope=f"{SCOPES} offline_access")
    ended_at("main-2", user=world.rita, reason=Reason.RENEWED)
    # The resident chose a new password at the primary, and it arrived with the renewal
    # before this site applied it; they signed in here with it.
    type(world.rita).objects.filter(pk=world.rita.pk).update(
        password=make_password("a new long passphrase")
    )
    after = Client()
    after.post(
        reverse("account_login"),
        {"login": "rita@example.org", "password": "a new long passphrase"},
    )
    kept = sign_in_to(after, files, scope=f"{SCOPES} offline_access")

    access_ends.apply_waiting()

    assert [s.session_key for s in SignedInSession.objects.all()] == [after.session.session_key]
    assert not active(files, offline)
    assert active(files, kept)


def test_the_steward_deactivating_an_account_here_records_it_for_the_other_sites(world, client):
    client.force_login(world.sam)
    url = reverse("admin:identity_user_change", args=[world.rita.pk])

    client.post(url, admin_form_data(client.get(url), is_active=""))

    (end,) = AccessEnd.objects.all()
    assert (end.resident_id, end.client, end.reason, end.site) == (
        world.rita.pk,
        None,
        Reason.DEACTIVATED,
        "main",
    )


def test_ends_made_here_or_too_long_ago_are_not_applied_again(world, settings):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files)
    lifetime = settings.OAUTH2_PROVIDER["REFRESH_TOKEN_EXPIRE_SECONDS"]
    # Made here: this site ended it as the resident did it.
    ended_at("main", user=world.rita, reason=Reason.DISCONNECT, client=files.client)
    # Older than any token: whatever it ended has expired.
    old = timezone.now() - datetime.timedelta(seconds=lifetime + 60)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client, at=old)

    assert list(access_ends.waiting()) == []
    assert active(files, tokens)


def test_the_resident_s_own_actions_here_are_recorded_for_the_other_sites(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    sign_in_to(rita, files)

    rita.post(reverse("identity:disconnect", args=[files.client.pk]))
    rita.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
    )
    actions.end_access_of_deleted_account(user=world.rita)

    recorded = [
        (end.resident_id, end.client, end.reason, end.site) for end in AccessEnd.objects.all()
    ]
    assert recorded == [
        (world.rita.pk, files.client, Reason.DISCONNECT, "main"),
        (world.rita.pk, None, Reason.PASSWORD, "main"),
        (world.rita.pk, None, Reason.DELETED, "main"),
    ]


def _forwarded_disconnect(world, registered, settings, *, local_id: int, at: str) -> str:
    """A batch the site hill signed: the resident disconnected the service there."""
    settings.SOLHOST_SITE = "hill"
    batch = sign_batch(
        {
            "kind": "audit",
            "events": [
                {
                    "id": local_id,
                    "at": at,
                    "actor": world.rita.pk,
                    "actor_label": "rita",
                    "action": str(AuditAction.CONSENT_WITHDRAW),
                    "content_type": ["identity", "serviceclient"],
                    "object_id": str(registered.client.pk),
                    "object_repr": "MCC Files",
                    "before": None,
                    "after": None,
                    "note": "1 tokens revoked",
                }
            ],
        }
    )
    settings.SOLHOST_SITE = "main"
    return batch


def test_a_disconnect_forwarded_from_a_site_is_recorded_and_ended_here_at_once(
    client, world, settings
):
    # This installation plays the primary, to which the site hill forwards.
    Site.objects.create(name="hill", jwks=own_public_keys(), keys_updated_at=timezone.now())
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    before = sign_in_to(rita, files)
    at = timezone.now().isoformat()
    batch = _forwarded_disconnect(world, files, settings, local_id=41, at=at)

    answered = client.post("/sites/forward/", data=batch, content_type="application/jose")
    again = client.post("/sites/forward/", data=batch, content_type="application/jose")

    assert answered.status_code == 200, answered.content
    assert [o["outcome"] for o in again.json()["outcomes"]] == ["duplicate"]
    end = AccessEnd.objects.get()
    assert (end.client, end.reason, end.site) == (files.client, Reason.DISCONNECT, "hill")
    assert end.at == datetime.datetime.fromisoformat(at)
    assert not active(files, before)
    # Applied as it arrived: the job has nothing left to do here.
    assert list(access_ends.waiting()) == []


def test_a_forwarded_disconnect_of_a_service_gone_since_ends_nothing(client, world, settings):
    Site.objects.create(name="hill", jwks=own_public_keys(), keys_updated_at=timezone.now())
    files = make_client(world.mcc_service)
    batch = _forwarded_disconnect(world, files, settings, local_id=7, at=timezone.now().isoformat())
    files.client.delete()

    answered = client.post("/sites/forward/", data=batch, content_type="application/jose")

    assert [o["outcome"] for o in answered.json()["outcomes"]] == ["stored"]
    assert not AccessEnd.objects.exists()


def test_the_command_applies_what_waits(world, capsys, settings):
    files = make_client(world.mcc_service)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)

    call_command("sites", "end-access")

    assert "Ended access as 1 ends made at other sites asked." in capsys.readouterr().out
    settings.SOLHOST_SITE = ""
    with pytest.raises(CommandError, match="several sites"):
        call_command("sites", "end-access")


def test_a_disconnect_at_a_replica_site_says_the_others_follow_and_waits_for_forwarding(
    world, settings
):
    # A replica site: its disconnect travels in its audit trail, not as a region row it
    # would have to write at the primary (sites.receiving records it there).
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files)

    page = rita.post(reverse("identity:disconnect", args=[files.client.pk]), follow=True)

    assert "other sites stop it too as soon as this one reaches them" in page.content.decode()
    assert not active(files, tokens)
    assert not AccessEnd.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_WITHDRAW).count() == 1


def test_a_region_of_one_site_records_nothing_for_others(world, settings):
    settings.SOLHOST_SITE = ""
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    sign_in_to(rita, files)

    rita.post(reverse("identity:disconnect", args=[files.client.pk]))

    assert not AccessEnd.objects.exists()


def test_an_end_for_an_account_deleted_since_forgets_what_was_kept_for_it(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    ended_at("hill", user=world.rita, reason=Reason.PASSWORD)
    rita_id = world.rita.pk
    # As a site sees it: its store's rows have no link to the region's accounts, so the
    # account's row goes alone (the check of the links here would come at a commit).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM identity_user WHERE id = %s", [rita_id])

    assert access_ends.apply_waiting() == 1

    assert not active(files, tokens)
    assert not SignedInSession.objects.filter(user_id=rita_id).exists()
    assert AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKE).note == (
        "1 tokens revoked: the account is no longer in the region's database"
    )
    # The row again, for the test database's own check of every link at the end.
    world.rita.save(force_insert=True)


def test_the_primary_forgets_ends_older_than_any_token(world, settings):
    files = make_client(world.mcc_service)
    lifetime = settings.OAUTH2_PROVIDER["REFRESH_TOKEN_EXPIRE_SECONDS"]
    old = timezone.now() - datetime.timedelta(seconds=lifetime + 60)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client, at=old)
    recent = ended_at("hill", user=world.rita, reason=Reason.PASSWORD)

    end_access_ended_elsewhere.call_local()

    assert list(AccessEnd.objects.all()) == [recent]
    assert AccessEndApplied.objects.get().access_end_id == recent.pk


def test_the_steward_sees_what_was_applied_and_what_waits(client, world):
    files = make_client(world.mcc_service)
    ended_at("hill", user=world.rita, reason=Reason.DISCONNECT, client=files.client)
    access_ends.apply_waiting()
    ended_at("hill", user=world.rita, reason=Reason.PASSWORD)
    client.force_login(world.sam)

    page = client.get(reverse("sites:steward")).content.decode()

    assert "<strong>1</strong> waits to be applied here" in page
    assert "1 applied in all" in page
    assert "<td>The resident disconnected the service</td><td>MCC Files</td><td>hill</td>" in page
    assert "rita" not in page
    out = StringIO()
    call_command("sites", "status", stdout=out)
    assert "Access ended at other sites, waiting to be applied here: 1" in out.getvalue()


def test_the_connected_page_says_each_site_lists_its_own(world, settings):
    rita = log_in("rita@example.org")

    page = " ".join(rita.get(reverse("identity:connected")).content.decode().split())

    assert "through this site of the region, <strong>main</strong>" in page
    assert "Disconnecting a service here stops it at every site" in page
    assert "signs out every browser at every site" in page
    settings.SOLHOST_SITE = ""
    page = rita.get(reverse("identity:connected")).content.decode()
    assert "each of the region's other sites" not in page
