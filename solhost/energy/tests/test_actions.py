import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from solhost.core.models import AuditEvent, Parameter, ParameterValue
from solhost.energy.actions import analyse_server, store_telemetry
from solhost.energy.canonical import TelemetryError, read_canonical
from solhost.energy.ingest import UploadOptions
from solhost.energy.models import EnergyAnalysis, TelemetryReading, TelemetryUpload
from solhost.energy.tests.helpers import LAST_DAY, four_hours_csv, power_system, with_telemetry


def test_an_upload_stores_rows_records_itself_and_is_audited(world):
    upload = with_telemetry(world.mcc_server, days=7)

    readings = TelemetryReading.objects.filter(server=world.mcc_server)
    assert readings.count() == upload.rows_received == upload.rows_added == 7 * 24 * 8
    assert upload.rows_already_present == 0
    assert upload.coverage_bp == 10000
    assert upload.first_start == datetime.datetime(2026, 1, 21, 13, tzinfo=datetime.UTC)
    event = AuditEvent.objects.get(action="energy.telemetry.upload")
    assert event.note == f"{7 * 24 * 8} readings added, 0 already stored"


def test_the_same_days_again_add_nothing_and_overlapping_days_add_only_the_new(world):
    with_telemetry(world.mcc_server, days=7)
    again = with_telemetry(world.mcc_server, days=7)
    assert (again.rows_added, again.rows_already_present) == (0, 7 * 24 * 8)

    later = with_telemetry(world.mcc_server, days=7, until=LAST_DAY + datetime.timedelta(days=2))
    assert (later.rows_added, later.rows_already_present) == (2 * 24 * 8, 5 * 24 * 8)
    assert TelemetryReading.objects.count() == 9 * 24 * 8


def test_each_upload_with_new_rows_redoes_the_analysis_for_its_last_day(world):
    with_telemetry(world.mcc_server, days=7)
    with_telemetry(world.mcc_server, days=7, until=LAST_DAY + datetime.timedelta(days=2))

    assert list(EnergyAnalysis.objects.values_list("as_of", flat=True)) == [
        LAST_DAY + datetime.timedelta(days=2),
        LAST_DAY,
    ]


def test_analysing_again_replaces_the_days_analysis(world):
    with_telemetry(world.mcc_server, days=7)
    analyse_server(server=world.mcc_server)
    analyse_server(server=world.mcc_server)
    assert EnergyAnalysis.objects.count() == 1
    assert AuditEvent.objects.filter(action="energy.analysis.update").count() == 2


def test_no_power_system_or_no_readings_means_no_analysis(world):
    assert analyse_server(server=world.mcc_server) is None
    power_system(world.mcc_server)
    assert analyse_server(server=world.mcc_server) is None
    assert not EnergyAnalysis.objects.exists()


def test_the_analysis_reads_the_parameters_in_force_on_its_day(world):
    with_telemetry(world.mcc_server, days=7)
    analysis = EnergyAnalysis.objects.get()
    assert analysis.parameters == {
        "renewable_min_share_bp": 8000,
        "renewable_window_days": 365,
        "outage_hours": 72,
        "outage_grace_days": 365,
        "bad_day_factor_bp": 3000,
        "min_coverage_bp": 9000,
    }
    # The network decides on a shorter window and a lower coverage from mid-January.
    for key, value in (("renewable_window_days", 7), ("energy_min_coverage_bp", 5000)):
        ParameterValue.objects.create(
            parameter=Parameter.objects.get(key=key),
            value=value,
            effective_from=datetime.date(2026, 1, 15),
            source="a test decision",
        )

    analysis = analyse_server(server=world.mcc_server)

    assert analysis.days_measured == 7
    assert analysis.s2_2_status in ("met", "not_met")
    assert analysis.renewable_share_bp is not None


def test_the_worst_outage_is_drawn_hour_by_hour(world):
    with_telemetry(world.mcc_server, days=7)
    trace = EnergyAnalysis.objects.get().outage_trace
    assert [point["hour"] for point in trace] == list(range(73))
    # Without solar the battery only runs down.
    no_pv = [point["no_pv_battery_wh"] for point in trace]
    assert no_pv == sorted(no_pv, reverse=True)


