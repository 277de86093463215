from django.http import Http404
from ninja import Router, Schema

from solhost.core.api import GUARDED, NOT_FOUND
from solhost.partners.models import Server
from solhost.region.models import current_region

router = Router(tags=["region"])


class RegionOut(Schema):
    name: str
    slug: str
    domain: str
    tagline: str
    boundary: dict
    servers: dict


def server_features() -> dict:
    """Every server as a GeoJSON point, with the public facts the map shows."""
    servers = Server.objects.select_related("organisation").order_by("organisation__name", "name")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]},
                "properties": {
                    "slug": s.slug,
                    "name": s.name,
                    "partner": s.organisation.name,
                    "partner_slug": s.organisation.slug,
                    "role": s.role,
                    "locality": s.locality,
                },
            }
            for s in servers
        ],
    }


@router.get(
    "/region",
    response={200: RegionOut, **GUARDED, **NOT_FOUND},
    summary="The region's boundary and its servers",
)
def region_detail(request):
    region = current_region()
    if region is None:
        raise Http404("No region has been loaded yet.")
    return {
        "name": region.name,
        "slug": region.slug,
        "domain": region.domain,
        "tagline": region.tagline,
        "boundary": region.boundary,
        "servers": server_features(),
    }
