"""The region's public directory as other networks read it: ChatonsInfos entries, the
Librehosters' ``librehost.json`` and one JSON document of the whole directory.

Everything here is already public on the region's pages (partners, services, servers and
their map pins, charter badges, energy, LoRes availability, closing dates); nothing a
partner keeps private is read. ``absolute`` turns a path into a full address.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from solhost.energy.public_facts import latest_analyses
from solhost.lores.models import LoresNode
from solhost.lores.queries import lores_evidence
from solhost.partners.models import Organisation, Server, Service
from solhost.qualification.badges import badge, with_qualification
from solhost.region.models import Region
from solhost.winddown.queries import closed_services, closing_dates_by_service

Absolute = Callable[[str], str]
Entries = list[tuple[str, str]]

PROTOCOL = "ChatonsInfos-0.5"
# ChatonsInfos writes dates day first.
CHATONS_DATE = "%d/%m/%Y"
ORGANISATION_TYPES = {
    Organisation.LegalForm.COOPERATIVE: "COOPERATIVE",
    Organisation.LegalForm.ASSOCIATION: "ASSOCIATION",
    Organisation.LegalForm.COMPANY: "COMPANY",
    Organisation.LegalForm.COLLECTIVE: "INFORMAL",
}
# Who may open an account: ChatonsInfos' None, Free, Member or Client.
REGISTRATION = {
    Service.Audience.PUBLIC: "Free",
    Service.Audience.MEMBERS: "Member",
    Service.Audience.ORGANISATION: "Member",
}
BADGE_WORDS = {
    "qualified": "Meets the region's charter",
    "not_met": "Does not meet every criterion of the region's charter yet",
    "not_yet_shown": "On its way: evidence for the region's charter still to come",
    "not_evaluated": "Not yet judged against the region's charter",
}


def partners():
    """The partners listed publicly, with their charter badge's data."""
    return with_qualification(Organisation.objects.filter(kind=Organisation.Kind.PARTNER))


def _chatons_date(day: datetime.date | None) -> str:
    return day.strftime(CHATONS_DATE) if day else ""


def _file_header(kind: str) -> Entries:
    return [
        ("file.class", kind),
        ("file.protocol", PROTOCOL),
        ("file.generator", "solhost"),
        ("file.datetime", timezone.now().replace(microsecond=0).isoformat()),
    ]


def _country(prefix: str) -> Entries:
    return [
        (f"{prefix}.country.name", settings.SOLHOST_COUNTRY_NAME),
        (f"{prefix}.country.code", settings.SOLHOST_COUNTRY_CODE),
    ]


def _filled(entries: Entries) -> Entries:
    """Only the keys with a value: ChatonsInfos reads a missing key as unknown."""
    return [(key, value) for key, value in entries if value]


def _badge_words(organisation: Organisation) -> tuple[str, str]:
    shown = badge(organisation)
    words = BADGE_WORDS[shown["state"]]
    judged = organisation.qualified_on
    return shown["state"], f"{words} (judged for {judged:%Y-%m-%d})" if judged else words


def federation_entries(region: Region, absolute: Absolute) -> Entries:
    """The region as a ChatonsInfos federation, its partners as its members."""
    steward = Organisation.objects.filter(kind=Organisation.Kind.STEWARD).first()
    entries = [
        *_file_header("federation"),
        ("federation.name", region.name),
        ("federation.description", region.tagline or region.description),
        ("federation.website", absolute(reverse("web:home"))),
        ("federation.contact.url", steward.website if steward else ""),
        ("federation.contact.email", steward.contact_email if steward else ""),
        ("federation.startdate", _chatons_date(steward.founded if steward else None)),
        *_country("federation"),
    ]
    entries += [
        (f"subs.{slug}", absolute(reverse("federation:partner_properties", args=[slug])))
        for slug in partners().order_by("slug").values_list("slug", flat=True)
    ]
    return _filled(entries)


