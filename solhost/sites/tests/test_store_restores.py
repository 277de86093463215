"""A site's store restored from a backup: none of its events is lost or taken for another,
and no session or token that had ended comes back (``sites.restores``).

In one database these tests play both ends, as test_forwarding does: the primary's door
with batches signed by a site's key, and the site with a stand-in for the primary. The
site test (test_cut_off_site) restores a real store from ``pg_dump`` across servers.
"""

import datetime
import io
import json
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk, jwt

from solhost.core.audit import AuditAction, record
from solhost.core.models import AuditEvent
from solhost.identity.models import LogoutDelivery, SignedInSession
from solhost.identity.tests.oidc import SCOPES, introspect, make_client, sign_in_to
from solhost.identity.tests.test_backchannel_logout import (  # noqa: F401
    client_posting_to,
    log_in,
    receiver,
)
from solhost.metering.models import UsageEvent
from solhost.sites import forwarding, restores
from solhost.sites.keys import own_public_keys, sign_batch
from solhost.sites.models import ForwardedEvent, StoreIdentity, StoreRestore
from solhost.sites.tasks import forward_events
from solhost.sites.tests.test_forwarding import StandInPrimary, audit_event, usage_event
from solhost.web.tests.pages import assert_clean_page

FORWARD = "/sites/forward/"
STORE = str(uuid.uuid4())


@pytest.fixture
def at_the_site(hill, settings):
    """``hill`` reading the region from a standby: a replica site, with a store."""
    settings.BASE_URL = "http://testserver"
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"
    return hill


def _post(client, kind: str, events: list[dict]):
    token = sign_batch({"kind": kind, "store": STORE, "events": events})
    return client.post(FORWARD, data=token, content_type="application/jose")


def test_an_event_numbered_like_another_received_is_refused_whole_and_nothing_is_kept(
    client, world, hill
):
    lost = [
        audit_event(world, 1, at="2026-12-01T09:00:00.000001+00:00"),
        audit_event(world, 2, AuditAction.LOGOUT, at="2026-12-01T09:05:00.000002+00:00"),
    ]
    assert _post(client, "audit", lost).status_code == 200
    kept = AuditEvent.objects.count(), ForwardedEvent.objects.count()

    # The same events again (a lost answer) are repeats, whatever else changed in them.
    again = _post(client, "audit", [{**lost[0], "note": "anonymised since"}, lost[1]])
    assert [o["outcome"] for o in again.json()["outcomes"]] == ["duplicate", "duplicate"]

    # The restored store numbers 2 again, for an event of its own, and 3 after it.
    restored = [
        lost[0],
        audit_event(world, 2, at="2026-12-02T10:00:00.000003+00:00"),
        audit_event(world, 3, at="2026-12-02T10:01:00.000004+00:00"),
    ]
    answer = _post(client, "audit", restored)

    assert answer.status_code == 409
    assert answer.json()["number_reused"] == {"kind": "audit", "id": 2}
    assert answer.json()["problems"][0]["where"] == "events[id=2]"
    assert "restored from a backup" in answer.json()["problems"][0]["message"]
    assert (AuditEvent.objects.count(), ForwardedEvent.objects.count()) == kept


def test_a_usage_event_numbered_like_another_is_refused_and_a_repeat_still_counts_once(
    client, world, hill
):
    now = timezone.now()
    yesterday = now - datetime.timedelta(days=1)
    first = usage_event(world, 1, yesterday.date(), occurred_at=yesterday)
    assert _post(client, "usage", [first]).json()["outcomes"][0]["outcome"] == "stored"
    assert _post(client, "usage", [first]).json()["outcomes"][0]["outcome"] == "duplicate"

    answer = _post(client, "usage", [usage_event(world, 1, now.date(), occurred_at=now)])

    assert answer.status_code == 409
    assert answer.json()["number_reused"] == {"kind": "usage", "id": 1}
    assert UsageEvent.objects.count() == 1


def test_receipts_from_before_fingerprints_take_a_number_sent_again_as_a_repeat(
    client, world, hill
):
    first = audit_event(world, 1, at="2026-12-01T09:00:00+00:00")
    _post(client, "audit", [first])
    ForwardedEvent.objects.update(fingerprint="")

    answer = _post(client, "audit", [{**first, "at": "2026-12-02T09:00:00+00:00"}])

    assert answer.json()["outcomes"][0]["outcome"] == "duplicate"


