"""The write path for usage: partners' event batches and residents' sign-ins.

Events are idempotent by the partner's own key. Each batch is inserted with
``INSERT … ON CONFLICT DO NOTHING RETURNING key``: the unique constraint decides which
copy of an event lands, even when two copies of a batch race in two processes, and the
returned keys say exactly which events this call stored. Everything else that passed the
checks was stored before (or by the concurrent call): a duplicate.
"""

import datetime
import json
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.problems import problem_dicts
from solhost.identity.models import User
from solhost.identity.queries import given_public_subs
from solhost.identity.subjects import organisation_sector, public_sub_behind
from solhost.metering.events import CheckedEvent, check_event
from solhost.metering.models import ActiveDay, FrozenPeriod, UsageEvent
from solhost.metering.periods import period_of
from solhost.metering.queries import grace_over_for, usage_open_for
from solhost.partners.models import Organisation, Service

MAX_BATCH = 1000
SIGN_IN = "sign_in"
# Partners' clocks drift; an event stamped a little in the future is still believable.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# Far below both SQLite's and PostgreSQL's limits on bound parameters per statement.
INSERT_CHUNK = 500


@dataclass(frozen=True)
class Rejection:
    index: int
    id: object
    problems: list[tuple[str, str]]


@dataclass
class BatchResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "counts": {
                "accepted": len(self.accepted),
                "duplicates": len(self.duplicates),
                "rejected": len(self.rejected),
            },
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [
                {
                    "index": r.index,
                    "id": r.id,
                    "problems": problem_dicts(r.problems),
                }
                for r in self.rejected
            ],
        }


class _PeriodClosedDuringBatch(Exception):
    """A period closed while this batch was being stored; this attempt kept nothing."""


_COLUMNS = "partner_id, key, resident_id, service_id, kind, quantity, occurred_at, received_at, day"
# On PostgreSQL the batch travels as one JSON parameter: the driver then converts one
# string, not thousands of values, and the server unpacks it far faster than Python could.
# The events that were new this time mark their days active in the same statement.
_INSERT_FROM_JSON = f"""
WITH stored AS (
    INSERT INTO {UsageEvent._meta.db_table} ({_COLUMNS})
    SELECT (e->>0)::bigint, e->>1, (e->>2)::bigint, (e->>3)::bigint, e->>4, (e->>5)::bigint,
           (e->>6)::timestamptz, (e->>7)::timestamptz, (e->>8)::date
    FROM json_array_elements(%s::json) AS e
    ON CONFLICT (partner_id, key) DO NOTHING
    RETURNING key, resident_id, service_id, day
), marked AS (
    INSERT INTO {ActiveDay._meta.db_table} (day, service_id, resident_id)
    -- Sorted, so two batches racing for the same days take their row locks in one order.
    SELECT DISTINCT day, service_id, resident_id FROM stored ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING
)
SELECT key FROM stored
"""  # noqa: S608 (names from the models)


def _insert_new(rows: list[tuple]) -> set[str]:
    """Insert usage rows, skipping keys the partner used before; return the keys stored now.

    Each stored event also marks its resident's day on its service active. Rows are
    ``(partner, key, resident, service, kind, quantity, occurred_at, received_at, day)``
    with the moments and the day already in the database's form.
    """
    # One order for every writer: concurrent batches sharing keys then wait, never deadlock.
    rows = sorted(rows, key=lambda row: row[1])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_FROM_JSON, [json.dumps(rows)])
            return {key for (key,) in cursor.fetchall()}
        stored: set[str] = set()
        active: set[tuple] = set()
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {UsageEvent._meta.db_table} ({_COLUMNS}) VALUES {values} "  # noqa: S608 (names from the model)
                "ON CONFLICT (partner_id, key) DO NOTHING RETURNING key, resident_id, service_id, day",
                [value for row in chunk for value in row],
            )
            for key, resident, service, day in cursor.fetchall():
                stored.add(key)
                active.add((day, service, resident))
        cursor.executemany(
            f"INSERT INTO {ActiveDay._meta.db_table} (day, service_id, resident_id) "  # noqa: S608 (names from the model)
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            sorted(active),
        )
        return stored


