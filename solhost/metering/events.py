"""A partner's usage event, checked on its own: the fields, their types, the moment. Pure: no Django.

Whether the resident and the service exist, and whether the event's period still takes
usage, needs the database: ``metering.actions.record_usage_batch`` asks that after this.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Final

from solhost.core.safe_json import member_path, text_problem

# The lengths of UsageEvent's ``key`` and ``kind`` columns (a test holds them equal).
MAX_KEY_LENGTH: Final = 200
MAX_KIND_LENGTH: Final = 40
EVENT_FIELDS: Final = frozenset({"id", "resident", "service", "kind", "quantity", "occurred_at"})

Problems = list[tuple[str, str]]


@dataclass(slots=True)  # not frozen: a frozen dataclass is several times slower to build
class CheckedEvent:
    """An event whose fields are well formed; ``day`` is its local day in the region."""

    index: int
    id: str
    resident: uuid.UUID
    service: str
    kind: str
    quantity: int
    occurred_at: datetime.datetime
    day: datetime.date


def check_event(
    index: int, event: object, *, latest: datetime.datetime, zone: datetime.tzinfo
) -> CheckedEvent | Problems:
    """The ``index``-th event of a batch, checked, or its problems as ``(where, message)`` pairs.

    ``latest`` is the last believable moment (now, plus clock skew); ``zone`` is the
    region's time zone, which decides the day an event counts for.
    """
    where = f"events[{index}]"
    if not isinstance(event, dict):
        return [(where, "each event must be an object with id, resident, service, kind…")]
    problems = (
        []
        if EVENT_FIELDS.issuperset(event)
        else [
            (member_path(where, name), "is not a field of a usage event")
            for name in sorted(event.keys() - EVENT_FIELDS)
        ]
    )
    # Text the database cannot store (NUL, lone surrogates) is this event's problem alone.
    for name in ("id", "service", "kind"):
        value = event.get(name)
        message = text_problem(value) if isinstance(value, str) else None
        if message:
            problems.append((f"{where}.{name}", message))
    key = event.get("id")
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        problems.append(
            (f"{where}.id", f"must be non-empty text of at most {MAX_KEY_LENGTH} characters")
        )
    try:
        resident = uuid.UUID(event["resident"])
    except (KeyError, TypeError, ValueError, AttributeError):
        problems.append((f"{where}.resident", "must be the resident's OIDC subject (a UUID)"))
    service = event.get("service")
    if not isinstance(service, str) or not service:
        problems.append((f"{where}.service", "must be the slug of one of your services"))
    kind = event.get("kind")
    if not isinstance(kind, str) or not kind.strip() or len(kind) > MAX_KIND_LENGTH:
        problems.append(
            (f"{where}.kind", f"must be non-empty text of at most {MAX_KIND_LENGTH} characters")
        )
    quantity = event.get("quantity", 1)
    if type(quantity) is not int or not 0 <= quantity < 2**62:
        problems.append((f"{where}.quantity", "must be a whole number, zero or more"))
    occurred = event.get("occurred_at")
    try:
        moment = datetime.datetime.fromisoformat(occurred) if isinstance(occurred, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems.append(
            (
                f"{where}.occurred_at",
                "must be an ISO 8601 time with its offset, e.g. 2026-10-03T09:15:00+11:00",
            )
        )
    elif moment > latest:
        problems.append((f"{where}.occurred_at", "is in the future"))
    if problems:
        return problems
    # No problems: each value has the type it was checked for above.
    assert isinstance(key, str) and isinstance(service, str) and isinstance(kind, str)
    assert moment is not None
    return CheckedEvent(
        index, key, resident, service, kind, quantity, moment, moment.astimezone(zone).date()
    )
