"""Builds the dossier and snapshot the checks see from the live records.

Declarations and financial years come from this app; servers and services from
``partners``; power from ``energy``; evidence states from reviews; participation from
governance and energy results from the energy analysis, once those modules exist; how a
wind-down went from whichever app above answers ``signals.wind_down_progress``.
"""

import datetime
import threading

from solhost.core.models import parameter_values
from solhost.lores.queries import lores_evidence
from solhost.partners.models import Organisation, ServiceKind
from solhost.qualification import dossier as d
from solhost.qualification.cloud_ranges import CloudRange, CloudRangeIndex
from solhost.qualification.dossier_document import subject_id
from solhost.qualification.energy_results import energy_results_for
from solhost.qualification.models import CloudRangeList, Declarations, Evidence
from solhost.qualification.participation import participation_for
from solhost.qualification.region_context import RegionContext
from solhost.qualification.rules import Snapshot, parameters_read
from solhost.qualification.signals import wind_down_progress_of
from solhost.region.models import current_region

REVIEW_STATES = {
    Evidence.State.SUBMITTED: "pending",
    Evidence.State.APPROVED: "approved",
    Evidence.State.REJECTED: "rejected",
    Evidence.State.MORE_REQUESTED: "more_requested",
}


def _power(server) -> d.Power:
    power = getattr(server, "power_system", None)
    if power is None:
        return d.Power("none", None)
    if power.community_installation and power.community_latitude is not None:
        return d.Power(
            "community",
            d.Location(
                power.community_latitude, power.community_longitude, power.community_installation
            ),
        )
    return d.Power("on_site" if power.pv_kwp > 0 else "none", None)


def _lores_option(service, *, evidence, recommended) -> d.LoresOption | None:
    """The LoRes way as the LoRes sync found it: an address the partner typed is not
    enough, an app running the service must be installed on one of the partner's nodes."""
    found = evidence.get(service.pk)
    if found is None:
        return None
    return d.LoresOption(service.lores_url, service.pk in recommended, found.evidence_words())


def declarations_of(organisation: Organisation) -> Declarations:
    """The stored declarations, or blank ones (not saved) before the partner writes any."""
    try:
        return organisation.declarations
    except Declarations.DoesNotExist:
        return Declarations(organisation=organisation)


def build_dossier(organisation: Organisation, *, at: datetime.date) -> d.Dossier:
    """Everything known about the partner for qualification on day ``at``."""
    declared = declarations_of(organisation)
    recommended = (
        set(declared.lores_recommended.values_list("pk", flat=True)) if declared.pk else set()
    )
    servers = list(organisation.servers.select_related("power_system").order_by("slug"))
    services = list(
        organisation.services.select_related("kind").prefetch_related("servers").order_by("slug")
    )
    on_lores = lores_evidence(service.pk for service in services)
    evidence = Evidence.objects.filter(organisation=organisation).select_related(
        "server", "service"
    )
    union = (
        None
        if declared.union_workers is None or declared.union_members is None
        else d.UnionParticipation(
            declared.union_workers, declared.union_members, declared.union_description or None
        )
    )
    energy: dict[str, d.EnergyResults] = {}
    for server in servers:
        results = energy_results_for(server, at=at)
        if results is not None:
            energy[subject_id(server.slug)] = results
    return d.Dossier(
        partner=d.Partner(
            name=organisation.name,
            legal_structure=d.LegalStructure(
                form=organisation.legal_form,
                registration_number=organisation.registration_number or None,
                statement_of_structure=declared.statement_of_structure or None,
            ),
            run_by=declared.run_by,
            land_back_withheld_by_platform=declared.land_back_withheld_by_platform,
        ),
        financial_years=tuple(
            d.FinancialYear(
                ends=year.ends,
                gross_revenue_cents=year.gross_revenue_cents,
                labour_payments_cents=year.labour_payments_cents,
                fte=year.fte,
                surplus_cents=year.surplus_cents,
                investor_returns_cents=year.investor_returns_cents,
                loan_repayments_cents=year.loan_repayments_cents,
                land_back_cents=year.land_back_cents,
            )
            for year in organisation.financial_years.order_by("ends")
        ),
        pay_ratio=d.PayRatio(
            declared.pay_ratio_plan or None, declared.pay_ratio_cap, declared.pay_ratio_actual
        ),
        union_participation=union,
        commons_stewardship=declared.commons_stewardship or None,
        end_of_life=d.EndOfLife(
            declared.data_return or None,
            declared.user_migration or None,
            declared.infrastructure_handover or None,
        ),
        servers=tuple(
            d.Server(
                id=subject_id(server.slug),
                role=server.role,
                location=d.Location(server.latitude, server.longitude, server.locality or None),
                hosting_company=server.hosting_company,
                asn=server.asn,
                ips=tuple(str(ip) for ip in server.public_ips),
                operation_started=server.operation_started,
                power=_power(server),
            )
            for server in servers
        ),
        services=tuple(
            d.Service(
                id=subject_id(service.slug),
                kind=service.kind.slug,
                licence=service.licence,
                audience=service.audience,
                servers=tuple(subject_id(s.slug) for s in service.servers.all()),
                lores=_lores_option(service, evidence=on_lores, recommended=recommended),
                export_formats=tuple(service.export_formats),
                account_move=service.account_move,
            )
            for service in services
        ),
        # Oldest first: the checks read the latest piece as the current state.
        evidence=tuple(
            d.Evidence(
                criterion=item.criterion,
                subject=item.subject,
                review=REVIEW_STATES[item.state],
                valid_from=item.valid_from,
                valid_until=item.valid_until,
            )
            for item in sorted(evidence, key=lambda e: (e.submitted_at, e.pk))
        ),
        participation=participation_for(organisation, at=at),
        energy=energy,
        wind_down=wind_down_progress_of(organisation),
    )


def region_context() -> RegionContext:
    region = current_region()
    if region is None:
        raise LookupError("No region is loaded: load one before evaluating partners.")
    kinds = frozenset(ServiceKind.objects.filter(lores_covered=True).values_list("slug", flat=True))
    return RegionContext(region.name, region.shape, region.projected_crs, kinds)


_index_lock = threading.Lock()
_index_cache: dict[tuple[tuple[str, str], ...], CloudRangeIndex] = {}


def cloud_range_index() -> CloudRangeIndex:
    """The stored ranges of every provider, indexed once per imported set of files."""
    import ipaddress

    stored = list(CloudRangeList.objects.order_by("provider").values_list("provider", "sha256"))
    key = tuple(stored)
    with _index_lock:
        if key not in _index_cache:
            ranges = [
                CloudRange(ipaddress.ip_network(line), row.provider, row.company)
                for row in CloudRangeList.objects.order_by("provider")
                for line in row.networks.splitlines()
            ]
            _index_cache.clear()
            _index_cache[key] = CloudRangeIndex(ranges)
        return _index_cache[key]


def parameters_at(at: datetime.date) -> dict[str, object]:
    return parameter_values(parameters_read(), at=at)


def build_snapshot(organisation: Organisation, *, at: datetime.date) -> Snapshot:
    return Snapshot(
        dossier=build_dossier(organisation, at=at),
        region=region_context(),
        cloud_ranges=cloud_range_index(),
    )
