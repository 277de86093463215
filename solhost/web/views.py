"""The region's public pages: what the region is, its services, partners and servers."""

import shapely
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import mapping

from solhost.core.models import parameter_value
from solhost.energy.public_facts import facts_by_service
from solhost.partners.directory import filter_services
from solhost.partners.models import Organisation, Server, Service, ServiceKind
from solhost.qualification.badges import badge, with_qualification
from solhost.region.geometry import (
    ALLOWANCE,
    ANYWHERE,
    BEYOND,
    INSIDE,
    Ground,
    distance_words,
    standing,
    svg_map,
)
from solhost.region.models import current_region
from solhost.web.api import server_features
from solhost.web.forms import DirectoryFilters

# How many kinds of service the home page offers as shortcuts into the directory.
HOME_KINDS = 8


def health(request):
    """For the proxy, systemd and container health checks: 200 if the database answers.

    It reads no session and sets no cookie, so a probe every few seconds costs one
    ``SELECT 1``; it is exempt from the HTTPS redirect so a probe on the machine itself
    may use plain HTTP.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "no-store"
    return response


def _partners():
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER)


def home(request):
    """The region in plain words, its partners, some ways in to the directory, a small map."""
    region = current_region()
    partners = _partners().annotate(service_count=Count("services"))
    kinds = (
        ServiceKind.objects.annotate(service_count=Count("services"))
        .filter(service_count__gt=0)
        .order_by("-service_count", "name")[:HOME_KINDS]
    )
    small_map = None
    servers = list(Server.objects.only("name", "role", "latitude", "longitude"))
    # Backup and DNS servers may sit far away by design; drawing them would shrink the
    # region to a dot. The map page lists them all.
    local = [s for s in servers if s.role == Server.Role.PRIMARY]
    if region is not None:
        drawing = svg_map(region.shape, [(s.longitude, s.latitude) for s in local])
        small_map = {
            "svg": drawing,
            "points": [
                {"name": s.name, "x": x, "y": y}
                for s, (x, y) in zip(local, drawing.points, strict=True)
            ],
            "elsewhere": len(servers) - len(local),
        }
    return render(
        request,
        "web/home.html",
        {"partners": partners, "kinds": kinds, "small_map": small_map, "server_count": len(local)},
    )


def directory(request):
    """Every service, narrowed by the filters in the query string; bad filters are ignored, said."""
    choices = {
        "kinds": list(ServiceKind.objects.values_list("slug", "name")),
        "software": sorted(
            set(Service.objects.values_list("software", flat=True)), key=str.casefold
        ),
        "partners": list(_partners().values_list("slug", "name")),
    }
    form = DirectoryFilters(request.GET, **choices)
    ignored = [str(error) for errors in form.errors.values() for error in errors]
    # Holds only the fields that passed: each bad filter is dropped on its own.
    applied = form.cleaned_data
    services = list(filter_services(Service.objects.all(), **applied))
    # One query for every partner's charter badge, whatever the number of results.
    badges = {org.pk: badge(org) for org in with_qualification(_partners())}
    for service in services:
        service.partner_badge = badges.get(service.organisation_id)
    return render(
        request,
        "web/directory.html",
        {
            # The controls show the filters actually applied, not the rejected values.
            "form": DirectoryFilters(initial=applied, **choices),
            "services": services,
            "ignored": ignored,
            "filtered": any(applied.values()),
        },
    )


def partner_detail(request, slug):
    """One partner, its services and servers.

    Only partners have a page: the steward runs the platform, not services for
    residents, so its slug gives 404 like any unknown one.
    """
    partner = get_object_or_404(with_qualification(_partners()), slug=slug)
    services = partner.services.select_related("kind").order_by("name")
    servers = partner.servers.select_related("power_system").order_by("name")
    return render(
        request,
        "web/partner.html",
        {"partner": partner, "services": services, "servers": servers},
    )


def service_detail(request, slug):
    """The facts about one service: software, licence, where to use it, who runs it, where,
    and on what power."""
    service = get_object_or_404(
        Service.objects.select_related("kind", "organisation").prefetch_related("servers"),
        slug=slug,
    )
    return render(
        request,
        "web/service.html",
        {"service": service, "energy": facts_by_service([service])[service.pk]},
    )


def _standing_words(stands: str, metres: float, allowance_m: int, role_label: str) -> str:
    allowance = distance_words(allowance_m)
    if stands == INSIDE:
        return "Inside the region"
    if stands == ALLOWANCE:
        return f"{distance_words(metres)} outside the boundary, within the {allowance} allowance"
    if stands == BEYOND:
        return f"{distance_words(metres)} outside the boundary, beyond the {allowance} allowance"
    return f"{role_label}: may be anywhere; {distance_words(metres)} from the region"


def region_map(request):
    """The region's boundary, its allowance band and every server: an ECharts map, the same
    servers in a table, and in words which stand inside, in the allowance, or anywhere."""
    region = current_region()
    if region is None:
        raise Http404("No region has been loaded yet.")
    today = timezone.localdate()
    allowance_m = int(parameter_value("local_max_distance_m", at=today))
    anywhere_roles = set(parameter_value("s1_exception_roles", at=today))
    ground = Ground(region.shape, region.projected_crs)
    west, south, east, north = region.shape.bounds
    servers = server_features()
    roles = dict(Server.Role.choices)
    # The steward may run servers too, but has no public page to link to.
    partner_slugs = set(_partners().values_list("slug", flat=True))
    rows = []
    for feature in servers["features"]:
        properties = feature["properties"]
        longitude, latitude = feature["geometry"]["coordinates"]
        metres = ground.metres_outside(latitude, longitude)
        role_label = roles.get(properties["role"], properties["role"])
        stands = standing(metres, allowance_m, may_be_anywhere=properties["role"] in anywhere_roles)
        rows.append(
            {
                **properties,
                "partner_url": reverse("web:partner", args=[properties["partner_slug"]])
                if properties["partner_slug"] in partner_slugs
                else "",
                "role_label": role_label,
                "longitude": longitude,
                "latitude": latitude,
                "standing": stands,
                "standing_words": _standing_words(stands, metres, allowance_m, role_label),
                "distance": distance_words(metres),
            }
        )
    allowance_name = f"The {distance_words(allowance_m)} allowance"
    map_data = {
        "name": region.name,
        # ECharts registers a map from a FeatureCollection; the stored boundary may be a
        # bare Polygon or a Feature, so it is normalised here.
        "boundary": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": region.name},
                    "geometry": mapping(region.shape),
                }
            ],
        },
        # Drawn under the boundary, so the band around it shows where servers may also stand.
        "allowance": {
            "type": "Feature",
            "properties": {"name": allowance_name},
            "geometry": mapping(shapely.set_precision(ground.widened(allowance_m), 1e-5)),
        },
        # Servers allowed anywhere may be hundreds of kilometres away: drawing them would
        # shrink the region to a dot, so the words beside the map name them instead.
        "servers": {
            "type": "FeatureCollection",
            "features": [
                {
                    **feature,
                    "properties": {**feature["properties"], "standing": row["standing_words"]},
                }
                for feature, row in zip(servers["features"], rows, strict=True)
                if row["standing"] != ANYWHERE
            ],
        },
        "roles": roles,
        # Lets the map squeeze longitude by cos(latitude), like the home page's small map.
        "center_lat": region.shape.centroid.y,
        # Width and height in degrees, for judging which servers' names would collide.
        "span": [east - west, north - south],
    }
    groups = {
        key: [row for row in rows if row["standing"] == key]
        for key in (INSIDE, ALLOWANCE, BEYOND, ANYWHERE)
    }
    return render(
        request,
        "web/region_map.html",
        {
            "map_data": map_data,
            "rows": rows,
            "map_region": region,
            "groups": groups,
            "allowance": distance_words(allowance_m),
            "drawn": len(map_data["servers"]["features"]),
        },
    )
