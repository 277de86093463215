"""The region's public pages: what the region is, its services, partners and servers."""

import hashlib
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

import shapely
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import mapping

from solhost.core.models import parameter_value
from solhost.energy.public_facts import facts_by_server, facts_by_service
from solhost.lores.queries import lores_evidence
from solhost.partners.directory import find_services, kind_words, offered_services
from solhost.partners.listing_cache import cached, cached_many
from solhost.partners.models import Organisation, Server, Service
from solhost.partners.search import kinds_for
from solhost.qualification.badges import with_qualification
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
from solhost.web.visitor_pages import (
    DIRECTORY_LINKS,
    kept_for_visitors,
    listing_stamp,
    not_kept_for_visitors,
)
from solhost.winddown.queries import closing_dates_by_service, wind_down_of

# How many kinds of service the home page offers as shortcuts into the directory.
HOME_KINDS = 8
# How many partners the home page introduces; a different few each day, and a link to all.
HOME_PARTNERS = 8
# Services on a page of the directory: full rows of two, three or four cards.
DIRECTORY_PAGE_SIZE = 24
# Stands for the slug in a URL reversed once for a whole list of links.
_SLUG = "slug-placeholder"


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


def _link_to(view_name: str) -> Callable[[str], str]:
    """``slug → URL`` for a page named by a slug: one ``reverse()`` for a list of links."""
    head, tail = reverse(view_name, args=[_SLUG]).split(_SLUG)
    return lambda slug: f"{head}{slug}{tail}"


def _with_links(services: Iterable[Service]) -> list[Service]:
    """``services`` ready for their cards: the link to each, and to its partner's page."""
    service_url, partner_url = _link_to("web:service"), _link_to("web:partner")
    services = list(services)
    for service in services:
        service.page_url = service_url(service.slug)
        # The steward may run services too, but has no public page.
        if service.organisation.kind == Organisation.Kind.PARTNER:
            service.partner_url = partner_url(service.organisation.slug)
    return services


def _partner_cards() -> list[dict]:
    """Every partner, by name, with what its card on the home page and partner list shows."""
    partner_url = _link_to("web:partner")
    partners = _partners().annotate(service_count=Count("services", filter=offered_services()))
    return [
        {
            "name": p.name,
            "url": partner_url(p.slug),
            "summary": p.summary,
            "locality": p.locality,
            "service_count": p.service_count,
        }
        for p in partners.order_by("name")
    ]


def _of_the_day(cards: list[dict], day) -> list[dict]:
    """``HOME_PARTNERS`` of the partners, in an order drawn afresh each day.

    Every co-op gets its turn on the home page, and the choice needs no stored state.
    """
    drawn = sorted(cards, key=lambda c: hashlib.sha256(f"{day}:{c['url']}".encode()).hexdigest())
    return sorted(drawn[:HOME_PARTNERS], key=lambda c: c["name"].casefold())


def _small_map() -> dict | None:
    region = current_region()
    if region is None:
        return None
    servers = list(Server.objects.only("name", "role", "latitude", "longitude"))
    # Backup and DNS servers may sit far away by design; drawing them would shrink the
    # region to a dot. The map page lists them all.
    local = [s for s in servers if s.role == Server.Role.PRIMARY]
    drawing = svg_map(region.shape, [(s.longitude, s.latitude) for s in local])
    return {
        "svg": drawing,
        "points": [
            {"name": s.name, "x": x, "y": y}
            for s, (x, y) in zip(local, drawing.points, strict=True)
        ],
        "elsewhere": len(servers) - len(local),
        "server_count": len(local),
    }


def _home_body(request, stamp: str | None, day) -> str:
    partners = cached("partner-cards", _partner_cards, stamp=stamp)
    kinds = sorted(
        (k for k in kind_words(stamp=stamp) if k.services),
        key=lambda k: (-k.services, k.name),
    )[:HOME_KINDS]
    return render_to_string(
        "web/_home_body.html",
        {
            "partners": _of_the_day(partners, day),
            "partner_count": len(partners),
            "kinds": kinds,
            "small_map": _small_map(),
        },
        request,
    )


@kept_for_visitors()
def home(request):
    """The region in plain words, some of its partners, ways in to the directory, a small map.

    Everything below the header is rendered once a day and once per change of what it
    lists, so its cost stays the same however large the region grows.
    """
    stamp = listing_stamp(request)
    day = timezone.localdate()
    body = cached(f"home-body:{day}", lambda: _home_body(request, stamp, day), stamp=stamp)
    return render(request, "web/home.html", {"body": body})