def _moment_text(moment: datetime.datetime) -> str:
    """``moment`` as the text the raw insert sends: it skips the field's own conversion."""
    if connection.vendor == "postgresql":
        return moment.isoformat()  # the offset travels with it; the column is timestamptz
    return connection.ops.adapt_datetimefield_value(moment)  # SQLite keeps naive UTC text


def record_sign_in(*, user: User, service: Service, day: datetime.date) -> bool:
    """Count ``user`` as active on ``service`` on ``day``; True if that was not known yet.

    One sign-in event per resident, service and day, whatever the number of sign-ins. A
    sign-in for a closed period is not recorded (False): it would change a split already
    made, and signing in must never fail for it. Whether the period is closed is read once,
    inside the insert's transaction, where it also catches a close racing this sign-in.
    """
    if grace_over_for(day) is not None:
        return False
    now = timezone.now()
    occurred = now if timezone.localdate(now) == day else _local_midnight(day)
    key = f"signin:{user.sub}:{service.slug}:{day.isoformat()}"
    row = (
        service.organisation_id,
        key,
        user.pk,
        service.pk,
        SIGN_IN,
        1,
        _moment_text(occurred),
        _moment_text(now),
        day.isoformat(),
    )
    try:
        with transaction.atomic():
            stored = bool(_insert_new([row]))
            if FrozenPeriod.objects.filter(period=period_of(day)).exists():
                raise _PeriodClosedDuringBatch("the period is closed")
    except _PeriodClosedDuringBatch:
        return False
    return stored


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _residents_by_public_sub(subs: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    if connection.vendor == "postgresql":
        # One JSON parameter instead of a thousand quoted literals, as for the insert.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT sub, id FROM {User._meta.db_table} WHERE sub IN "  # noqa: S608 (a model's table)
                "(SELECT value::uuid FROM json_array_elements_text(%s::json))",
                [json.dumps([str(sub) for sub in subs])],
            )
            return dict(cursor.fetchall())
    return dict(User.objects.filter(sub__in=subs).values_list("sub", "pk"))


def _residents_by_sub(subs: set[uuid.UUID], *, partner: Organisation) -> dict[uuid.UUID, int]:
    """The residents the partner's subs name: the pairwise subs its services received, or
    the public subs they received (docs/decisions/0009-pairwise-subjects.md).

    A public sub is the same at every co-op given one, so a co-op could learn one from
    another: it names a resident here only if a public-subject client of this co-op's
    signed them in, or the co-op would draw money for a resident it never served."""
    sector = organisation_sector(partner.pk)
    behind = {sub: public_sub_behind(sub, sector) for sub in subs}
    found = _residents_by_public_sub(set(behind.values()) | subs)
    residents = {sub: found[behind[sub]] for sub in subs if behind[sub] in found}
    named_publicly = {sub: found[sub] for sub in subs if sub not in residents and sub in found}
    if named_publicly:
        given = given_public_subs(organisation_id=partner.pk, residents=named_publicly.values())
        residents |= {
            sub: resident for sub, resident in named_publicly.items() if resident in given
        }
    return residents


