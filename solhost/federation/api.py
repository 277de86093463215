"""``GET /api/v1/directory.json``: the whole public directory in one document, kept whole
under the listing stamp and the day, with an ETag so a reader fetches it again only when
something listed changed."""

import hashlib
import json

from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from ninja import Field, Router, Schema

from solhost.core.api import GUARDED
from solhost.federation import documents
from solhost.partners.api import ServiceDescriptionOut
from solhost.partners.listing_cache import cached, current_stamp
from solhost.region.models import current_region

router = Router(tags=["directory"])


class DirectoryRegionOut(Schema):
    name: str
    slug: str
    website: str


class DirectoryQualificationOut(Schema):
    state: str = Field(
        description="The charter badge: `qualified`, `not_met`, `not_yet_shown` (evidence "
        "still to come) or `not_evaluated`."
    )
    words: str
    judged_for: str | None = Field(description="The day the newest evaluation judged.")


class DirectoryPartnerOut(Schema):
    slug: str
    name: str
    summary: str
    legal_form: str
    locality: str
    website: str
    page: str
    founded: str | None
    qualification: DirectoryQualificationOut
    closing_on: str | None = Field(description="The shutdown day of a partner that is closing.")


class DirectoryLoresOut(Schema):
    available: bool = Field(
        description="The LoRes sync found an app running the service on a node linked to "
        "its partner's servers."
    )
    url: str | None
    app: str | None
    app_version: str | None
    node: str | None
    checked_at: str | None = Field(description="When a sync last found the app installed.")


class DirectoryServiceOut(ServiceDescriptionOut):
    page: str
    status: str = Field(description="`open`, `closing` (its partner winds down) or `closed`.")
    closing_on: str | None
    lores: DirectoryLoresOut


class DirectoryRenewableOut(Schema):
    share: float | None = Field(description="Renewable share of the energy used, 0 to 1.")
    as_of: str | None
    days_measured: int | None
    coverage: float | None = Field(description="Share of the window's days with readings.")


class DirectoryLoresNodeOut(Schema):
    name: str
    state: str


class DirectoryServerOut(Schema):
    slug: str
    name: str
    partner: str
    role: str
    locality: str
    latitude: float
    longitude: float
    renewable: DirectoryRenewableOut
    lores_node: DirectoryLoresNodeOut | None


class DirectoryOut(Schema):
    region: DirectoryRegionOut
    as_of: str
    partners: list[DirectoryPartnerOut]
    services: list[DirectoryServiceOut]
    servers: list[DirectoryServerOut]


@router.get(
    "/directory.json",
    response={200: DirectoryOut, 304: None, **GUARDED},
    summary="The whole public directory in one document",
    description=(
        "Partners with their charter badge, services with their LoRes availability and "
        "closing dates, servers with their latest renewable share. Send the `ETag` back in "
        "`If-None-Match`: the answer is `304 Not Modified` until something listed changes."
    ),
)
def directory_document(request):
    day = timezone.localdate()
    origin = f"{request.scheme}://{request.get_host()}"

    def build() -> bytes:
        document = documents.directory(current_region(), request.build_absolute_uri, day=day)
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    body = cached(f"directory-json:{day}:{origin}", build, stamp=current_stamp())
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    # Readers may keep it, but ask again each time: the ETag makes asking cheap.
    response["Cache-Control"] = "no-cache"
    return response
