"""Finding services in the directory by what a resident needs."""

from django.db.models import Q, QuerySet

from solhost.partners.models import Service


def filter_services(
    services: QuerySet[Service],
    *,
    q: str = "",
    kind: str = "",
    software: str = "",
    partner: str = "",
    lores: bool = False,
) -> QuerySet[Service]:
    """Narrow ``services`` by free text, kind slug, software name, partner slug and LoRes availability."""
    services = services.select_related("kind", "organisation")
    for word in q.split():
        services = services.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(software__icontains=word)
            | Q(kind__name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    if kind:
        services = services.filter(kind__slug=kind)
    if software:
        services = services.filter(software__iexact=software)
    if partner:
        services = services.filter(organisation__slug=partner)
    if lores:
        services = services.exclude(lores_url="")
    return services.order_by("kind__name", "name")
