import datetime
import re

from django.urls import reverse

from solhost.energy.models import PowerSystem
from solhost.partners.models import Server
from solhost.web.tests.pages import assert_clean_page, assert_queries_do_not_grow


def partner_url(slug: str) -> str:
    return reverse("web:partner", args=[slug])


def test_shows_who_the_partner_is(client, world):
    world.mcc.description = "Four workers who own their co-op."
    world.mcc.registration_number = "C0091234"
    world.mcc.locality = "Brunswick East"
    world.mcc.website = "https://mcc.example.org"
    world.mcc.save()
    html = client.get(partner_url("mcc")).content.decode()
    for text in (
        "<h1>Merri Creek Computing</h1>",
        "A worker co-op in Brunswick.",
        "Four workers who own their co-op.",
        "Registered co-operative",
        "C0091234",
        "Brunswick East",
        'href="https://mcc.example.org"',
    ):
        assert text in html


def test_lists_its_services_only(client, world):
    html = client.get(partner_url("mcc")).content.decode()
    assert f'href="{world.mcc_service.get_absolute_url()}"' in html
    assert world.cct_service.name not in html


def test_lists_its_servers_with_power_when_recorded(client, world):
    PowerSystem.objects.create(
        server=world.mcc_server, pv_kwp=3.2, battery_nominal_wh=10240, essential_load_w=45
    )
    Server.objects.create(
        organisation=world.mcc,
        slug="mcc-backup",
        name="MCC backup",
        role="offsite_backup",
        latitude=-36.76,
        longitude=144.28,
        locality="Bendigo",
        hosting_company="Goldfields DC",
        operation_started=datetime.date(2024, 3, 5),
    )
    html = client.get(partner_url("mcc")).content.decode()
    for text in (
        "MCC one",
        "Primary (serves residents)",
        "self-hosted",
        "1 September 2025",
        "3.2 kWp",
        "10,240 Wh",
        "45 W",
        "MCC backup",
        "Off-site backup",
        "Bendigo",
        "Goldfields DC",
        "5 March 2024",
        "Not recorded yet",
    ):
        assert text in html
    assert "CCT one" not in html


def test_unknown_partner_is_404(client, world):
    assert client.get(partner_url("nobody")).status_code == 404


def test_the_steward_has_no_partner_page(client, world):
    assert client.get(partner_url("steward")).status_code == 404


def test_partner_page_is_clean(client, world):
    assert_clean_page(client.get(partner_url("mcc")))


def test_more_servers_cost_no_more_queries(client, world):
    def add_more():
        for i in range(3):
            server = Server.objects.create(
                organisation=world.mcc,
                slug=f"mcc-more-{i}",
                name=f"More {i}",
                latitude=-37.76,
                longitude=144.97,
                hosting_company="self-hosted",
                operation_started=datetime.date(2025, 1, 1),
            )
            PowerSystem.objects.create(
                server=server, pv_kwp=1, battery_nominal_wh=1000, essential_load_w=10
            )

    assert_queries_do_not_grow(client, partner_url("mcc"), add_more)


def test_servers_lead_with_their_power_in_words_and_label_every_cell(client, world):
    from solhost.energy.tests.helpers import with_telemetry

    with_telemetry(world.mcc_server, days=21)
    Server.objects.create(
        organisation=world.mcc,
        slug="mcc-backup",
        name="MCC backup",
        role="offsite_backup",
        latitude=-36.76,
        longitude=144.28,
        hosting_company="Goldfields DC",
        operation_started=datetime.date(2024, 3, 5),
    )
    html = client.get(partner_url("mcc")).content.decode()
    headers = re.findall(r'<th scope="col">(.*?)</th>', html)
    assert headers[:3] == ["Server", "Renewable power", "In a power outage"]
    primary = html[html.index(">MCC one<") :]
    assert re.search(
        r'<td data-label="Renewable power">[\d.]+ % renewable so far, over 21 days measured</td>',
        primary,
    )
    assert '<td data-label="In a power outage">Start-up grace: must ride through' in primary
    assert 'href="/servers/mcc-1/energy/"' in primary
    backup = html[html.index(">MCC backup") :]
    assert "Not metered here: judged on evidence of its data centre's supply" in backup
    # On a phone every row is a card whose cells carry their column's name.
    assert 'class="table-wrap manage-table"' in html
    assert html.count('data-label="Operating since"') == 2
