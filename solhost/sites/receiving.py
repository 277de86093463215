"""At the primary: take in a batch of events a site forwarded, once each.

One transaction per batch, holding the site's row locked, so two forwards from one site
at once take turns. Audit events are kept under a receipt per (site, store, kind, local
id), the store being the one at the site that numbered them (``StoreIdentity``),
with their original time; usage events go through metering's own write path, idempotent
by each event's key. Every event gets an outcome: stored, duplicate (the primary has it
already) or refused (with the reason, e.g. its month is closed).

Each receipt keeps the event's fingerprint (its kind of action and moment), so an event
numbered like one received before but not it is told apart from a repeat: the store was
restored from a backup, and the batch is refused whole (``NumberReused``) until the site
forwards it under a new name (``sites.restores``).
"""

import datetime
import hashlib
import json

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from solhost.core.audit import AuditAction, is_known_action, record
from solhost.core.models import AuditEvent
from solhost.identity import actions as identity_actions
from solhost.identity import jwks
from solhost.identity.models import ServiceClient, User
from solhost.metering.actions import MAX_BATCH, record_usage_batch
from solhost.partners.models import Organisation
from solhost.residents.actions import anonymise_late_trail
from solhost.sites.access_ends import mark_applied
from solhost.sites.keys import checked_public_keys, own_site, registered_as_published
from solhost.sites.models import ForwardedEvent, Site

Kind = ForwardedEvent.Kind
Outcome = ForwardedEvent.Outcome
MAX_EVENTS = MAX_BATCH
STORE_NAME_LENGTH = ForwardedEvent._meta.get_field("store").max_length


class MalformedBatch(ValueError):
    """A batch whose events are not what a site sends; nothing of it was kept."""


class NumberReused(Exception):
    """The primary holds another event of the store's under a number of this batch: the
    store went back to a backup and numbers anew. Nothing of the batch was kept."""

    def __init__(self, *, kind: str, local_id: int):
        self.kind, self.local_id = kind, local_id
        super().__init__(
            f"{kind} event {local_id} of this store is not the one forwarded under that "
            "number before: the store was restored from a backup"
        )


def fingerprint_of(kind: str, event: dict) -> str:
    """What the same event sends alike every time and two events hardly ever share: its
    action (or usage key) and its moment to the microsecond. Not its other fields, which
    an erasure may change at the site between two sends; empty with no moment to read."""
    moment = _moment(event.get("at") if kind == Kind.AUDIT else event.get("occurred_at"))
    if moment is None:
        return ""
    what = event.get("action") if kind == Kind.AUDIT else event.get("key")
    utc = moment.astimezone(datetime.UTC).isoformat()
    return hashlib.sha256(json.dumps([kind, str(what), utc]).encode()).hexdigest()


def _ids(events: list) -> list[int]:
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        raise MalformedBatch(f"events must be a list of at most {MAX_EVENTS}")
    ids = []
    for index, event in enumerate(events):
        local_id = event.get("id") if isinstance(event, dict) else None
        if type(local_id) is not int:
            raise MalformedBatch(f"events[{index}].id must be the event's id at the site")
        ids.append(local_id)
    if len(set(ids)) != len(ids):
        raise MalformedBatch("an event is in the batch twice")
    return ids


def _store(store) -> str:
    # Batches from before stores were named carry none: their receipts are under "".
    if store is None:
        return ""
    if not isinstance(store, str) or len(store) > STORE_NAME_LENGTH:
        raise MalformedBatch(
            f"store must be the store's name, at most {STORE_NAME_LENGTH} characters"
        )
    return store


@transaction.atomic
def receive_batch(*, site: Site, kind: str, events: list, store: str | None = None) -> list[dict]:
    """Keep the site's ``events`` of ``kind``, numbered by its ``store``; each one's
    outcome, in the batch's order."""
    ids = _ids(events)
    if kind not in Kind.values:
        raise MalformedBatch(f"kind must be one of {', '.join(Kind.values)}")
    store = _store(store)
    now = timezone.now()
    Site.objects.select_for_update().filter(pk=site.pk).update(last_forward_at=now)
    known = dict(
        ForwardedEvent.objects.filter(
            site=site, store=store, kind=kind, local_id__in=ids
        ).values_list("local_id", "fingerprint")
    )
    fingerprints = {event["id"]: fingerprint_of(kind, event) for event in events}
    reused = sorted(
        local_id
        for local_id, kept in known.items()
        if kept and fingerprints[local_id] and kept != fingerprints[local_id]
    )
    if reused:
        raise NumberReused(kind=kind, local_id=reused[0])
    new = [event for event in events if event["id"] not in known]
    if kind == Kind.AUDIT:
        results = _store_audit_events(site, new, now)
    else:
        results = _store_usage_events(site, new, now)
    _keep_receipts(site, store, kind, now, results, fingerprints)
    answers = []
    for local_id in ids:
        outcome, reason, _ = results.get(local_id, (Outcome.DUPLICATE, "forwarded before", None))
        answers.append({"id": local_id, "outcome": outcome, "reason": reason})
    return answers