@kept_for_visitors()
def partner_list(request):
    """Every partner co-op, by name: where the home page's few lead.

    Rendered once per change of what it lists, like the home page.
    """
    stamp = listing_stamp(request)
    body = cached(
        "partner-list",
        lambda: render_to_string(
            "web/_partner_list.html",
            {"partners": cached("partner-cards", _partner_cards, stamp=stamp)},
        ),
        stamp=stamp,
    )
    return render(request, "web/partners.html", {"body": body})


def _directory_choices(stamp: str | None) -> dict:
    return {
        "kinds": [(k.slug, k.name) for k in kind_words(stamp=stamp)],
        "software": sorted(
            set(Service.objects.values_list("software", flat=True)), key=str.casefold
        ),
        "partners": list(_partners().order_by("name").values_list("slug", "name")),
    }


def _page(paginator: Paginator, asked: str | None) -> tuple[Page, str]:
    """The page ``asked`` for, or the nearest one and a sentence saying why it is shown."""
    last = paginator.num_pages
    if not asked:
        return paginator.page(1), ""
    try:
        number = int(asked)
    except ValueError:
        return paginator.page(1), f"“{asked}” is not a page number, so this is the first page."
    if 1 <= number <= last:
        return paginator.page(number), ""
    where = "first" if number < 1 else "last"
    return paginator.page(1 if number < 1 else last), (
        f"There is no page {number}: the results fill {last} page{'s' if last > 1 else ''}, "
        f"so this is the {where} page."
    )


def _directory_body(
    form: DirectoryFilters,
    applied: dict,
    found: list[int],
    page: Page,
    *,
    stamp: str | None,
    in_force: dict,
    ignored: list[str],
) -> str:
    """Everything below the header: the filters, and the page of results with its links."""
    kinds = kind_words(stamp=stamp)
    suggested, not_offered, offered = [], [], []
    # A filter that failed is not in ``applied`` at all.
    if not found and applied.get("q"):
        named = kinds_for(applied["q"], kinds)
        suggested = [k for k in named if k.services]
        not_offered = [k for k in named if not k.services]
        if not suggested:
            offered = [k for k in kinds if k.services]
    elif not found and applied.get("kind"):
        not_offered = [k for k in kinds if k.slug == applied["kind"] and not k.services]
    return render_to_string(
        "web/_directory_body.html",
        {
            "form": form,
            "cards": _service_cards(page.object_list, stamp=stamp, show_partner=True),
            "count": len(found),
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "page_query": urlencode(in_force) + "&" if in_force else "",
            "ignored": ignored,
            "filtered": bool(in_force),
            "narrowed": sum(1 for k in ("kind", "software", "partner", "lores") if applied.get(k)),
            "search": applied.get("q", ""),
            "suggested": suggested,
            "not_offered": not_offered,
            "offered": offered,
        },
    )


@kept_for_visitors(query=DIRECTORY_LINKS)
def directory(request):
    """The services that meet the filters in the query string, a page at a time.

    Bad filters and a page that doesn't exist are ignored, and said. A search that finds
    nothing names the kinds of service its words point to, and those the region doesn't
    offer yet.
    """
    stamp = listing_stamp(request)
    choices = cached("directory-choices", lambda: _directory_choices(stamp), stamp=stamp)
    form = DirectoryFilters(request.GET, **choices)
    ignored = [str(error) for errors in form.errors.values() for error in errors]
    # Holds only the fields that passed: each bad filter is dropped on its own.
    applied = form.cleaned_data
    found = find_services(stamp=stamp, **applied)
    page, page_problem = _page(Paginator(found, DIRECTORY_PAGE_SIZE), request.GET.get("page"))
    if page_problem:
        ignored.append(page_problem)
    if ignored:
        not_kept_for_visitors(request)
    # The filters in force, for the page links: a rejected value is not carried along.
    in_force = {k: "on" if v is True else v for k, v in applied.items() if v}

    def body() -> str:
        return _directory_body(
            # The controls show the filters actually applied, not the rejected values.
            DirectoryFilters(initial=applied, **choices) if form.errors else form,
            applied,
            found,
            page,
            stamp=stamp,
            in_force=in_force,
            ignored=ignored,
        )

    # The pages links lead to (every service, or one kind, a page at a time) are the same
    # for everyone, and kept whole. Those a search or the form makes are put together from
    # cached cards: made-up queries can't fill the cache.
    if not ignored and set(in_force) <= {"kind"}:
        day = timezone.localdate()
        name = f"directory:{day}:{urlencode(in_force)}:{page.number}"
        return render(
            request, "web/directory.html", {"page": page, "body": cached(name, body, stamp=stamp)}
        )
    return render(request, "web/directory.html", {"page": page, "body": body()})


