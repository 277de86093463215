"""Sign-in limits across the region's sites: the failures other sites recorded for a pair.

A site counts failed sign-ins in its own cache. What other sites recorded reaches it as
``identity.login_failed`` audit events ("<address tried> from <client address>", any of
the account's addresses counting for it): at a site, those its standby has (the
primary's own, and those other sites forwarded there); at the primary, those forwarded
to it. So a guesser who moves to another site is slowed down there too, as far as that
site can know: a site cut off from the rest learns of other sites' failures when the
link is back.
"""

import datetime
import logging

from django.db import DatabaseError
from django.db.models import Q

from solhost.core.audit import AuditAction
from solhost.core.models import AuditEvent
from solhost.identity.login_limits import address_key, addresses_of
from solhost.sites import config

logger = logging.getLogger(__name__)

# Enough to reach the longest wait; more changes nothing.
MOST = 64


def failures_recorded_elsewhere(sender, *, account: str, address: str, since: float, **kwargs):
    """``(failures, time of the last)`` for the pair recorded at other sites since ``since``."""
    try:
        # Each failure names whichever of the account's addresses was typed. Reading them
        # is a read of the region's database too.
        typed_as = Q()
        for typed in addresses_of(account):
            typed_as |= Q(note__istartswith=f"{typed} from ")
        events = AuditEvent.objects.filter(
            typed_as,
            action=AuditAction.LOGIN_FAILED,
            at__gte=datetime.datetime.fromtimestamp(since, tz=datetime.UTC),
        )
        if config.is_replica_site():
            # This site's own failures are in its cache, forwarded or not.
            events = events.exclude(forwarded__site__name=config.site_name())
        else:
            # The primary's own are in its cache; the others came from sites.
            events = events.filter(forwarded__isnull=False)
        found = list(events.order_by("-at").values_list("at", "note")[:MOST])
    except DatabaseError as error:
        # The region's database is out of reach: this site's own count still holds.
        logger.warning("could not read other sites' failed sign-ins: %s", error)
        return None
    times = [at.timestamp() for at, note in found if address_key(_client_of(note)) == address]
    return (len(times), max(times)) if times else None


def _client_of(note: str) -> str:
    """The client address in a failure's note ("<address typed> from <client address>")."""
    return note.rpartition(" from ")[2]