def test_the_command_analyses_every_server_with_a_power_system(world):
    with_telemetry(world.mcc_server, days=7)
    power_system(world.cct_server)
    out = io.StringIO()

    call_command("energy", "analyse-stored", stdout=out)
    call_command("energy", "analyse-stored", "--server", "mcc-1", "--at", "2026-01-25", stdout=out)

    text = out.getvalue()
    assert "mcc-1: as of 2026-01-28, S2.1 met" in text
    assert "cct-1: no telemetry or no power system, skipped" in text
    assert "mcc-1: as of 2026-01-25" in text
    assert EnergyAnalysis.objects.count() == 2


def test_the_command_refuses_an_unknown_server(world):
    with pytest.raises(CommandError, match="no server 'nowhere'"):
        call_command("energy", "analyse-stored", "--server", "nowhere")


def test_demo_telemetry_is_the_same_each_time(world):
    power_system(world.mcc_server)
    out = io.StringIO()
    call_command("energy", "demo-telemetry", "--days", "3", "--until", "2026-01-28", stdout=out)
    first = list(TelemetryReading.objects.values_list("channel", "ts_start", "energy_wh"))
    call_command("energy", "demo-telemetry", "--days", "3", "--until", "2026-01-28", stdout=out)

    assert "mcc-1: 576 readings added, 0 already stored" in out.getvalue()
    assert "mcc-1: 0 readings added, 576 already stored" in out.getvalue()
    assert list(TelemetryReading.objects.values_list("channel", "ts_start", "energy_wh")) == first
    assert TelemetryUpload.objects.filter(via="command").count() == 2


@pytest.mark.parametrize(("accounting", "share_bp"), [("single_pool", 6250), ("two_pool", 6750)])
def test_the_stored_analysis_follows_the_power_systems_battery_accounting(
    world, accounting, share_bp
):
    power_system(world.mcc_server, battery_accounting=accounting)
    telemetry = read_canonical(four_hours_csv())
    store_telemetry(
        server=world.mcc_server,
        telemetry=telemetry,
        actor=None,
        via="api",
        options=UploadOptions(),
    )

    analysis = analyse_server(server=world.mcc_server, at=datetime.date(2026, 1, 10))

    # 150 Wh of grid energy was imported, 130 Wh of it reached the 400 Wh load (FOUR_HOURS).
    assert analysis.renewable_share_bp == share_bp
    assert any("Two-pool" in note for note in analysis.notes) == (accounting == "two_pool")


def test_an_implausible_upload_stores_nothing_and_the_margin_is_the_networks(world):
    power_system(world.mcc_server, pv_kwp=0.5)
    # 1.2 kWh in an hour from 0.5 kWp: beyond the margin of 2×, within one of 3×.
    telemetry = read_canonical(four_hours_csv().replace("pv_wh,100", "pv_wh,1200", 1))

    def store():
        return store_telemetry(
            server=world.mcc_server,
            telemetry=telemetry,
            actor=world.alice,
            via="page",
            options=UploadOptions(),
        )

    with pytest.raises(TelemetryError, match="line 11: pv_wh 1200 Wh in 3600 s"):
        store()
    assert not TelemetryReading.objects.exists()
    assert not TelemetryUpload.objects.exists()
    assert not AuditEvent.objects.filter(action="energy.telemetry.upload").exists()

    ParameterValue.objects.create(
        parameter=Parameter.objects.get(key="telemetry_plausibility_margin_bp"),
        value=30000,
        effective_from=datetime.date(2026, 1, 1),
        source="a test decision",
    )
    assert store().rows_added == 20


def test_demo_telemetry_from_before_the_server_began_is_refused(world):
    power_system(world.mcc_server)
    with pytest.raises(CommandError, match="before 2025-09-01, the day the server began"):
        call_command("energy", "demo-telemetry", "--server", "mcc-1", "--until", "2025-09-01")
    assert not TelemetryReading.objects.exists()
