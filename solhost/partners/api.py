from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from solhost.core.api import GUARDED, INVALID, NOT_FOUND, UNAUTHORISED
from solhost.partners import exits
from solhost.partners.auth import partner_token
from solhost.partners.directory import filter_services
from solhost.partners.models import Organisation, Service

router = Router(tags=["directory"])


class HowToLeaveOut(Schema):
    """How residents get their data out of a service and whether their account can move."""

    export_formats: list[str] = Field(
        description="Formats of the service's own export: "
        + "; ".join(f"`{code}` {name}" for code, name in exits.EXPORT_FORMATS.items())
    )
    export_steps: str = Field(description="How to use the service's own export.")
    account_move: str = Field(
        description="Whether an account can move to another host: "
        + "; ".join(f"`{code}` {words}" for code, words in exits.ACCOUNT_MOVES.items())
    )
    account_move_steps: str = Field(description="How an account moves, and what does not.")


class ServiceDescriptionOut(Schema):
    """What every public description of a service says, here and in the directory
    document (federation): its partner and kind by slug."""

    slug: str
    name: str
    summary: str
    partner: str
    kind: str
    software: str
    software_version: str
    licence: str
    source_url: str
    audience: str
    url: str


class ServiceOut(ServiceDescriptionOut):
    lores_url: str
    accepts_new_residents: bool
    how_to_leave: HowToLeaveOut

    @staticmethod
    def resolve_how_to_leave(obj):
        return obj.exit_information()

    @staticmethod
    def resolve_kind(obj):
        return obj.kind.slug

    @staticmethod
    def resolve_partner(obj):
        return obj.organisation.slug


class ServerOut(Schema):
    slug: str
    name: str
    role: str
    locality: str
    latitude: float
    longitude: float
    hosting_company: str
    asn: int | None
    operation_started: str

    @staticmethod
    def resolve_operation_started(obj):
        return obj.operation_started.isoformat()


class PartnerOut(Schema):
    slug: str
    name: str
    kind: str
    legal_form: str
    summary: str
    locality: str
    website: str
    services: list[ServiceOut]
    servers: list[ServerOut]

    @staticmethod
    def resolve_services(obj):
        return obj.services.all()

    @staticmethod
    def resolve_servers(obj):
        return obj.servers.all()


def _partners():
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER).prefetch_related(
        "servers", Prefetch("services", Service.objects.select_related("kind", "organisation"))
    )


@router.get(
    "/partners", response={200: list[PartnerOut], **GUARDED}, summary="Every partner organisation"
)
def partner_list(request):
    return _partners().all()


@router.get(
    "/partners/{slug}",
    response={200: PartnerOut, **GUARDED, **NOT_FOUND},
    summary="One partner, its services and servers",
)
def partner_detail(request, slug: str):
    return get_object_or_404(_partners(), slug=slug)


@router.get(
    "/services",
    response={200: list[ServiceOut], **GUARDED, **INVALID},
    summary="The service directory, filtered",
)
def service_list(
    request, q: str = "", kind: str = "", software: str = "", partner: str = "", lores: bool = False
):
    return filter_services(
        Service.objects.all(), q=q, kind=kind, software=software, partner=partner, lores=lores
    )


class TokenOwnerOut(Schema):
    slug: str
    name: str


@router.get(
    "/partner",
    response={200: TokenOwnerOut, **GUARDED, **UNAUTHORISED},
    auth=partner_token,
    summary="The partner a token belongs to (check that a token works)",
)
def token_owner(request):
    return request.auth
