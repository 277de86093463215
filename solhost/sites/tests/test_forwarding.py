"""Forwarding a site's events to the primary: signed, idempotent, in order, nothing lost.

In one database these tests play both ends: the site's side with a stand-in for the
primary, and the primary's door (``POST /sites/forward/``) with batches signed by a
site's key, as the real test (test_cut_off_site) does across two servers.
"""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from jwcrypto import jwk, jwt

from solhost.core.audit import AuditAction, record
from solhost.core.models import AuditEvent
from solhost.identity import jwks
from solhost.identity.tests.oidc import own_key_folder, rotate_signing_key
from solhost.metering.actions import record_sign_in
from solhost.metering.models import ActiveDay, UsageEvent
from solhost.residents.actions import erase_account
from solhost.residents.models import AccountDeletion
from solhost.sites import forwarding
from solhost.sites.forwarding import ForwardingFailed
from solhost.sites.keys import announcing_key, key_announcement, own_public_keys, sign_batch
from solhost.sites.models import Forwarded, ForwardedEvent, Site, StoreIdentity
from solhost.sites.receiving import register_own_keys
from solhost.web.tests.pages import assert_clean_page

FORWARD = "/sites/forward/"


def _post(client, token: str):
    return client.post(FORWARD, data=token, content_type="application/jose")


def audit_event(
    world, local_id: int, action=AuditAction.LOGIN, *, at: str = "2026-11-30T09:15:00+11:00"
) -> dict:
    """An audit event of Rita's as a site sends it, numbered ``local_id`` there."""
    return {
        "id": local_id,
        "at": at,
        "actor": world.rita.pk,
        "actor_label": "rita",
        "action": str(action),
        "content_type": ["identity", "user"],
        "object_id": str(world.rita.pk),
        "object_repr": "rita",
        "before": None,
        "after": None,
        "note": "from 10.0.0.7",
    }


def usage_event(
    world, local_id: int, day: datetime.date, *, occurred_at: datetime.datetime | None = None
) -> dict:
    """Rita's sign-in to MCC Files on ``day`` as a site sends it, numbered ``local_id``."""
    return {
        "id": local_id,
        "partner": world.mcc.pk,
        "key": f"signin:{world.rita.sub}:mcc-files:{day.isoformat()}",
        "resident": str(world.rita.sub),
        "service": "mcc-files",
        "kind": "sign_in",
        "quantity": 1,
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
    }


def test_a_batch_is_kept_once_however_often_it_is_sent(client, world, hill):
    events = [audit_event(world, 7), audit_event(world, 8, AuditAction.TOKEN_ISSUE)]
    token = sign_batch({"kind": "audit", "events": events})
    first = _post(client, token)
    assert first.status_code == 200, first.content
    assert [o["outcome"] for o in first.json()["outcomes"]] == ["stored", "stored"]
    again = _post(client, token)
    assert [o["outcome"] for o in again.json()["outcomes"]] == ["duplicate", "duplicate"]
    kept = AuditEvent.objects.filter(forwarded__site=hill).order_by("forwarded__local_id")
    assert [e.action for e in kept] == ["identity.login", "identity.token.issue"]
    # Kept at the moment it happened at the site, by the resident who did it.
    assert kept[0].at == datetime.datetime.fromisoformat("2026-11-30T09:15:00+11:00")
    assert kept[0].actor == world.rita and kept[0].note == "from 10.0.0.7"
    hill.refresh_from_db()
    assert hill.last_forward_at is not None


def _outcomes(client, kind: str, events: list[dict], store: str) -> list[str]:
    answer = _post(client, sign_batch({"kind": kind, "store": store, "events": events}))
    assert answer.status_code == 200, answer.content
    return [outcome["outcome"] for outcome in answer.json()["outcomes"]]


def test_a_store_made_again_numbers_from_1_and_none_of_its_events_is_lost(client, world, hill):
    """A site's store lost and made again (``solhost sites prepare`` on an empty database)
    numbers its events from 1 again, under a new name: the primary keeps them as the new
    events they are, and what each store sends twice still counts once."""
    lost, made_again = str(uuid.uuid4()), str(uuid.uuid4())
    audit = [audit_event(world, 1), audit_event(world, 2, AuditAction.TOKEN_ISSUE)]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    assert _outcomes(client, "audit", audit, lost) == ["stored", "stored"]
    assert _outcomes(client, "usage", [usage_event(world, 1, yesterday)], lost) == ["stored"]
    assert _outcomes(client, "audit", audit, made_again) == ["stored", "stored"]
    assert _outcomes(client, "usage", [usage_event(world, 1, today)], made_again) == ["stored"]
    assert _outcomes(client, "audit", audit, made_again) == ["duplicate", "duplicate"]

    assert AuditEvent.objects.filter(forwarded__site=hill).count() == 4
    assert UsageEvent.objects.count() == 2