def record_usage_batch(
    *,
    partner: Organisation,
    events: list,
    now: datetime.datetime | None = None,
    from_a_site: bool = False,
) -> BatchResult:
    """Store a partner's batch of usage events; say which were new, repeated or refused.

    Each event is judged alone: a refused event does not stop the others. Keys are the
    partner's: another partner may use the same key for its own event. ``now`` is the
    moment of receipt, the current time unless given. A partner names residents by the
    subs its services received; a site of the region forwarding what it recorded
    (``from_a_site``) names them by their public sub.

    A period close running meanwhile never fails the batch. On PostgreSQL the close locks
    the events table, so the insert waits for it; if the close froze a period of this
    batch, that attempt is undone and the batch is judged again, now seeing the period
    closed: its events are refused one by one and the rest are stored. Each new attempt
    sees one more of the batch's periods closed, so this ends (in practice after one).
    """
    if len(events) > MAX_BATCH:
        raise ValueError(f"a batch holds at most {MAX_BATCH} events; this one has {len(events)}")
    now = now or timezone.now()
    while True:
        try:
            return _record_usage_batch_once(
                partner=partner, events=events, now=now, from_a_site=from_a_site
            )
        except _PeriodClosedDuringBatch:
            continue


def _record_usage_batch_once(
    *, partner: Organisation, events: list, now: datetime.datetime, from_a_site: bool
) -> BatchResult:
    """One attempt at ``record_usage_batch``; raises _PeriodClosedDuringBatch, keeping nothing."""
    zone = timezone.get_current_timezone()
    latest = now + CLOCK_SKEW
    result = BatchResult()
    parsed: list[CheckedEvent] = []
    seen: set[str] = set()
    for index, raw in enumerate(events):
        event = check_event(index, raw, latest=latest, zone=zone)
        if isinstance(event, list):
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            result.rejected.append(Rejection(index, raw_id, event))
        elif event.id in seen:
            result.duplicates.append(event.id)
        else:
            seen.add(event.id)
            parsed.append(event)

    subs = {event.resident for event in parsed}
    if not parsed:
        residents = {}
    elif from_a_site:
        residents = _residents_by_public_sub(subs)
    else:
        residents = _residents_by_sub(subs, partner=partner)
    services = {
        slug: (pk, owner)
        for slug, pk, owner in Service.objects.filter(
            slug__in={e.service for e in parsed}
        ).values_list("slug", "pk", "organisation_id")
    }
    today = now.astimezone(zone).date()
    closed: dict[tuple[int, int], str | None] = {}
    rows: list[tuple] = []
    candidates: list[str] = []
    received = _moment_text(now)
    for event in parsed:
        where = f"events[{event.index}]"
        problems = []
        resident = residents.get(event.resident)
        if resident is None:
            problems.append((f"{where}.resident", "no resident has this OIDC subject"))
        service = services.get(event.service)
        if service is None:
            problems.append((f"{where}.service", f"no service is called {event.service!r}"))
        elif service[1] != partner.pk:
            problems.append((f"{where}.service", "is another partner's service"))
        month = (event.day.year, event.day.month)
        if month not in closed:
            closed[month] = usage_open_for(event.day, today=today)
        if closed[month]:
            problems.append((f"{where}.occurred_at", f"too late: {closed[month]}"))
        if problems:
            result.rejected.append(Rejection(event.index, event.id, problems))
            continue
        candidates.append(event.id)
        rows.append(
            (
                partner.pk,
                event.id,
                resident,
                service[0],
                event.kind,
                event.quantity,
                _moment_text(event.occurred_at),
                received,
                event.day.isoformat(),
            )
        )
    with transaction.atomic():
        stored = _insert_new(rows) if rows else set()
        # A close that froze one of these periods while this batch was checked has waited
        # for, or been waited on by, this insert (it locks the events table); look again.
        periods = {
            f"{year:04d}-{month:02d}" for (year, month), reason in closed.items() if reason is None
        }
        if stored and FrozenPeriod.objects.filter(period__in=periods).exists():
            raise _PeriodClosedDuringBatch("a period of this batch closed while it was stored")
        for key in candidates:
            (result.accepted if key in stored else result.duplicates).append(key)
        if rows:
            audit.record(
                actor=None,
                action=AuditAction.USAGE_BATCH,
                note=(
                    f"{partner.slug}: {len(result.accepted)} accepted, "
                    f"{len(result.duplicates)} duplicates, {len(result.rejected)} rejected"
                ),
            )
    result.rejected.sort(key=lambda r: r.index)
    return result
