"""The feeds' pages: parse the address, find the public record, write it in the format."""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from solhost.federation import documents
from solhost.federation.properties import properties_text
from solhost.partners.models import Service
from solhost.region.models import current_region

PROPERTIES_TYPE = "text/plain; charset=utf-8"


def _properties(entries: documents.Entries, *, about: str) -> HttpResponse:
    return HttpResponse(
        properties_text(entries, comment=f"ChatonsInfos: {about}"), content_type=PROPERTIES_TYPE
    )


def federation_properties(request):
    """The region as a ChatonsInfos federation; each partner's file is one of its subs."""
    region = current_region()
    if region is None:
        raise Http404("No region is set up here yet.")
    entries = documents.federation_entries(region, request.build_absolute_uri)
    return _properties(entries, about=f"the federation {region.name}")


def partner_properties(request, slug):
    partner = get_object_or_404(documents.partners(), slug=slug)
    entries = documents.organisation_entries(partner, request.build_absolute_uri)
    return _properties(entries, about=f"the organisation {partner.name}")


def service_properties(request, slug):
    service = get_object_or_404(
        Service.objects.filter(organisation__kind="partner").prefetch_related("servers"),
        slug=slug,
    )
    entries = documents.service_entries(service, request.build_absolute_uri)
    return _properties(entries, about=f"the service {service.name}")


def partner_librehost(request, slug):
    partner = get_object_or_404(documents.partners(), slug=slug)
    document = documents.librehost(partner, request.build_absolute_uri)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})


def index(request):
    """What the region publishes for other networks, with the address of each."""
    partners = documents.partners().order_by("name").values_list("name", "slug")
    return render(request, "federation/index.html", {"partners": partners})