@pytest.mark.parametrize("store", [7, "s" * 37, ["a"]])
def test_a_batch_naming_its_store_wrongly_is_refused_and_changes_nothing(
    client, world, hill, store
):
    token = sign_batch({"kind": "audit", "store": store, "events": [audit_event(world, 1)]})

    answer = _post(client, token)

    assert answer.status_code == 400
    assert answer.json()["problems"][0]["message"].startswith("store must be the store's name")
    assert not ForwardedEvent.objects.exists()


def test_usage_is_counted_once_whichever_site_saw_the_sign_in(client, world, hill):
    today = timezone.localdate()
    # The resident also signed in at the primary that day: the same key, one day of use.
    record_sign_in(user=world.rita, service=world.mcc_service, day=today)
    answer = _post(client, sign_batch({"kind": "usage", "events": [usage_event(world, 3, today)]}))
    assert answer.json()["outcomes"] == [
        {"id": 3, "outcome": "duplicate", "reason": "the primary had it already"}
    ]
    assert UsageEvent.objects.count() == 1 and ActiveDay.objects.count() == 1


def test_usage_from_a_site_makes_an_active_day(client, world, hill):
    today = timezone.localdate()
    answer = _post(client, sign_batch({"kind": "usage", "events": [usage_event(world, 3, today)]}))
    assert answer.json()["outcomes"][0]["outcome"] == "stored"
    assert ActiveDay.objects.filter(
        resident=world.rita, service=world.mcc_service, day=today
    ).exists()


def test_an_event_the_primary_cannot_take_is_refused_with_its_reason(client, world, hill):
    event = {**usage_event(world, 4, timezone.localdate()), "resident": ""}
    answer = _post(client, sign_batch({"kind": "usage", "events": [event]})).json()
    assert answer["outcomes"][0]["outcome"] == "refused"
    assert "resident" in answer["outcomes"][0]["reason"]
    assert ForwardedEvent.objects.get(local_id=4).outcome == "refused"


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("removed", "no site of the region signs with this key"),
        ("unregistered", "no site of the region signs with this key"),
        ("other_name", "says it is from"),
        ("expired", "expired"),
    ],
)
def test_only_a_registered_site_may_forward_in_its_own_name(
    client, world, hill, settings, tamper, message
):
    now = None
    if tamper == "removed":
        hill.removed_at = timezone.now()
        hill.save()
    elif tamper == "unregistered":
        hill.jwks = {
            "keys": [
                {**jwk.JWK.generate(kty="RSA", size=2048).export_public(as_dict=True), "kid": "x"}
            ]
        }
        hill.save()
    elif tamper == "other_name":
        settings.SOLHOST_SITE = "valley"
    elif tamper == "expired":
        now = timezone.now().timestamp() - 3600
    answer = _post(
        client, sign_batch({"kind": "audit", "events": [audit_event(world, 1)]}, now=now)
    )
    assert answer.status_code == 403
    assert message in answer.json()["problems"][0]["message"]
    assert not ForwardedEvent.objects.exists()


def test_the_trail_of_an_account_erased_before_it_arrived_does_not_name_the_resident(
    client, world, hill
):
    world.rita.display_name = "Rita Moreno"
    world.rita.save(update_fields=["display_name"])
    now = timezone.now()
    deletion = AccountDeletion.objects.create(
        user=world.rita, requested_at=now, erase_after=now, final_email_sent_at=now
    )
    # Erased at the primary while the site, cut off, still signed her in.
    erase_account(deletion=deletion, now=now)
    label = AccountDeletion.objects.get().anonymous_id
    session = {
        **audit_event(world, 8, AuditAction.SESSION_END),
        "content_type": ["identity", "signedinsession"],
        "object_id": "hill:3",
        "object_repr": "Rita Moreno since 2026-11-30 09:15",
    }
    events = [{**audit_event(world, 7), "object_repr": "Rita Moreno"}, session]

    answer = _post(client, sign_batch({"kind": "audit", "events": events}))

    assert [o["outcome"] for o in answer.json()["outcomes"]] == ["stored", "stored"]
    kept = AuditEvent.objects.filter(forwarded__site=hill).order_by("forwarded__local_id")
    assert [(e.actor_label, e.object_repr) for e in kept] == [
        (label, label),
        (label, f"{label} since 2026-11-30 09:15"),
    ]


