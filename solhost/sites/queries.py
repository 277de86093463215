"""What the steward's page shows: this installation's part, the backlog, the sites."""

from django.conf import settings
from django.db.models import Count, Min

from solhost.identity import jwks
from solhost.identity.models import AccessEnd
from solhost.identity.signing_keys import SIGNS_FROM
from solhost.sites import config
from solhost.sites.keys import announcing_key, own_site, registered_as_published
from solhost.sites.models import (
    AccessEndApplied,
    ForwardAttempt,
    Forwarded,
    ForwardedEvent,
    Site,
    StoreRestore,
)


def backlog_facts() -> dict | None:
    """At a replica site: what waits to be forwarded, the last runs and the refused events."""
    if not config.is_replica_site():
        return None
    from solhost.sites.forwarding import KINDS, pending

    waiting = []
    for kind, model in KINDS.items():
        rows = pending(kind)
        oldest_field = "at" if model._meta.model_name == "auditevent" else "received_at"
        summary = rows.aggregate(count=Count("pk"), oldest=Min(oldest_field))
        waiting.append(
            {
                "kind": ForwardedEvent.Kind(kind).label,
                "count": summary["count"],
                "oldest": summary["oldest"],
            }
        )
    store = config.STORE
    return {
        "waiting": waiting,
        "total": sum(item["count"] for item in waiting),
        "attempts": list(ForwardAttempt.objects.using(store).order_by("-started_at")[:10]),
        "refused": list(
            Forwarded.objects.using(store)
            .filter(outcome=ForwardedEvent.Outcome.REFUSED)
            .order_by("-forwarded_at", "-local_id")[:20]
        ),
        "forwarded": Forwarded.objects.using(store).count(),
        "restores": list(StoreRestore.objects.using(store).order_by("-found_at")[:10]),
    }


def archive_restores() -> list[StoreRestore]:
    """The last restores of this installation from an archive (``solhost restore``): at
    the primary or a one-site region, whose archive it is."""
    if config.is_replica_site():
        return []
    found_by_archive = StoreRestore.objects.filter(found_by=StoreRestore.FoundBy.ARCHIVE)
    return list(found_by_archive.order_by("-found_at")[:10])


def access_end_facts() -> dict | None:
    """At a site of a region with several: the access ends made at other sites that wait
    to be applied here, and the last ones applied (docs/sites.md)."""
    if not config.site_name():
        return None
    from solhost.sites.access_ends import waiting

    pending = waiting().aggregate(count=Count("pk"), oldest=Min("at"))
    marks = list(AccessEndApplied.objects.order_by("-applied_at", "-access_end_id")[:10])
    ends = AccessEnd.objects.select_related("client__service").in_bulk(
        [mark.access_end_id for mark in marks]
    )
    return {
        "waiting": pending["count"],
        "oldest": pending["oldest"],
        "applied": [{"mark": mark, "end": ends.get(mark.access_end_id)} for mark in marks],
        "applied_total": AccessEndApplied.objects.count(),
    }


def sites_with_counts() -> list[dict]:
    received = {
        (row["site"], row["outcome"]): row["n"]
        for row in ForwardedEvent.objects.values("site", "outcome").annotate(n=Count("pk"))
    }
    return [
        {
            "site": site,
            "stored": received.get((site.pk, ForwardedEvent.Outcome.STORED), 0),
            "duplicates": received.get((site.pk, ForwardedEvent.Outcome.DUPLICATE), 0),
            "refused": received.get((site.pk, ForwardedEvent.Outcome.REFUSED), 0),
        }
        for site in Site.objects.order_by("removed_at", "name")
    ]


def own_keys_facts() -> dict:
    """This installation's signing keys and what each is for now; at a site of a region of
    several, whether the primary has them registered (else the next forward, or the
    primary's job, does it)."""
    ring = jwks.key_ring()
    rows = [
        {
            "kid": key.public_jwk["kid"],
            "role": role,
            "signs_from": key.signs_from if role == SIGNS_FROM else None,
        }
        for key, role in ring.published_roles()
    ]
    if not config.site_name():
        return {"keys": rows, "registered": None, "in_step": None}
    registered = own_site()
    return {
        "keys": rows,
        "registered": registered is not None,
        "in_step": registered is not None and registered_as_published(registered),
        # The primary registers its own row itself; another site signs what it announces.
        "can_announce": registered is not None
        and (not config.is_replica_site() or announcing_key(registered) is not None),
    }


def steward_page_facts() -> dict:
    role = (
        "a site reading the region from a standby"
        if config.is_replica_site()
        else "the primary"
        if config.is_primary()
        else "the region's only site"
    )
    return {
        "this_site": config.site_name(),
        "role": role,
        "is_replica_site": config.is_replica_site(),
        "primary_url": config.primary_url(),
        "backlog": backlog_facts(),
        "archive_restores": archive_restores(),
        "access_ends": access_end_facts(),
        "sites": sites_with_counts(),
        "own_keys": own_keys_facts(),
        "rotate_days": settings.OIDC_KEY_ROTATE_DAYS,
        "title": "Sites of the region",
    }