class RestoredStandIn:
    """A primary holding the lost store's events under its first name from ``first`` on:
    a batch under that name reaching them is refused, as the real door refuses it;
    everything else is stored."""

    def __init__(self, *, name: str, kind: str, first: int):
        self.name, self.kind, self.first = name, kind, first
        self.batches: list[dict] = []

    def __call__(self, token: str) -> dict:
        keys = jwk.JWKSet.from_json(json.dumps(own_public_keys()))
        claims = json.loads(jwt.JWT(jwt=token, key=keys).claims)
        ids = [event["id"] for event in claims["events"]]
        held = [i for i in ids if i >= self.first]
        if claims["store"] == self.name and claims["kind"] == self.kind and held:
            raise forwarding.NumberReused("held", kind=self.kind, local_id=min(held))
        self.batches.append(claims)
        return {"outcomes": [{"id": i, "outcome": "stored", "reason": ""} for i in ids]}

    def sent(self) -> list[tuple[str, list[int]]]:
        return [(c["store"], [e["id"] for e in c["events"]]) for c in self.batches]


def _recorded(world, count: int) -> list[AuditEvent]:
    return [
        record(actor=world.rita, action=AuditAction.LOGIN, obj=world.rita) for _ in range(count)
    ]


def test_a_restore_the_primary_finds_renames_the_store_from_that_number_and_loses_nothing(
    world, at_the_site
):
    events = _recorded(world, 5)
    [first_name] = forwarding.store_names("audit")
    primary = RestoredStandIn(name=str(first_name.name), kind="audit", first=events[2].pk)

    attempt = forwarding.forward(post=primary)

    assert attempt.problem == ""
    restore = StoreRestore.objects.get()
    assert restore.found_by == StoreRestore.FoundBy.PRIMARY
    assert restore.ends_before == events[2].at
    new_name = StoreIdentity.objects.get(kind="audit").name
    assert new_name != first_name.name
    assert StoreIdentity.objects.get(kind="audit").first_local_id == events[2].pk
    # The numbers below it go again under the first name; the rest, and the restore's own
    # audit event, under the new one; each event once, and all of them marked.
    sent = primary.sent()
    assert sent[0] == (str(first_name.name), [e.pk for e in events[:2]])
    restored_event = AuditEvent.objects.get(action=AuditAction.SITE_STORE_RESTORE)
    assert sent[1] == (str(new_name), [e.pk for e in events[2:]] + [restored_event.pk])
    assert forwarding.backlog() == {"audit": 0, "usage": 0}
    # Usage events keep the first name: nothing was found for them.
    assert [n.name for n in forwarding.store_names("usage")] == [first_name.name]


def test_what_was_issued_before_a_restore_the_primary_found_ends_and_what_came_since_stays(
    world, at_the_site, request, django_capture_on_commit_callbacks
):
    endpoint = request.getfixturevalue("receiver")
    files = client_posting_to(world.mcc_service, endpoint.uri)
    rita = log_in("rita@example.org")
    from_the_backup = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    old_session = SignedInSession.objects.get()
    # The restored store's first event of its own marks the restore; then Rita signs in
    # again in another browser.
    [marker] = _recorded(world, 1)
    SignedInSession.objects.update(started=marker.at - datetime.timedelta(minutes=1))
    laptop = log_in("rita@example.org")
    since = sign_in_to(laptop, files, scope=SCOPES)

    with django_capture_on_commit_callbacks(execute=True):
        restore = restores.found_by_primary(kind="audit", local_id=marker.pk)
        assert restores.finish(restore)

    assert not introspect(Client(), files, from_the_backup["access_token"])["active"]
    assert introspect(Client(), files, since["access_token"])["active"]
    assert not Session.objects.filter(session_key=old_session.session_key).exists()
    assert laptop.get("/accounts/").status_code == 200
    assert rita.get("/accounts/").status_code == 302
    # The service hears of the ended session, by its sid.
    delivery = LogoutDelivery.objects.get()
    assert delivery.reason == LogoutDelivery.Reason.RESTORED
    assert len(endpoint.received) == 1
    restore.refresh_from_db()
    assert restore.residents_signed_out == 1 and restore.ended_at is not None


def test_the_operator_ends_everything_issued_before_and_new_events_take_new_names(
    world, at_the_site
):
    files = make_client(world.mcc_service)
    rita = log_in("rita@example.org")
    tokens = sign_in_to(rita, files, scope=f"{SCOPES} offline_access")
    sam = log_in("sam@example.org")
    highest_audit = AuditEvent.objects.order_by("-pk").first().pk
    highest_usage = UsageEvent.objects.get().pk  # her sign-in to the service
    out = io.StringIO()

    call_command(
        "sites", "restored-store", why="disk died; restored last night's dump", yes=True, stdout=out
    )

    assert "Signed out 2 residents" in out.getvalue()
    assert not introspect(Client(), files, tokens["access_token"])["active"]
    assert rita.get("/accounts/").status_code == 302
    assert sam.get("/accounts/").status_code == 302
    names = {n.kind: n.first_local_id for n in StoreIdentity.objects.exclude(kind="")}
    assert names == {"audit": highest_audit + 1, "usage": highest_usage + 1}
    # Its own audit event is under the new name.
    event = AuditEvent.objects.get(action=AuditAction.SITE_STORE_RESTORE)
    assert forwarding.name_for(forwarding.store_names("audit"), event.pk) == str(
        StoreIdentity.objects.get(kind="audit").name
    )
    assert event.note == "disk died; restored last night's dump"
    assert StoreRestore.objects.get().found_by == StoreRestore.FoundBy.OPERATOR

    status = io.StringIO()
    call_command("sites", "status", stdout=status)
    assert "residents signed out" in status.getvalue() and "finished" in status.getvalue()


