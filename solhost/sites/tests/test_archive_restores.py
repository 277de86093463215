"""``solhost restore`` brought a whole installation back from an archive: every session and
token in it ends before anyone is let in, as for a site's restored store
(test_store_restores.py). The real command, in its own process, is in
solhost/backups/tests/test_round_trip.py; here the signal it sends, in a one-site region.
"""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from solhost.backups.actions import Restored
from solhost.backups.signals import installation_restored
from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity.models import LogoutDelivery, SignedInSession
from solhost.identity.tests.oidc import SCOPES, introspect, make_client, refresh, sign_in_to
from solhost.identity.tests.test_backchannel_logout import (  # noqa: F401
    client_posting_to,
    log_in,
    receiver,
)
from solhost.sites import queries, restores
from solhost.sites.models import StoreIdentity, StoreRestore
from solhost.sites.tasks import end_what_came_back_with_a_restore
from solhost.web.tests.pages import assert_clean_page

ARCHIVE = "solhost-backup-20261207T034500Z.tar.gz, made 2026-12-07T03:45:00+00:00"


def _restored() -> list[str]:
    """The lines ``solhost restore`` prints for its receivers: those that answered one (with
    no account journal, the residents app has nothing to say)."""
    answers = installation_restored.send(sender=Restored, note=ARCHIVE, account_changes=[])
    return [line for _, line in answers if line]


def test_every_session_and_token_the_archive_brought_back_ends_and_services_are_told(
    world, request, django_capture_on_commit_callbacks
):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    rita = log_in("rita@example.org")
    # Offline access too: the revocation the archive predates may be what it brought back.
    tokens = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    sam = log_in("sam@example.org")
    sessions = list(SignedInSession.objects.values_list("session_key", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        lines = _restored()

    assert lines == [
        "sign-ins: every session and token the archive brought back ended (2 residents "
        "signed out); the job runner tells their services by back-channel logout"
    ]
    assert not introspect(Client(), files, tokens["access_token"])["active"]
    refreshed = refresh(Client(), files, tokens["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert rita.get("/accounts/").status_code == 302
    assert sam.get("/accounts/").status_code == 302
    assert not Session.objects.filter(session_key__in=sessions).exists()
    # The service Rita signed in to hears of her session, as for a site's restored store.
    delivery = LogoutDelivery.objects.get()
    assert delivery.reason == LogoutDelivery.Reason.RESTORED
    assert len(endpoint.received) == 1
    restore = StoreRestore.objects.get()
    assert restore.found_by == StoreRestore.FoundBy.ARCHIVE
    assert restore.residents_signed_out == 2 and restore.ended_at is not None
    event = AuditEvent.objects.get(action=AuditAction.SITE_STORE_RESTORE)
    assert event.note == ARCHIVE and event.after["first_ids"] == {}
    # The installation's events are not forwarded, so none takes a new name.
    assert not StoreIdentity.objects.exists()


def test_an_archive_with_no_live_sign_in_says_so(world):
    assert _restored() == ["sign-ins: the archive brought back no live session or token"]
    assert StoreRestore.objects.get().ended_at is not None


def test_signing_in_again_after_the_restore_works(world):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    sign_in_to(rita, files, scope=SCOPES)
    _restored()

    again = log_in("rita@example.org")
    tokens = sign_in_to(again, files, scope=SCOPES)

    assert introspect(Client(), files, tokens["access_token"])["active"]
    assert again.get("/accounts/").status_code == 200


@pytest.mark.parametrize("replica", [False, True], ids=["one-site region", "replica site"])
def test_a_restore_left_unfinished_is_finished_by_the_job_each_minute(world, settings, replica):
    rita, sam = log_in("rita@example.org"), log_in("sam@example.org")
    restore = restores.restored_from_archive(note=ARCHIVE)
    # The restore stopped after one resident.
    assert not restores.finish(restore, at_most=1)
    if replica:
        # A replica site finishes its restores after forwarding, in a job that holds its lock.
        settings.SOLHOST_SITE = "hill"
        settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"

    end_what_came_back_with_a_restore.call_local()

    restore.refresh_from_db()
    assert restore.residents_signed_out == 1 + (not replica)
    assert (restore.ended_at is None) == replica
    if not replica:
        assert rita.get("/accounts/").status_code == 302
        assert sam.get("/accounts/").status_code == 302


def test_the_steward_sees_the_restore_and_how_far_it_got(world):
    files = make_client(world.mcc_service)
    sign_in_to(log_in("rita@example.org"), files, scope=SCOPES)
    _restored()
    unfinished = StoreRestore.objects.create(
        found_by=StoreRestore.FoundBy.ARCHIVE,
        found_at=timezone.now(),
        ends_before=timezone.now(),
        note="solhost-backup-20261208T034500Z.tar.gz, made 2026-12-08T03:45:00+00:00",
    )

    page = log_in("sam@example.org").get("/steward/sites/")

    assert_clean_page(page)
    section = page.content.decode().split('id="archive-restores"')[1].split("</section>")[0]
    assert section.index(unfinished.note) < section.index(ARCHIVE)
    assert "1 resident signed out of what was issued before" in section
    assert "finished" in section and "not finished yet" in section


def test_a_replica_site_lists_no_archive_restore(world, settings):
    _restored()
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"

    assert queries.archive_restores() == []
