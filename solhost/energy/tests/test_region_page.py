from solhost.energy.tests.helpers import with_telemetry
from solhost.web.tests.pages import assert_clean_page


def test_every_server_is_listed_with_its_share_and_outage_readiness(client, world):
    with_telemetry(world.mcc_server, days=21)

    response = client.get("/energy/")

    assert response.status_code == 200
    assert_clean_page(response)
    html = response.content.decode()
    assert 'href="/servers/mcc-1/energy/"' in html
    assert 'href="/servers/cct-1/energy/"' in html
    assert "No meter readings yet" in html
    assert "renewable so far, over 21 days measured" in html
    assert "Start-up grace: must ride through a 72-hour power outage" in html
    # Three weeks are not a year: the chart compares only shares measured long enough.
    assert 'id="region-chart"' not in html


def test_the_chart_compares_judged_shares(client, world):
    from solhost.energy.models import EnergyAnalysis

    with_telemetry(world.mcc_server, days=3)
    EnergyAnalysis.objects.update(renewable_share_bp=8725, coverage_bp=9950, s2_2_status="met")

    html = client.get("/energy/").content.decode()

    assert 'id="region-chart"' in html
    assert '"share": 87.25' in html


def test_without_any_analysis_there_is_no_chart(client, world):
    html = client.get("/energy/").content.decode()
    assert 'id="region-chart"' not in html
    assert "No meter readings yet" in html


def test_the_map_is_not_marked_as_the_current_page(client, world):
    assert 'aria-current="page">Map' not in client.get("/energy/").content.decode()


def test_the_page_costs_the_same_queries_however_many_analyses(client, world):
    from solhost.energy.actions import analyse_server
    from solhost.web.tests.pages import assert_queries_do_not_grow

    with_telemetry(world.mcc_server, days=3)
    assert_queries_do_not_grow(
        client,
        "/energy/",
        lambda: (
            with_telemetry(world.cct_server, days=3),
            analyse_server(
                server=world.mcc_server,
                at=world.mcc_server.energy_analyses.get().as_of.replace(day=27),
            ),
        ),
    )


def test_shares_are_written_exactly_from_basis_points(client, world):
    from solhost.energy.models import EnergyAnalysis

    with_telemetry(world.mcc_server, days=3)
    EnergyAnalysis.objects.update(renewable_share_bp=8725, coverage_bp=9950, s2_2_status="met")

    html = client.get("/energy/").content.decode()

    assert "87.25 % renewable over the last 365 days" in html
    assert "99.5 %" in html


def test_a_backup_server_is_judged_on_evidence_not_said_to_lack_readings(client, world):
    world.cct_server.role = "offsite_backup"
    world.cct_server.save()
    html = client.get("/energy/").content.decode()
    assert "Not metered here: off-site backup, judged on evidence of its supply" in html
