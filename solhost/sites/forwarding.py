"""At a replica site: forward the audit and usage events recorded here to the primary,
and the site's signing keys when a rotation has changed them.

Pending events are the store's rows without a ``Forwarded`` mark. They go in ascending id
order (so in order per resident), a batch at a time, signed with the site's key; an event
is marked only once the primary has answered for it, so each arrives at least once, and
the primary's receipts and usage keys make a repeat count once. Each batch names the
store (``StoreIdentity``): the primary's receipts are per name, so a store made again from
nothing, numbering its events from 1, has none of them taken for one forwarded before.
A store restored from a backup numbers again what the lost store numbered after it: the
primary refuses such a batch (409, ``number_reused``), and the store takes a new name from
that number on and tells the rest it was restored (``sites.restores``).
"""

import datetime
import json
import urllib.error
import urllib.request
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from solhost.core.audit import AuditAction, record
from solhost.core.models import AuditEvent
from solhost.identity.models import User
from solhost.metering.models import UsageEvent
from solhost.partners.models import Service
from solhost.sites import config, restores
from solhost.sites.keys import key_announcement, sign_batch
from solhost.sites.models import (
    OUTBOX_EVENTS,
    ForwardAttempt,
    Forwarded,
    ForwardedEvent,
    StoreIdentity,
)
from solhost.sites.routers import SITE_LOCAL

BATCH_SIZE = 1000
# The most a signed batch may weigh: the primary reads a request's body only up to
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default) and answers a longer one 400,
# which would stop forwarding at that batch for good. Fuller batches are halved until
# they fit; an event too big on its own is marked refused here, with the reason.
MAX_BATCH_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 60
KINDS = {kind: model for kind, (model, _) in OUTBOX_EVENTS.items()}
FORWARD_PATH = "/sites/forward/"

# Sends a signed batch to the primary and returns its parsed answer.
Poster = Callable[[str], dict]


class ForwardingFailed(Exception):
    """The primary could not be reached, or did not answer for the batch."""


class NumberReused(ForwardingFailed):
    """The primary holds other events of this store's under the batch's numbers, from
    ``local_id`` on: the store was restored from a backup."""

    def __init__(self, message: str, *, kind: str, local_id: int):
        super().__init__(message)
        self.kind, self.local_id = kind, local_id


def pending(kind: str):
    """The store's events of ``kind`` the primary has not answered for yet, oldest first."""
    model = KINDS[kind]
    marks = Forwarded.objects.using(config.STORE).filter(kind=kind, local_id=OuterRef("pk"))
    return model.objects.using(config.STORE).filter(~Exists(marks)).order_by("pk")


def backlog() -> dict[str, int]:
    return {kind: pending(kind).count() for kind in KINDS}


def _audit_payload(events: list[AuditEvent]) -> list[dict]:
    site = config.site_name()
    rows = []
    for event in events:
        content_type = (
            ContentType.objects.get_for_id(event.content_type_id) if event.content_type_id else None
        )
        object_id = event.object_id
        if content_type is not None and (
            f"{content_type.app_label}.{content_type.model}" in SITE_LOCAL
        ):
            # A session or token of this site: its id means nothing at the primary.
            object_id = f"{site}:{object_id}"[:64]
        rows.append(
            {
                "id": event.pk,
                "at": event.at.isoformat(),
                "actor": event.actor_id,
                "actor_label": event.actor_label,
                "action": event.action,
                "content_type": list(content_type.natural_key()) if content_type else None,
                "object_id": object_id,
                "object_repr": event.object_repr,
                "before": event.before,
                "after": event.after,
                "note": event.note,
            }
        )
    return rows


