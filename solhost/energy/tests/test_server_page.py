import datetime
import re

from solhost.energy.tests.helpers import LAST_DAY, power_system, with_telemetry
from solhost.web.tests.pages import assert_clean_page


def test_a_server_without_readings_says_so(client, world):
    response = client.get("/servers/mcc-1/energy/")
    assert response.status_code == 200
    assert b"No meter readings have been analysed" in response.content
    assert_clean_page(response)


def test_an_unknown_server_is_not_found(client, world):
    assert client.get("/servers/nowhere/energy/").status_code == 404


def test_the_page_shows_each_chart_with_its_table(client, world):
    with_telemetry(world.mcc_server, days=21)

    response = client.get("/servers/mcc-1/energy/")

    assert response.status_code == 200
    assert_clean_page(response)
    html = response.content.decode()
    for chart in ("mix-chart", "monthly-chart", "outage-chart"):
        assert f'id="{chart}"' in html
    # Every day of the mix, the month and the 72 hours of the outage are in the tables.
    assert len(re.findall(r'<th scope="row">\d{1,2} Jan 2026</th>', html)) == 21
    assert '<th scope="row">January 2026</th>' in html
    assert '<th scope="row">72</th>' in html
    assert (
        "renewable over the 21 days measured so far; the share is judged once 90 % of 365" in html
    )
    assert 'id="energy-data"' in html
    assert "S2.1 A fully renewable day" in html


def test_long_windows_are_shown_by_week(client, world):
    with_telemetry(world.mcc_server, days=100)

    html = client.get("/servers/mcc-1/energy/").content.decode()

    assert "Energy mix by week from" in html
    monday = LAST_DAY - datetime.timedelta(days=LAST_DAY.weekday())
    assert f'<th scope="row">{monday.day} {monday:%b %Y}</th>' in html


def test_a_server_without_state_of_charge_has_no_outage_chart(
    client, world, django_capture_on_commit_callbacks
):
    from solhost.energy.actions import store_telemetry
    from solhost.energy.ingest import UploadOptions, read_upload

    power_system(world.mcc_server)
    text = (
        "ts_start,interval_s,channel,energy_wh\n"
        "2026-01-10T00:00:00+11:00,3600,load_wh,22\n"
        "2026-01-10T00:00:00+11:00,3600,grid_import_wh,0\n"
    )
    telemetry = read_upload(text, UploadOptions(), server="mcc-1", timezone="Australia/Melbourne")
    with django_capture_on_commit_callbacks(execute=True):
        store_telemetry(
            server=world.mcc_server,
            telemetry=telemetry,
            actor=None,
            via="api",
            options=UploadOptions(),
        )

    html = client.get("/servers/mcc-1/energy/").content.decode()

    assert 'id="outage-chart"' not in html
    assert "no outage could be simulated" in html


def test_shares_are_written_exactly_from_basis_points(client, world):
    from solhost.energy.models import EnergyAnalysis

    with_telemetry(world.mcc_server, days=21)
    EnergyAnalysis.objects.update(
        renewable_share_bp=8725, coverage_bp=9950, days_measured=363, s2_2_status="met"
    )

    html = client.get("/servers/mcc-1/energy/").content.decode()

    assert "87.25 % renewable over the 363 days measured of the last 365 days" in html
    assert "99.5 % of the window" in html


def test_the_worst_outage_start_is_given_with_its_time_zone(client, world):
    with_telemetry(world.mcc_server, days=21)
    html = client.get("/servers/mcc-1/energy/").content.decode()
    assert re.search(r"The worst starts on \d{1,2} \w+ 2026, \d\d:\d\d AEDT", html)
