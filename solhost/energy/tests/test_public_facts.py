"""Services' servers with their energy in words, for cards and service pages, in two queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from solhost.energy.actions import analyse_server
from solhost.energy.public_facts import facts_by_service
from solhost.energy.tests.helpers import LAST_DAY, with_telemetry
from solhost.energy.wording import NOT_ANALYSED
from solhost.partners.models import Server, Service


def more_services(world, count: int) -> None:
    for i in range(count):
        server = Server.objects.create(
            organisation=world.cct,
            slug=f"cct-more-{i}",
            name=f"More {i}",
            latitude=-37.75,
            longitude=144.96,
            hosting_company="self-hosted",
            operation_started=datetime.date(2025, 9, 1),
        )
        service = Service.objects.create(
            organisation=world.cct,
            slug=f"more-{i}",
            name=f"More {i}",
            kind=world.chat,
            summary="More chat.",
            software="Synapse",
            licence="AGPL-3.0-or-later",
            source_url="https://github.com/element-hq/synapse",
            url=f"https://more-{i}.example.org",
        )
        service.servers.add(server, world.mcc_server)


def queries_for(services) -> int:
    with CaptureQueriesContext(connection) as queries:
        facts_by_service(services, at=LAST_DAY)
    return len(queries)


def test_two_queries_whatever_the_number_of_services(world):
    with_telemetry(world.mcc_server, days=3)
    assert queries_for(list(Service.objects.all()[:2])) == 2
    more_services(world, 5)
    every = list(Service.objects.all())
    assert len(every) == 7
    assert queries_for(every) == 2


def test_each_service_gets_its_primary_servers_worded_from_their_newest_analysis(world):
    with_telemetry(world.mcc_server, days=21)
    analyse_server(server=world.mcc_server, at=LAST_DAY - datetime.timedelta(days=14))
    world.cct_server.role = "dns"
    world.cct_server.save()

    facts = facts_by_service([world.mcc_service, world.cct_service], at=LAST_DAY)

    assert facts[world.cct_service.pk] == []
    (server,) = facts[world.mcc_service.pk]
    assert (server.name, server.url) == ("MCC one", "/servers/mcc-1/energy/")
    assert server.renewable.short.endswith("renewable so far, over 21 days measured")
    assert server.renewable.thin
    # On an earlier day, the analysis then in force speaks.
    earlier = facts_by_service([world.mcc_service], at=LAST_DAY - datetime.timedelta(days=14))
    assert earlier[world.mcc_service.pk][0].renewable.short.endswith("over 7 days measured")


def test_a_server_not_analysed_by_then_has_no_readings_to_speak_of(world):
    with_telemetry(world.mcc_server, days=3)
    (server,) = facts_by_service([world.mcc_service], at=LAST_DAY - datetime.timedelta(days=5))[
        world.mcc_service.pk
    ]
    assert server.renewable == server.outage == NOT_ANALYSED