def organisation_entries(partner: Organisation, absolute: Absolute) -> Entries:
    """One partner as a ChatonsInfos organisation, its services as its subs."""
    wind_down = getattr(partner, "wind_down", None)
    state, words = _badge_words(partner)
    closed = wind_down is not None and wind_down.shutdown_on <= timezone.localdate()
    if wind_down is not None and not closed:
        words = f"Closing on {wind_down.shutdown_on:%Y-%m-%d}. {words}"
    where = partner.servers.filter(role=Server.Role.PRIMARY).order_by("operation_started").first()
    entries = [
        *_file_header("organization"),
        ("organization.name", partner.name),
        ("organization.description", partner.summary),
        ("organization.website", partner.website or absolute(partner.get_absolute_url())),
        ("organization.contact.url", absolute(partner.get_absolute_url())),
        ("organization.contact.email", partner.contact_email),
        ("organization.startdate", _chatons_date(partner.founded)),
        ("organization.enddate", _chatons_date(wind_down.shutdown_on if wind_down else None)),
        ("organization.status.level", "AWAY" if closed else "ACTIVE"),
        ("organization.status.description", words),
        ("organization.type", ORGANISATION_TYPES.get(partner.legal_form, "OTHER")),
        *_country("organization"),
        ("organization.geolocation.address", ", ".join(filter(None, [partner.locality]))),
        ("organization.geolocation.latitude", f"{where.latitude}" if where else ""),
        ("organization.geolocation.longitude", f"{where.longitude}" if where else ""),
        # Residents pay what they can through the region, which passes it to partners.
        ("organization.funding.custom", absolute(reverse("contributions:contribute"))),
        ("organization.charter.state", state),
    ]
    entries += [
        (f"subs.{slug}", absolute(reverse("federation:service_properties", args=[slug])))
        for slug in partner.services.order_by("slug").values_list("slug", flat=True)
    ]
    return _filled(entries)


def _licence_url(licence: str) -> str:
    """SPDX's page of a single licence; none for an expression or a licence of our own."""
    if " " in licence or licence.startswith("LicenseRef-"):
        return ""
    return f"https://spdx.org/licenses/{licence}.html"


def service_entries(service: Service, absolute: Absolute) -> Entries:
    """One service as a ChatonsInfos service; a closing one carries its end date."""
    today = timezone.localdate()
    ends = closing_dates_by_service([service.pk]).get(service.pk)
    servers = sorted(service.servers.all(), key=lambda s: (s.role != "primary", s.slug))
    host = servers[0] if servers else None
    on_lores = lores_evidence([service.pk]).get(service.pk)
    if ends is not None and ends <= today:
        level, words = "OVER", f"Closed on {ends:%Y-%m-%d}"
    elif ends is not None:
        level, words = "WARNING", f"Closing on {ends:%Y-%m-%d}"
    else:
        level, words = "OK", ""
    entries = [
        *_file_header("service"),
        ("service.name", service.name),
        ("service.description", service.summary),
        ("service.website", service.url),
        ("service.contact.url", absolute(service.get_absolute_url())),
        ("service.status.level", level),
        ("service.status.description", words),
        ("service.registration", REGISTRATION.get(service.audience, "Member")),
        # The service can be no older than the servers it runs on: the earliest is the
        # best start known.
        (
            "service.startdate",
            _chatons_date(min((s.operation_started for s in servers), default=None)),
        ),
        ("service.enddate", _chatons_date(ends)),
        ("service.lores.url", service.lores_url if on_lores else ""),
        ("software.name", service.software),
        ("software.version", service.software_version),
        ("software.license.name", service.licence),
        ("software.license.url", _licence_url(service.licence)),
        ("software.source.url", service.source_url),
        ("host.name", host.name if host else ""),
        ("host.description", host.hosting_company if host else ""),
        ("host.server.type", "PHYSICAL" if host else ""),
        # A partner's own machine at its premises, or one in another's building.
        (
            "host.provider.type",
            ("HOME" if host.hosting_company.lower() == "self-hosted" else "HOSTEDSERVER")
            if host
            else "",
        ),
        *(_country("host") if host else []),
    ]
    return _filled(entries)


def librehost(partner: Organisation, absolute: Absolute) -> dict:
    """The partner as the Librehosters network reads it: a schema.org Organization."""
    page = absolute(partner.get_absolute_url())
    changed = partner.qualified_on
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": partner.name,
        "tagLine": partner.summary,
        "homeUrl": partner.website or page,
        "description": partner.description or partner.summary,
        "contactUrl": page,
        "email": partner.contact_email or None,
        # No partner states a privacy policy in the directory yet.
        "privacyPolicyUrl": None,
        "foundingDate": partner.founded.isoformat() if partner.founded else None,
        "dateModified": changed.isoformat() if changed else None,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": partner.locality or None,
            "addressCountry": settings.SOLHOST_COUNTRY_CODE,
        },
        "memberOf": {"@type": "Organization", "name": _region_name(), "url": absolute("/")},
        "services": [
            {
                "name": service.name,
                "url": service.url,
                "software": service.software,
                "license": service.licence,
                "sourceUrl": service.source_url,
            }
            for service in partner.services.order_by("name")
        ],
    }