def test_a_malformed_batch_changes_nothing(client, world, hill):
    token = sign_batch({"kind": "audit", "events": [{"id": "seven"}]})
    answer = _post(client, token)
    assert answer.status_code == 400 and not ForwardedEvent.objects.exists()


def _public() -> str:
    return json.dumps(own_public_keys())


def _recorded(world, count: int) -> list[AuditEvent]:
    return [
        record(actor=world.rita, action=AuditAction.LOGIN, obj=world.rita) for _ in range(count)
    ]


class StandInPrimary:
    """Takes every batch a site posts: keeps each (its size, its claims) and answers every
    event stored."""

    def __init__(self):
        self.batches: list[tuple[int, dict]] = []

    def __call__(self, token: str) -> dict:
        claims = json.loads(jwt.JWT(jwt=token, key=jwk.JWKSet.from_json(_public())).claims)
        self.batches.append((len(token), claims))
        ids = [event["id"] for event in claims["events"]]
        return {"outcomes": [{"id": i, "outcome": "stored", "reason": ""} for i in ids]}

    def ids(self) -> list[list[int]]:
        return [[event["id"] for event in claims["events"]] for _, claims in self.batches]


def test_the_site_forwards_in_order_and_marks_only_what_the_primary_answered(world, settings):
    settings.SOLHOST_SITE = "hill"
    events = _recorded(world, 5)
    primary = StandInPrimary()

    attempt = forwarding.forward(post=primary, batch_size=2)
    assert primary.ids() == [
        [e.pk for e in events[:2]],
        [e.pk for e in events[2:4]],
        [events[4].pk],
    ]
    assert (attempt.sent, attempt.stored, attempt.problem) == (5, 5, "")
    assert forwarding.backlog() == {"audit": 0, "usage": 0}
    # Run again: nothing is sent twice.
    primary.batches.clear()
    assert forwarding.forward(post=primary).sent == 0 and primary.batches == []


def test_every_batch_names_this_store_and_a_store_made_again_has_a_new_name(world, settings):
    settings.SOLHOST_SITE = "hill"
    primary = StandInPrimary()

    def stores() -> list[str]:
        return [claims["store"] for _, claims in primary.batches]

    _recorded(world, 3)
    forwarding.forward(post=primary, batch_size=2)
    _recorded(world, 1)
    forwarding.forward(post=primary)
    [name] = set(stores())
    assert name == str(StoreIdentity.objects.get().name)

    # The store is lost and made again: it has no name yet, and takes a new one.
    StoreIdentity.objects.all().delete()
    _recorded(world, 1)
    forwarding.forward(post=primary)
    assert stores()[-1] != name
    assert stores()[-1] == str(StoreIdentity.objects.get().name)


def _heavy(world, count: int, size: int) -> list[AuditEvent]:
    """Events each carrying about ``size`` characters (a long note)."""
    return [
        record(actor=world.rita, action=AuditAction.LOGIN, obj=world.rita, note="n" * size)
        for _ in range(count)
    ]


def test_a_batch_too_heavy_for_the_primary_goes_as_smaller_ones(world, settings, monkeypatch):
    settings.SOLHOST_SITE = "hill"
    monkeypatch.setattr(forwarding, "MAX_BATCH_BYTES", 20_000)
    events = _heavy(world, 12, 3_000)
    primary = StandInPrimary()

    attempt = forwarding.forward(post=primary)

    assert (attempt.sent, attempt.stored, attempt.problem) == (12, 12, "")
    assert len(primary.batches) > 1 and all(size <= 20_000 for size, _ in primary.batches)
    assert [i for ids in primary.ids() for i in ids] == [event.pk for event in events]
    assert forwarding.backlog()["audit"] == 0


def test_an_event_too_heavy_on_its_own_is_refused_here_and_the_rest_goes_on(
    client, world, settings, monkeypatch
):
    settings.SOLHOST_SITE = "hill"
    monkeypatch.setattr(forwarding, "MAX_BATCH_BYTES", 20_000)
    before = _recorded(world, 2)
    [too_big] = _heavy(world, 1, 30_000)
    after = _recorded(world, 2)
    primary = StandInPrimary()

    attempt = forwarding.forward(post=primary)

    assert (attempt.sent, attempt.stored, attempt.refused, attempt.problem) == (5, 4, 1, "")
    assert primary.ids() == [[e.pk for e in before], [e.pk for e in after]]
    mark = Forwarded.objects.get(local_id=too_big.pk)
    assert mark.outcome == "refused"
    assert mark.reason == (
        "not sent: this audit event alone weighs more than a batch may carry (20,000 bytes)"
    )
    assert forwarding.backlog()["audit"] == 0
    # The steward sees it with the reason.
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    client.force_login(world.sam)
    page = client.get("/steward/sites/")
    assert_clean_page(page)
    assert "Not kept by the primary" in page.text
    assert f"Audit event {too_big.pk} (" in page.text and mark.reason in page.text