_RECEIPTS_FROM_JSON = f"""
INSERT INTO {ForwardedEvent._meta.db_table}
    (site_id, store, kind, local_id, received_at, outcome, reason, audit_event_id, fingerprint)
SELECT %s, %s, %s, (e->>0)::bigint, %s::timestamptz, e->>1, e->>2, (e->>3)::bigint, e->>4
FROM json_array_elements(%s::json) AS e
"""  # noqa: S608 (the model's table)


def _keep_receipts(
    site: Site,
    store: str,
    kind: str,
    now: datetime.datetime,
    results: dict,
    fingerprints: dict[int, str],
) -> None:
    """One receipt per event of the batch that was new here (the site's row is locked)."""
    rows = [
        (local_id, outcome, reason[:300], audit_event, fingerprints[local_id])
        for local_id, (outcome, reason, audit_event) in results.items()
    ]
    if not rows:
        return
    if connection.vendor == "postgresql":
        # A batch is a thousand rows: one statement, as metering stores usage.
        with connection.cursor() as cursor:
            cursor.execute(_RECEIPTS_FROM_JSON, [site.pk, store, kind, now, json.dumps(rows)])
        return
    ForwardedEvent.objects.bulk_create(
        ForwardedEvent(
            site=site,
            store=store,
            kind=kind,
            local_id=local_id,
            received_at=now,
            outcome=outcome,
            reason=reason,
            audit_event_id=audit_event,
            fingerprint=fingerprint,
        )
        for local_id, outcome, reason, audit_event, fingerprint in rows
    )


def _moment(value) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _content_type(natural_key) -> ContentType | None:
    if not (isinstance(natural_key, list) and len(natural_key) == 2):
        return None
    try:
        return ContentType.objects.get_by_natural_key(*natural_key)
    except ContentType.DoesNotExist:
        return None


def _store_audit_events(site: Site, events: list[dict], now) -> dict[int, tuple]:
    actors = set(
        User.objects.filter(
            pk__in=[e["actor"] for e in events if type(e.get("actor")) is int]
        ).values_list("pk", flat=True)
    )
    results: dict[int, tuple] = {}
    kept: list[AuditEvent] = []
    for event in events:
        at = _moment(event.get("at"))
        action = event.get("action")
        if at is None or not isinstance(action, str) or not is_known_action(action):
            results[event["id"]] = (Outcome.REFUSED, "not an audit event of this region", None)
            continue
        stored = AuditEvent.objects.create(
            actor_id=event.get("actor") if event.get("actor") in actors else None,
            actor_label=str(event.get("actor_label", ""))[:200],
            action=action,
            content_type=_content_type(event.get("content_type")),
            object_id=str(event.get("object_id", ""))[:64],
            object_repr=str(event.get("object_repr", ""))[:200],
            before=event.get("before"),
            after=event.get("after"),
            note=str(event.get("note", "")),
        )
        # Kept at the moment it happened at the site, not when it arrived.
        AuditEvent.objects.filter(pk=stored.pk).update(at=at)
        results[event["id"]] = (Outcome.STORED, "", stored.pk)
        kept.append(stored)
        if action == AuditAction.CONSENT_WITHDRAW:
            _end_disconnected_service(site, stored, at)
    _anonymise_the_erased(kept)
    return results


def _anonymise_the_erased(events: list[AuditEvent]) -> None:
    """A site cut off forwards the trail of a resident erased here meanwhile under the
    names the erasure took out of the trail: they go from these events too."""
    user_type = ContentType.objects.get_for_model(User)
    names: dict[int, set[str]] = {}
    for event in events:
        if event.actor_id is not None:
            names.setdefault(event.actor_id, set()).add(event.actor_label)
        if event.content_type_id == user_type.pk and event.object_id.isdecimal():
            names.setdefault(int(event.object_id), set()).add(event.object_repr)
    erased = User.objects.filter(pk__in=names, account_deletions__erased_at__isnull=False)
    for user in erased.distinct():
        anonymise_late_trail(user=user, names=names[user.pk])