def _region_name() -> str:
    region = Region.objects.filter(slug=settings.SOLHOST_REGION).first()
    return region.name if region else ""


def directory(region: Region | None, absolute: Absolute, *, day: datetime.date) -> dict:
    """The whole public directory in one document: partners with their charter badge,
    services with their LoRes availability and closing dates, servers with their latest
    renewable share, as of ``day``."""
    closed = closed_services()
    owners = list(partners().order_by("slug"))
    services = list(
        Service.objects.filter(organisation__in=owners)
        .exclude(pk__in=closed)
        .select_related("kind", "organisation")
        .order_by("slug")
    )
    servers = list(
        Server.objects.filter(organisation__in=owners)
        .select_related("organisation")
        .order_by("slug")
    )
    closing = closing_dates_by_service([s.pk for s in services])
    on_lores = lores_evidence(s.pk for s in services)
    analyses = latest_analyses([s.pk for s in servers], day)
    nodes = {
        node.server_id: node
        for node in LoresNode.objects.filter(server__in=servers, link=LoresNode.Link.LINKED)
    }
    return {
        "region": {
            "name": region.name if region else "",
            "slug": region.slug if region else "",
            "website": absolute("/"),
        },
        "as_of": day.isoformat(),
        "partners": [_partner_entry(partner, absolute) for partner in owners],
        "services": [
            _service_entry(
                service, absolute, closing.get(service.pk), on_lores.get(service.pk), day
            )
            for service in services
        ],
        "servers": [
            _server_entry(server, analyses.get(server.pk), nodes.get(server.pk))
            for server in servers
        ],
    }


def _partner_entry(partner: Organisation, absolute: Absolute) -> dict:
    state, words = _badge_words(partner)
    wind_down = getattr(partner, "wind_down", None)
    return {
        "slug": partner.slug,
        "name": partner.name,
        "summary": partner.summary,
        "legal_form": partner.legal_form,
        "locality": partner.locality,
        "website": partner.website,
        "page": absolute(partner.get_absolute_url()),
        "founded": partner.founded.isoformat() if partner.founded else None,
        "qualification": {
            "state": state,
            "words": words,
            "judged_for": partner.qualified_on.isoformat() if partner.qualified_on else None,
        },
        "closing_on": wind_down.shutdown_on.isoformat() if wind_down else None,
    }


def _service_entry(service, absolute, ends, evidence, day) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "summary": service.summary,
        "partner": service.organisation.slug,
        "kind": service.kind.slug,
        "software": service.software,
        "software_version": service.software_version,
        "licence": service.licence,
        "source_url": service.source_url,
        "audience": service.audience,
        "url": service.url,
        "page": absolute(service.get_absolute_url()),
        "status": "closed" if ends and ends <= day else "closing" if ends else "open",
        "closing_on": ends.isoformat() if ends else None,
        "lores": {
            "available": evidence is not None,
            "url": service.lores_url if evidence else None,
            "app": evidence.app_name if evidence else None,
            "app_version": evidence.app_version if evidence else None,
            "node": evidence.node.name if evidence else None,
            "checked_at": evidence.checked_at.isoformat() if evidence else None,
        },
    }


def _server_entry(server: Server, analysis, node) -> dict:
    share = analysis.renewable_share_bp if analysis else None
    return {
        "slug": server.slug,
        "name": server.name,
        "partner": server.organisation.slug,
        "role": server.role,
        "locality": server.locality,
        "latitude": server.latitude,
        "longitude": server.longitude,
        "renewable": {
            "share": None if share is None else share / 10_000,
            "as_of": analysis.as_of.isoformat() if analysis else None,
            "days_measured": analysis.days_measured if analysis else None,
            "coverage": analysis.coverage_bp / 10_000 if analysis else None,
        },
        "lores_node": {"name": node.name, "state": node.state} if node else None,
    }