def _for_cards(ids: list[int], day) -> list[Service]:
    """The services of ``ids``, in that order, with what their cards show on ``day``
    (closing or closed on that day if their partner winds down): five queries."""
    by_id = Service.objects.select_related("kind").in_bulk(ids)
    services = [by_id[pk] for pk in ids if pk in by_id]
    # Their organisations with the data of the partners' charter badges, all at once.
    owners = with_qualification(
        Organisation.objects.filter(pk__in={s.organisation_id for s in services})
    ).in_bulk()
    # The renewable power and outage readiness of every card's servers, in two queries.
    energy = facts_by_service(services, at=day)
    closing = closing_dates_by_service(ids)
    on_lores = lores_evidence(ids)
    for service in services:
        service.on_lores_mesh = service.pk in on_lores
        service.organisation = owners[service.organisation_id]
        service.energy_facts = energy[service.pk]
        service.closing_on = closing.get(service.pk)
        service.closed = service.closing_on is not None and service.closing_on <= day
    return _with_links(services)


def _service_cards(ids: list[int], *, stamp: str | None, show_partner: bool) -> list[str]:
    """The card of each service of ``ids``, in order, as HTML.

    Cards are cached under the listing stamp, which the charter badges and energy analyses
    they show renew too (see apps.py), and for the day, since the energy facts are those
    in force on it; only the cards not cached are read and rendered.
    """
    day = timezone.localdate()
    variant = f"{'card-run-by' if show_partner else 'card'}:{day}"

    def render_cards(names: list[str]) -> dict[str, str]:
        return {
            f"{variant}:{service.pk}": render_to_string(
                "web/_service_card.html", {"service": service, "show_partner": show_partner}
            )
            for service in _for_cards([int(name.rsplit(":", 1)[1]) for name in names], day)
        }

    cards = cached_many([f"{variant}:{pk}" for pk in ids], render_cards, stamp=stamp)
    return [cards[f"{variant}:{pk}"] for pk in ids if f"{variant}:{pk}" in cards]


def _partner_page(slug: str, day) -> dict:
    partner = get_object_or_404(with_qualification(_partners()), slug=slug)
    servers = list(partner.servers.select_related("power_system").order_by("name"))
    energy = facts_by_server(servers, at=day)
    for server in servers:
        server.energy = energy[server.pk]
    return {
        "partner": partner,
        "services": list(partner.services.order_by("name").values_list("pk", flat=True)),
        "servers": servers,
    }


@kept_for_visitors()
def partner_detail(request, slug):
    """One partner, its services and servers, with each server's power in words.

    Only partners have a page: the steward runs the platform, not services for
    residents, so its slug gives 404 like any unknown one. Cached like the service page;
    the cards of its services are the directory's.
    """
    stamp = listing_stamp(request)
    day = timezone.localdate()
    page = cached(f"partner-page:{day}:{slug}", lambda: _partner_page(slug, day), stamp=stamp)
    cards = _service_cards(page["services"], stamp=stamp, show_partner=False)
    return render(request, "web/partner.html", {**page, "cards": cards})


def _service_page(slug: str, day) -> dict:
    service = get_object_or_404(
        Service.objects.select_related("kind", "organisation").prefetch_related("servers"),
        slug=slug,
    )
    return {
        "service": service,
        "energy": facts_by_service([service], at=day)[service.pk],
        "wind_down": wind_down_of(service.organisation_id),
        "on_lores": lores_evidence([service.pk]).get(service.pk),
        "today": day,
    }


@kept_for_visitors()
def service_detail(request, slug):
    """The facts about one service: software, licence, where to use it, who runs it, where,
    and on what power.

    Cached under the listing stamp, which a change to any of them renews, and for the day,
    since the energy facts are those in force on it.
    """
    day = timezone.localdate()
    page = cached(
        f"service-page:{day}:{slug}", lambda: _service_page(slug, day), stamp=listing_stamp(request)
    )
    return render(request, "web/service.html", page)


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
