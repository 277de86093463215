"""Finding services in the directory by what a resident needs.

The matching itself is pure (``search``); here the region's services and kinds are read
into its shapes, once per change of what is listed (``listing_cache``), without the
services an app above says are withdrawn (``signals.services_withdrawn``).
"""

from django.db.models import Count, Q, QuerySet

from solhost.partners.listing_cache import cached, current_stamp
from solhost.partners.models import Service, ServiceKind
from solhost.partners.search import KindWords, Listings, fold, narrow, searchable
from solhost.partners.signals import withdrawn_services

# The directory's order, kept by every list of services it shows.
DIRECTORY_ORDER = ("kind__name", "name", "pk")


def _listings() -> Listings:
    offered = Service.objects.exclude(withdrawn_services())
    rows = offered.order_by(*DIRECTORY_ORDER).values_list(
        "pk",
        "kind__slug",
        "software",
        "organisation__slug",
        # Available on the LoRes mesh, as the LoRes sync found (``lores.ServiceOnLores``,
        # an app above this one, so named here rather than imported).
        "on_lores__app_name",
        "name",
        "summary",
        "kind__name",
        "kind__search_words",
        "organisation__name",
    )
    entries = [
        (
            pk,
            kind,
            fold(software),
            partner,
            lores_app is not None,
            searchable(name, summary, software, kind_name, words, owner),
        )
        for pk, kind, software, partner, lores_app, name, summary, kind_name, words, owner in rows
    ]
    # Rows turned into columns; a region without services has six empty ones.
    return Listings(*(zip(*entries, strict=True) if entries else [()] * len(Listings._fields)))


def offered_services() -> Q:
    """Picks, from a kind's or an organisation's ``services``, those still offered: for
    counting them (``Count("services", filter=offered_services())``)."""
    return ~withdrawn_services("services__pk")


def _kind_words() -> tuple[KindWords, ...]:
    offered = offered_services()
    kinds = ServiceKind.objects.annotate(service_count=Count("services", filter=offered))
    kinds = kinds.order_by("name")
    return tuple(
        KindWords(
            k.slug, k.name, searchable(k.name, k.description, k.search_words), k.service_count
        )
        for k in kinds
    )


def listings(*, stamp: str | None) -> Listings:
    """Every service as the search reads it, cached under ``stamp``."""
    return cached("listings", _listings, stamp=stamp)


def kind_words(*, stamp: str | None) -> tuple[KindWords, ...]:
    """Every kind by name, with its search words and number of services, cached under ``stamp``."""
    return cached("kind-words", _kind_words, stamp=stamp)


def find_services(
    *,
    stamp: str | None,
    q: str = "",
    kind: str = "",
    software: str = "",
    partner: str = "",
    lores: bool = False,
) -> list[int]:
    """The ids of the services that meet the filters, in the directory's order.

    ``q`` is a search in a resident's words (see ``search``), ``kind`` and ``partner``
    slugs, ``software`` a name in any case, ``lores`` true for the LoRes mesh only.
    """
    return narrow(
        listings(stamp=stamp), q=q, kind=kind, software=software, partner=partner, lores=lores
    )


def filter_services(
    services: QuerySet[Service],
    *,
    q: str = "",
    kind: str = "",
    software: str = "",
    partner: str = "",
    lores: bool = False,
) -> QuerySet[Service]:
    """Narrow ``services`` as the directory does (``find_services``), in its order,
    without those no longer offered."""
    services = (
        services.exclude(withdrawn_services())
        .select_related("kind", "organisation")
        .order_by(*DIRECTORY_ORDER)
    )
    if not any((q, kind, software, partner, lores)):
        return services
    found = find_services(
        stamp=current_stamp(), q=q, kind=kind, software=software, partner=partner, lores=lores
    )
    return services.filter(pk__in=found)
