"""What the public pages list, kept between requests until a listed record changes.

Everything is kept in the "listing" cache (apart from the sign-in limits in "default")
under the current ``ListingStamp``. Saving or deleting a service, a kind, an
organisation, a server or the region gives a new stamp inside the writer's transaction
(``renew_stamp``, connected in ``apps.py``; apps above connect the records their cached
fragments show, such as qualification runs for the charter badges). The next request of
every process reads the new stamp and rebuilds what it shows. A writer that skips model
signals (``bulk_create``, ``QuerySet.update``) calls ``renew_stamp`` itself.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.cache import caches
from django.db import connections, router

from solhost.partners.models import ListingStamp

T = TypeVar("T")

# The stamp's one row, made by the migration that made the table.
STAMP_ROW = 1
# A new stamp makes new keys; what is kept under old ones ages out within the hour.
TIMEOUT_SECONDS = 3600
# Tells "nothing cached" from a cached None (a region with no map).
_MISSING = object()
# Standard SQL quoting, which SQLite and PostgreSQL both read.
_READ_STAMP = 'SELECT "token" FROM "partners_listingstamp" WHERE "id" = %s'


def current_stamp() -> str | None:
    """The stamp now committed, or None if its row is missing (nothing is cached then)."""
    # Written out, because every public page asks this first, and for a page kept whole
    # building the same query through the ORM each time took more CPU than the rest.
    # Through the router: a replica site reads the stamp where it reads the listing.
    with connections[router.db_for_read(ListingStamp)].cursor() as cursor:
        cursor.execute(_READ_STAMP, [STAMP_ROW])
        row = cursor.fetchone()
    return row[0] if row else None


def renew_stamp(**_signal) -> None:
    """Make everything cached so far stale, for every process. Also a signal receiver."""
    token = uuid.uuid4().hex
    if not ListingStamp.objects.filter(pk=STAMP_ROW).update(token=token):
        ListingStamp.objects.update_or_create(pk=STAMP_ROW, defaults={"token": token})


def cached(name: str, build: Callable[[], T], *, stamp: str | None) -> T:
    """``build()``, or what it gave under the same ``stamp`` before (see ``current_stamp``)."""
    if stamp is None:
        return build()
    key = f"{name}:{stamp}"
    value = caches["listing"].get(key, _MISSING)
    if value is _MISSING:
        value = build()
        caches["listing"].set(key, value, TIMEOUT_SECONDS)
    return value


def cached_many(
    names: Sequence[str], build: Callable[[list[str]], dict[str, T]], *, stamp: str | None
) -> dict[str, T]:
    """``cached`` for several names in one round trip: ``build`` gets only the missing ones."""
    if stamp is None:
        return build(list(names))
    keys = {name: f"{name}:{stamp}" for name in names}
    found = caches["listing"].get_many(keys.values())
    values = {name: found[key] for name, key in keys.items() if key in found}
    if missing := [name for name in names if name not in values]:
        made = build(missing)
        caches["listing"].set_many(
            {keys[name]: value for name, value in made.items()}, TIMEOUT_SECONDS
        )
        values.update(made)
    return values