def _usage_payload(events: list[UsageEvent]) -> list[dict]:
    subs = dict(
        User.objects.filter(pk__in={e.resident_id for e in events}).values_list("pk", "sub")
    )
    slugs = dict(
        Service.objects.filter(pk__in={e.service_id for e in events}).values_list("pk", "slug")
    )
    return [
        {
            "id": event.pk,
            "partner": event.partner_id,
            "key": event.key,
            "resident": str(subs[event.resident_id]) if event.resident_id in subs else "",
            "service": slugs.get(event.service_id, ""),
            "kind": event.kind,
            "quantity": event.quantity,
            "occurred_at": event.occurred_at.isoformat(),
        }
        for event in events
    ]


PAYLOADS = {ForwardedEvent.Kind.AUDIT: _audit_payload, ForwardedEvent.Kind.USAGE: _usage_payload}


def post_to_primary(token: str) -> dict:
    """POST a signed batch to the primary's forwarding endpoint; its JSON answer."""
    request = urllib.request.Request(  # noqa: S310 (the steward's configured https address)
        config.primary_url() + FORWARD_PATH,
        data=token.encode(),
        headers={"Content-Type": "application/jose", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        if error.code == 409:
            _raise_number_reused(body)
        detail = body[:500].decode(errors="replace")
        raise ForwardingFailed(f"the primary answered {error.code}: {detail}") from error
    except (OSError, ValueError) as error:
        raise ForwardingFailed(f"the primary is out of reach: {error}") from error


def _raise_number_reused(body: bytes) -> None:
    """The primary's 409 names the first number it holds for another event; anything
    else under 409 is a failure like any other (the caller's)."""
    try:
        reused = json.loads(body)["number_reused"]
        kind, local_id = reused["kind"], reused["id"]
    except (ValueError, KeyError, TypeError):
        return
    if kind in KINDS and type(local_id) is int:
        raise NumberReused(
            f"the primary holds other {kind} events numbered from {local_id}",
            kind=kind,
            local_id=local_id,
        )


_MARKS_FROM_JSON = f"""
INSERT INTO {Forwarded._meta.db_table} (kind, local_id, forwarded_at, outcome, reason)
SELECT %s, (e->>0)::bigint, %s::timestamptz, e->>1, e->>2 FROM json_array_elements(%s::json) AS e
ON CONFLICT (kind, local_id) DO NOTHING
"""  # noqa: S608 (the model's table)


def _mark(kind: str, sent: list[int], answer: dict) -> dict[str, int]:
    outcomes = {
        item.get("id"): item
        for item in answer.get("outcomes", [])
        if isinstance(item, dict) and item.get("outcome") in ForwardedEvent.Outcome.values
    }
    missing = [local_id for local_id in sent if local_id not in outcomes]
    if missing:
        raise ForwardingFailed(f"the primary did not answer for {kind} events {missing[:10]}")
    now = timezone.now()
    rows = [
        (local_id, outcomes[local_id]["outcome"], str(outcomes[local_id].get("reason", ""))[:300])
        for local_id in sent
    ]
    store = connections[config.STORE]
    if store.vendor == "postgresql":
        with store.cursor() as cursor:
            cursor.execute(_MARKS_FROM_JSON, [kind, now, json.dumps(rows)])
    else:
        Forwarded.objects.using(config.STORE).bulk_create(
            [
                Forwarded(kind=kind, local_id=i, forwarded_at=now, outcome=o, reason=r)
                for i, o, r in rows
            ],
            ignore_conflicts=True,
        )
    counts = {outcome: 0 for outcome in ForwardedEvent.Outcome.values}
    for local_id in sent:
        counts[outcomes[local_id]["outcome"]] += 1
    return counts


def store_names(kind: str) -> list[StoreIdentity]:
    """The names this store forwards ``kind`` events under, the one covering the lowest
    numbers first; made, for every kind from 1, the first time they are asked for."""
    StoreIdentity.make_first(using=config.STORE)
    names = StoreIdentity.objects.using(config.STORE).filter(kind__in=["", kind])
    return list(names.order_by("first_local_id", "pk"))


def name_for(names: list[StoreIdentity], local_id: int) -> str:
    """The name (of ``store_names``) the event numbered ``local_id`` goes under."""
    covering = [name for name in names if name.first_local_id <= local_id]
    return str(covering[-1].name if covering else names[0].name)


def forward_again_since(moment: datetime.datetime, *, why: str) -> int:
    """The primary was restored from a backup taken at ``moment`` and lost what this site
    forwarded since: the marks of everything the primary answered for from then on go,
    so the next forward sends those events again (the primary counts once any it still
    has). Audited; how many events will go again."""
    with transaction.atomic(using=config.STORE):
        marks = Forwarded.objects.using(config.STORE).filter(forwarded_at__gte=moment)
        count = marks.count()
        marks.delete()
        record(
            actor=None,
            action=AuditAction.SITE_FORWARD_AGAIN,
            obj=None,
            after={"since": moment.isoformat(), "events": count},
            note=why,
        )
    return count


def _fitting_batch(kind: str, store: str, events: list) -> tuple[str | None, list]:
    """The first of ``events`` that one batch of at most ``MAX_BATCH_BYTES`` holds, and
    that batch signed; ``(None, [the first event])`` when it alone weighs more."""
    while True:
        token = sign_batch({"kind": kind, "store": store, "events": PAYLOADS[kind](events)})
        if len(token) <= MAX_BATCH_BYTES:
            return token, events
        if len(events) == 1:
            return None, events
        events = events[: len(events) // 2]


def _too_big(event, kind: str) -> dict:
    """The answer the primary would give for an event no batch can carry: refused."""
    reason = (
        f"not sent: this {kind} event alone weighs more than a batch may carry "
        f"({MAX_BATCH_BYTES:,} bytes)"
    )
    return {
        "outcomes": [{"id": event.pk, "outcome": ForwardedEvent.Outcome.REFUSED, "reason": reason}]
    }


def _forward_kind(kind: str, attempt: ForwardAttempt, *, post: Poster, batch_size: int) -> None:
    """Forward the pending events of ``kind``, counting them in ``attempt``."""
    names = store_names(kind)
    after = 0
    while True:
        # Past the last batch: what this run skipped (an event whose transaction had not
        # committed yet) waits for the next run, which starts from the top.
        events = list(pending(kind).filter(pk__gt=after)[:batch_size])
        if not events:
            return
        # A batch goes under one name: the events up to where the next name begins.
        store = name_for(names, events[0].pk)
        events = [event for event in events if name_for(names, event.pk) == store]
        token, events = _fitting_batch(kind, store, events)
        after = events[-1].pk
        answer = post(token) if token is not None else _too_big(events[0], kind)
        counts = _mark(kind, [event.pk for event in events], answer)
        attempt.sent += len(events)
        attempt.stored += counts[ForwardedEvent.Outcome.STORED]
        attempt.duplicates += counts[ForwardedEvent.Outcome.DUPLICATE]
        attempt.refused += counts[ForwardedEvent.Outcome.REFUSED]


def forward(*, post: Poster = post_to_primary, batch_size: int = BATCH_SIZE) -> ForwardAttempt:
    """Forward every pending event, batch by batch, until none is left or one fails."""
    attempt = ForwardAttempt(started_at=timezone.now())
    try:
        # First the site's keys, when a rotation changed them: the primary registers them
        # while the key that signs this batch is one it knows.
        if announcement := key_announcement():
            post(announcement)
        for kind in KINDS:
            try:
                _forward_kind(kind, attempt, post=post, batch_size=batch_size)
            except NumberReused as reused:
                # Once: from that number on, the store's events go under a new name,
                # which the primary holds nothing under. What came back with the backup
                # ends first, so what ending it records goes in this run too.
                restore = restores.found_by_primary(kind=reused.kind, local_id=reused.local_id)
                restores.finish(restore)
                _forward_kind(kind, attempt, post=post, batch_size=batch_size)
    except ForwardingFailed as problem:
        attempt.problem = str(problem)[:500]
    attempt.finished_at = timezone.now()
    attempt.save(using=config.STORE)
    return attempt