def _end_disconnected_service(site: Site, event: AuditEvent, at: datetime.datetime) -> None:
    """The resident disconnected a service at the site: every other site ends what it
    issued to the service before then (``sites.access_ends``), the primary at once."""
    client = (
        ServiceClient.objects.filter(pk=event.object_id).first()
        if event.object_id.isdigit()
        else None
    )
    if (
        event.actor is None
        or client is None
        or event.content_type != ContentType.objects.get_for_model(ServiceClient)
    ):
        return  # an account or a service gone since: nothing of it is left to end
    end = identity_actions.end_disconnected_elsewhere(
        user=event.actor, client=client, at=at, site=site.name
    )
    mark_applied(end)


def _store_usage_events(site: Site, events: list[dict], now) -> dict[int, tuple]:
    results: dict[int, tuple] = {}
    by_partner: dict[int, list[dict]] = {}
    for event in events:
        if type(event.get("partner")) is not int:
            results[event["id"]] = (Outcome.REFUSED, "names no partner", None)
            continue
        by_partner.setdefault(event["partner"], []).append(event)
    partners = Organisation.objects.in_bulk(list(by_partner))
    for partner_id, batch in by_partner.items():
        partner = partners.get(partner_id)
        if partner is None:
            for event in batch:
                results[event["id"]] = (Outcome.REFUSED, "no such partner any more", None)
            continue
        local_by_key: dict[str, int] = {}
        reported = []
        for event in batch:
            key = event.get("key")
            if not isinstance(key, str) or key in local_by_key:
                results[event["id"]] = (Outcome.REFUSED, "no key, or a key twice", None)
                continue
            local_by_key[key] = event["id"]
            reported.append(
                {
                    "id": key,
                    "resident": event.get("resident"),
                    "service": event.get("service"),
                    "kind": event.get("kind"),
                    "quantity": event.get("quantity"),
                    "occurred_at": event.get("occurred_at"),
                }
            )
        outcome = record_usage_batch(partner=partner, events=reported, now=now, from_a_site=True)
        for key in outcome.accepted:
            results[local_by_key[key]] = (Outcome.STORED, "", None)
        for key in outcome.duplicates:
            results[local_by_key[key]] = (Outcome.DUPLICATE, "the primary had it already", None)
        for rejection in outcome.rejected:
            local_id = local_by_key.get(reported[rejection.index]["id"])
            if local_id is not None:
                reason = "; ".join(f"{where}: {message}" for where, message in rejection.problems)
                results[local_id] = (Outcome.REFUSED, reason, None)
    return results


@transaction.atomic
def receive_keys(*, site: Site, keys, signed_with: str) -> list[str]:
    """Register the public keys a site announces (signed with ``signed_with``, a key the
    primary knows for it) in place of those it had; their kids.

    The announcement must hold the key that signed it: a site can't disown the key it
    proves itself with. Replacing a site's keys by hand (``solhost sites add``) stays the
    steward's way after a withdrawal, when the site has no key the primary knows.
    """
    try:
        announced = checked_public_keys(keys)
    except ValueError as error:
        raise MalformedBatch(f"keys: {error}") from error
    kids = [key["kid"] for key in announced["keys"]]
    if signed_with not in kids:
        raise MalformedBatch("keys: the announced keys must include the one that signed them")
    current = Site.objects.select_for_update().get(pk=site.pk)
    if set(kids) != set(current.kids()):
        before = current.kids()
        current.jwks, current.keys_updated_at = announced, timezone.now()
        current.save(update_fields=["jwks", "keys_updated_at"])
        record(
            actor=None,
            action=AuditAction.SITE_KEYS,
            obj=current,
            before={"kids": before},
            after={"kids": kids},
            note=f"announced by the site, signed with its registered key {signed_with}",
        )
    return kids


def register_own_keys() -> list[str] | None:
    """At the primary, registered as a site of its own: its row follows its key ring, as a
    site's follows by announcement, so a rotation's new key is in every site's JWKS before
    it signs. The kids registered when they changed; None when nothing did."""
    site = own_site()
    if site is None or registered_as_published(site):
        return None
    published = jwks.own_public_keys()
    return receive_keys(site=site, keys=published, signed_with=published[0]["kid"])