def test_without_yes_the_command_only_explains_and_it_needs_a_reason_and_a_site(
    world, hill, settings
):
    rita = log_in("rita@example.org")
    with pytest.raises(CommandError, match="restored-store` is for a site's store"):
        call_command("sites", "restored-store", why="x", yes=True)
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby.example/region"
    with pytest.raises(CommandError, match="--why"):
        call_command("sites", "restored-store", why="  ", yes=True)
    out = io.StringIO()

    call_command("sites", "restored-store", why="restored", stdout=out)

    assert "With --yes" in out.getvalue()
    assert not StoreRestore.objects.exists() and not StoreIdentity.objects.exists()
    assert rita.get("/accounts/").status_code == 200


def test_a_restore_left_unfinished_is_finished_by_the_job_each_minute(world, at_the_site, settings):
    # Cut off: the job's forwarding fails, and the ending needs no link.
    settings.SOLHOST_SITE_PRIMARY_URL = "http://127.0.0.1:9"
    rita, sam = log_in("rita@example.org"), log_in("sam@example.org")
    restore = restores.restored_by_operator(why="restored")
    # The command stopped after one resident.
    assert not restores.finish(restore, at_most=1)
    assert StoreRestore.objects.get().residents_signed_out == 1

    forward_events.call_local()

    restore.refresh_from_db()
    assert restore.ended_at is not None and restore.residents_signed_out == 2
    assert rita.get("/accounts/").status_code == 302
    assert sam.get("/accounts/").status_code == 302


def test_the_steward_sees_the_restore_at_the_site(world, at_the_site):
    restores.restored_by_operator(why="restored last night's dump")
    steward = log_in("sam@example.org")

    page = steward.get("/steward/sites/")

    assert_clean_page(page)
    text = page.content.decode()
    assert "This store was restored from a backup" in text
    assert "not finished yet" in text and "restored last night" in text


def test_after_the_primary_is_restored_the_site_forwards_again_what_it_lost(world, at_the_site):
    primary = StandInPrimary()
    _recorded(world, 3)
    forwarding.forward(post=primary)
    backup_taken = timezone.now()
    since = _recorded(world, 2)
    forwarding.forward(post=primary)
    primary.batches.clear()

    again = forwarding.forward_again_since(backup_taken, why="the primary's disk died")
    forwarding.forward(post=primary)

    assert again == 2
    event = AuditEvent.objects.get(action=AuditAction.SITE_FORWARD_AGAIN)
    assert event.after == {"since": backup_taken.isoformat(), "events": 2}
    assert event.note == "the primary's disk died"
    # What went before the backup was taken stays marked; the rest goes again, with the
    # record of it.
    assert primary.ids() == [[e.pk for e in since] + [event.pk]]
    assert forwarding.backlog() == {"audit": 0, "usage": 0}


@pytest.mark.parametrize("moment", ["yesterday", "2026-12-07T03:00", "2026-13-07T03:00Z"])
def test_forwarding_again_needs_a_moment_with_its_zone(world, at_the_site, moment):
    with pytest.raises(CommandError, match="give a date and time with its zone"):
        call_command("sites", "forward", again_since=moment, why="restored")


def test_forwarding_again_says_why_and_unmarks_even_while_the_primary_is_out_of_reach(
    world, at_the_site, settings
):
    settings.SOLHOST_SITE_PRIMARY_URL = "http://127.0.0.1:9"
    _recorded(world, 2)
    forwarding.forward(post=StandInPrimary())
    with pytest.raises(CommandError, match="--why"):
        call_command("sites", "forward", again_since="2026-01-01T00:00Z")
    out = io.StringIO()

    with pytest.raises(CommandError, match="forwarding stopped: the primary is out of reach"):
        call_command(
            "sites", "forward", again_since="2026-01-01T00:00Z", why="restored", stdout=out
        )

    assert "2 events the primary answered for since then go again." in out.getvalue()
    assert forwarding.backlog()["audit"] == 3  # and the record of it