def test_the_primary_reads_a_batch_as_heavy_as_a_site_sends(client, world, hill):
    def signed(count: int) -> str:
        events = [{**audit_event(world, n), "note": "n" * 4_000} for n in range(1, count + 1)]
        return sign_batch({"kind": "audit", "store": str(uuid.uuid4()), "events": events})

    each = len(signed(2)) - len(signed(1))
    token = signed(forwarding.MAX_BATCH_BYTES // each - 1)
    assert forwarding.MAX_BATCH_BYTES * 0.95 < len(token) <= forwarding.MAX_BATCH_BYTES

    answer = _post(client, token)

    assert answer.status_code == 200, answer.content[:300]


def test_a_link_down_marks_nothing_and_the_next_run_sends_it_all(world, settings):
    settings.SOLHOST_SITE = "hill"
    _recorded(world, 3)

    def down(token: str) -> dict:
        raise ForwardingFailed("the primary is out of reach: connection refused")

    attempt = forwarding.forward(post=down)
    assert attempt.sent == 0 and "out of reach" in attempt.problem
    assert not Forwarded.objects.exists()
    assert forwarding.backlog()["audit"] == 3


def test_an_answer_missing_an_event_marks_none_of_the_batch(world, settings):
    settings.SOLHOST_SITE = "hill"
    events = _recorded(world, 2)

    def forgetful(token: str) -> dict:
        return {"outcomes": [{"id": events[0].pk, "outcome": "stored"}]}

    attempt = forwarding.forward(post=forgetful)
    assert "did not answer" in attempt.problem
    assert not Forwarded.objects.exists()


def test_the_steward_sees_the_sites_and_a_resident_does_not(client, world, hill):
    client.force_login(world.sam)
    page = client.get("/steward/sites/")
    assert page.status_code == 200
    assert "hill" in page.content.decode() and hill.kids()[0] in page.content.decode()
    client.force_login(world.rita)
    assert client.get("/steward/sites/").status_code == 403


def test_registering_a_site_takes_public_keys_only(world, tmp_path, settings):
    private = jwk.JWK.generate(kty="RSA", size=2048)
    path = tmp_path / "keys.json"
    path.write_text(
        json.dumps(
            {"keys": [{**private.export_private(as_dict=True), "kid": private.thumbprint()}]}
        )
    )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="private key"):
        call_command("sites", "add", "valley", "--keys", str(path))
    path.write_text(
        json.dumps({"keys": [{**private.export_public(as_dict=True), "kid": "made-up"}]})
    )
    with pytest.raises(CommandError, match="thumbprint"):
        call_command("sites", "add", "valley", "--keys", str(path))
    path.write_text(
        json.dumps({"keys": [{**private.export_public(as_dict=True), "kid": private.thumbprint()}]})
    )
    call_command("sites", "add", "valley", "--keys", str(path))
    valley = Site.objects.get(name="valley")
    assert valley.kids() == [private.thumbprint()]
    assert AuditEvent.objects.filter(action="sites.keys").count() == 1
    call_command("sites", "remove", "valley")
    valley.refresh_from_db()
    assert valley.removed_at is not None


def test_only_the_primary_takes_forwarded_events(client, world, settings):
    token = sign_batch({"kind": "audit", "events": []})
    # A region of one site, and a site reading from a standby, have no door for them.
    assert _post(client, token).status_code == 404
    settings.SOLHOST_SITE = "hill"
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    assert _post(client, token).status_code == 404


def _kids(keys) -> list[str]:
    return [key["kid"] for key in keys]


def _rotated(settings, tmp_path) -> list[str]:
    """This installation's keys in a folder of the test's own, rotated: the kids it
    publishes (the key that signs, then the next)."""
    own_key_folder(settings, tmp_path / "keys", since=timezone.now() - datetime.timedelta(days=9))
    call_command("oidc-keys", "rotate", stdout=io.StringIO())
    return _kids(own_public_keys()["keys"])


