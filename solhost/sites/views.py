"""The primary's door for forwarded events, and the steward's page of the region's sites."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from solhost.partners.permissions import steward_required
from solhost.sites import config, queries
from solhost.sites.keys import KEYS_KIND, BadBatch, verify_batch
from solhost.sites.receiving import MalformedBatch, NumberReused, receive_batch, receive_keys


def _problem(status: int, where: str, message: str, **more) -> JsonResponse:
    return JsonResponse({"problems": [{"where": where, "message": message}], **more}, status=status)


@csrf_exempt  # a site's signed batch, not a browser's form
@require_POST
def forward(request: HttpRequest) -> HttpResponse:
    """``POST /sites/forward/``: a batch of events a site recorded, signed by its key."""
    if not config.is_primary():
        # A region of one site has no door for forwarding; a site forwards, it takes none.
        return _problem(404, "site", "events are forwarded to the region's primary site")
    try:
        site, claims, signed_with = verify_batch(
            request.body.decode("ascii", errors="replace").strip()
        )
    except BadBatch as error:
        return _problem(403, "batch", str(error))
    if claims.get("kind") == KEYS_KIND:
        try:
            kids = receive_keys(site=site, keys=claims.get("keys"), signed_with=signed_with)
        except MalformedBatch as error:
            return _problem(400, "batch", str(error))
        return JsonResponse({"site": site.name, "kids": kids})
    try:
        outcomes = receive_batch(
            site=site,
            kind=claims.get("kind"),
            events=claims.get("events"),
            store=claims.get("store"),
        )
    except MalformedBatch as error:
        return _problem(400, "batch", str(error))
    except NumberReused as reused:
        # The site forwards these under a new name of its store, and they are kept then.
        return _problem(
            409,
            f"events[id={reused.local_id}]",
            str(reused),
            number_reused={"kind": reused.kind, "id": reused.local_id},
        )
    return JsonResponse({"site": site.name, "outcomes": outcomes})


@steward_required
def steward_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/steward.html", queries.steward_page_facts())
