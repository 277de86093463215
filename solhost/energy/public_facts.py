"""A server's renewable power and outage readiness for the public pages, from its analysis.

``facts_by_service`` gives every service's servers in two queries, however many services
there are, so a page of directory cards costs the same as one service page; only primary
servers are worded there, as backups and DNS serve no resident directly. A partner's page
words all its servers with ``facts_by_server``, in one query.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from solhost.energy.models import EnergyAnalysis
from solhost.energy.wording import (
    NOT_ANALYSED,
    OutageFigures,
    RenewableFigures,
    Words,
    last_day_of_grace,
    outage_words,
    renewable_words,
)
from solhost.partners.models import Server, Service

# What the wording reads of an analysis; the day-by-day series are most of a row's size.
WORDED_FIELDS = (
    "server_id",
    "as_of",
    "renewable_share_bp",
    "coverage_bp",
    "days_measured",
    "s2_2_status",
    "s3_status",
    "outage",
    "parameters",
)


@dataclass(frozen=True)
class ServerFacts:
    name: str
    url: str
    renewable: Words
    outage: Words


def analysis_words(analysis: EnergyAnalysis, *, started: datetime.date) -> tuple[Words, Words]:
    """S2.2 and S3 of a stored analysis in words, judged with the parameters it kept."""
    used = analysis.parameters
    renewable = renewable_words(
        RenewableFigures(
            status=analysis.s2_2_status,
            share_bp=analysis.renewable_share_bp,
            days_measured=analysis.days_measured,
            coverage_bp=analysis.coverage_bp,
            window_days=used["renewable_window_days"],
            least_bp=used["renewable_min_share_bp"],
            min_coverage_bp=used["min_coverage_bp"],
        )
    )
    outage = outage_words(
        OutageFigures(
            status=analysis.s3_status,
            hours_required=used["outage_hours"],
            hours_lasted=analysis.outage.get("min_survival_hours"),
            grace_last_day=last_day_of_grace(started, used["outage_grace_days"]),
        )
    )
    return renewable, outage


def latest_analyses(server_ids: Iterable[int], at: datetime.date) -> dict[int, EnergyAnalysis]:
    """The newest analysis of each server on or before ``at``, in one query."""
    newest = (
        EnergyAnalysis.objects.filter(server=OuterRef("server"), as_of__lte=at)
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    found = EnergyAnalysis.objects.filter(server_id__in=server_ids, as_of=Subquery(newest)).only(
        *WORDED_FIELDS
    )
    return {analysis.server_id: analysis for analysis in found}


def _server_facts(
    name: str, slug: str, started: datetime.date, analysis: EnergyAnalysis | None, url: str
) -> ServerFacts:
    renewable, outage = (
        (NOT_ANALYSED, NOT_ANALYSED)
        if analysis is None
        else analysis_words(analysis, started=started)
    )
    # ``url`` is the energy page's address reversed once with "-" for the slug.
    return ServerFacts(name, url.replace("/-/", f"/{slug}/"), renewable, outage)


def facts_by_server(
    servers: Iterable[Server], *, at: datetime.date | None = None
) -> dict[int, ServerFacts]:
    """Each server's energy in words, by server id, in one query whatever their number."""
    servers = list(servers)
    analyses = latest_analyses([server.pk for server in servers], at or timezone.localdate())
    url = reverse("energy:server", args=["-"])
    return {
        server.pk: _server_facts(
            server.name, server.slug, server.operation_started, analyses.get(server.pk), url
        )
        for server in servers
    }


def facts_by_service(
    services: Iterable[Service], *, at: datetime.date | None = None
) -> dict[int, list[ServerFacts]]:
    """Each service's primary servers with their energy in words, by service id.

    Two queries whatever the number of services. A service with no primary server maps to
    an empty list.
    """
    ids = [service.pk for service in services]
    links = list(
        Service.servers.through.objects.filter(service_id__in=ids, server__role=Server.Role.PRIMARY)
        .order_by("server__name")
        .values_list(
            "service_id", "server_id", "server__name", "server__slug", "server__operation_started"
        )
    )
    analyses = latest_analyses({link[1] for link in links}, at or timezone.localdate())
    url = reverse("energy:server", args=["-"])
    worded: dict[int, ServerFacts] = {}
    facts: dict[int, list[ServerFacts]] = {pk: [] for pk in ids}
    for service_id, server_id, name, slug, started in links:
        if server_id not in worded:
            worded[server_id] = _server_facts(name, slug, started, analyses.get(server_id), url)
        facts[service_id].append(worded[server_id])
    return facts