def test_a_site_announces_a_rotated_key_and_the_primary_registers_it(
    client, world, hill, settings, tmp_path
):
    published = _rotated(settings, tmp_path)
    assert hill.kids() == published[:1]

    answer = _post(client, key_announcement())

    assert answer.status_code == 200, answer.content
    assert answer.json() == {"site": "hill", "kids": published}
    hill.refresh_from_db()
    assert hill.kids() == published
    event = AuditEvent.objects.get(action=AuditAction.SITE_KEYS)
    assert event.before == {"kids": published[:1]} and event.after == {"kids": published}
    assert event.note == f"announced by the site, signed with its registered key {published[0]}"
    # In step now: nothing more to announce, and every site's JWKS has the next key.
    assert key_announcement() is None
    assert published[1] in _kids(client.get("/.well-known/jwks.json").json()["keys"])


@pytest.mark.parametrize(
    ("signing_for", "still_published"),
    [(datetime.timedelta(minutes=5), True), (datetime.timedelta(days=3), False)],
    ids=["its ID tokens may be valid", "reads only hints"],
)
def test_a_site_whose_signing_key_is_not_registered_announces_with_one_that_is(
    client, world, hill, settings, tmp_path, signing_for, still_published
):
    # The new key already signs (the site was cut off all through the notice period), and
    # the one before, which the primary knows, is retired: still published for the hour its
    # ID tokens last, and kept after that to read services' hints, so a site back within
    # that time (the longest a refresh token lives) still catches up by itself.
    rotate_signing_key(settings, tmp_path / "keys", ago=signing_for)
    retired = hill.kids()[0]
    signing = jwks.key_ring().active.public_jwk["kid"]
    published = [signing, retired] if still_published else [signing]
    assert _kids(own_public_keys()["keys"]) == published

    answer = _post(client, key_announcement())

    # The primary keeps the key that signed the announcement, published or not.
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"site": "hill", "kids": [signing, retired]}
    event = AuditEvent.objects.get(action=AuditAction.SITE_KEYS)
    assert event.note == f"announced by the site, signed with its registered key {retired}"
    # A key no longer published goes with the next forward, signed with the new key.
    if not still_published:
        assert _post(client, key_announcement()).json() == {"site": "hill", "kids": published}
    hill.refresh_from_db()
    assert hill.kids() == published
    assert key_announcement() is None


def test_a_site_holding_no_key_the_primary_knows_says_to_register_by_hand(
    client, world, hill, settings, tmp_path
):
    # Cut off for longer than a retired key is kept: the key the primary knows is gone.
    settings.SOLHOST_SITE_REPLICA_URL = "postgres://standby/region"
    rotate_signing_key(
        settings, tmp_path / "keys", ago=datetime.timedelta(seconds=settings.OIDC_HINT_KEY_SECONDS)
    )
    call_command("oidc-keys", "rotate", stdout=io.StringIO())  # deletes the key no longer read
    assert announcing_key(hill) is None
    assert key_announcement() is None
    client.force_login(world.sam)

    response = client.get("/steward/sites/")
    assert_clean_page(response)
    page = " ".join(response.text.split())
    out = io.StringIO()
    call_command("sites", "status", stdout=out)

    assert "this site holds none of them</strong>" in page
    assert "<code>solhost sites add hill --keys FILE</code> at the primary" in page
    assert "the next forward announces them" not in page
    assert "this site holds none of them: register these by hand" in out.getvalue()


def test_forwarding_announces_changed_keys_first_and_only_then(world, hill, settings, tmp_path):
    published = _rotated(settings, tmp_path)
    _recorded(world, 1)
    kinds: list[str] = []

    def primary(token: str) -> dict:
        keys = jwk.JWKSet.from_json(json.dumps(own_public_keys()))
        claims = json.loads(jwt.JWT(jwt=token, key=keys).claims)
        kinds.append(claims["kind"])
        if claims["kind"] == "keys":
            Site.objects.filter(pk=hill.pk).update(jwks={"keys": claims["keys"]})
            return {"site": "hill", "kids": published}
        return {"outcomes": [{"id": e["id"], "outcome": "stored"} for e in claims["events"]]}

    assert forwarding.forward(post=primary).problem == ""
    _recorded(world, 1)
    assert forwarding.forward(post=primary).problem == ""

    assert kinds == ["keys", "audit", "audit"]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("others only", "keys: the announced keys must include the one that signed them"),
        ("private", "keys[0] is a private key"),
        ("not a key", "keys[0] is not a usable RSA key"),
        ("none", "with 1 to 10 keys"),
    ],
)
def test_an_announcement_the_primary_cannot_take_changes_nothing(
    client, world, hill, keys, message
):
    other = jwk.JWK.generate(kty="RSA", size=2048)
    announced = {
        "others only": [{**other.export_public(as_dict=True), "kid": other.thumbprint()}],
        "private": [{**other.export_private(as_dict=True), "kid": other.thumbprint()}],
        "not a key": [{"kty": "RSA", "kid": "x", "n": "!!", "e": "AQAB"}],
        "none": [],
    }[keys]

    answer = _post(client, sign_batch({"kind": "keys", "keys": announced}))

    assert answer.status_code == 400
    assert message in answer.json()["problems"][0]["message"]
    hill.refresh_from_db()
    assert hill.kids() == _kids(own_public_keys()["keys"])
    assert not AuditEvent.objects.filter(action=AuditAction.SITE_KEYS).exists()


def test_the_primarys_own_row_follows_its_key_ring(world, hill, settings, tmp_path):
    # This installation is the primary here (no standby to read from), registered as hill.
    published = _rotated(settings, tmp_path)

    assert register_own_keys() == published
    hill.refresh_from_db()
    assert hill.kids() == published
    assert register_own_keys() is None


def test_the_primary_registers_its_keys_on_demand_too(world, hill, settings, tmp_path):
    published = _rotated(settings, tmp_path)
    out = io.StringIO()

    call_command("sites", "register-keys", stdout=out)
    call_command("sites", "register-keys", stdout=out)

    assert out.getvalue().splitlines() == [
        f"Registered the primary's keys: {', '.join(published)}.",
        "The primary's registered keys are those it publishes already.",
    ]


def test_register_keys_needs_the_primary_registered_as_a_site(world, settings):
    settings.SOLHOST_SITE = "hill"

    with pytest.raises(CommandError, match="the primary is not registered as a site"):
        call_command("sites", "register-keys")


def test_the_steward_sees_this_sites_keys_and_whether_the_primary_has_them(
    client, world, hill, settings, tmp_path
):
    client.force_login(world.sam)
    assert "The primary has these keys registered" in client.get("/steward/sites/").text

    signing, upcoming = _rotated(settings, tmp_path)
    waiting = client.get("/steward/sites/")

    assert_clean_page(waiting)
    text = " ".join(waiting.text.split())
    assert f'<code class="hash">{signing}</code></td><td>Signs now' in text
    starts = jwks.key_ring().upcoming[0].signs_from.astimezone(timezone.get_current_timezone())
    assert (
        f'<code class="hash">{upcoming}</code></td><td>Published, signs from {starts:%-d %b %Y, %H:%M}'
        in text
    )
    assert "The primary has other keys registered for this site." in text
    assert "the primary's job registers them within a minute" in text

    register_own_keys()
    assert "The primary has these keys registered" in client.get("/steward/sites/").text


def test_a_region_of_one_site_shows_its_signing_keys_to_the_steward(client, world, settings):
    settings.OIDC_KEY_ROTATE_DAYS = 90
    client.force_login(world.sam)

    page = client.get("/steward/sites/")

    assert_clean_page(page)
    text = " ".join(page.text.split())
    assert "The region's signing keys" in text
    kid = jwks.key_ring().active.public_jwk["kid"]
    assert f'<code class="hash">{kid}</code></td><td>Signs now' in text
    assert "The worker rotates once the signing key has signed 90 days;" in text
    assert "registered" not in text.split("The region's signing keys")[1].split("</section>")[0]
    settings.OIDC_KEY_ROTATE_DAYS = 0
    assert "Nothing rotates it on a timetable" in client.get("/steward/sites/").text


def test_sites_status_says_what_each_key_is_for_and_whether_the_primary_has_them(
    world, hill, settings, tmp_path
):
    signing, upcoming = _rotated(settings, tmp_path)
    out = io.StringIO()

    call_command("sites", "status", stdout=out)

    starts = jwks.key_ring().upcoming[0].signs_from
    assert f"Signing key {signing}: signs now\n" in out.getvalue()
    assert f"Signing key {upcoming}: published, signs from {starts:%Y-%m-%d %H:%M} UTC\n" in (
        out.getvalue()
    )
    assert "The primary has other keys registered for this site" in out.getvalue()
    register_own_keys()
    call_command("sites", "status", stdout=out)
    assert "The primary has these keys registered." in out.getvalue()
