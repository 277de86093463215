import datetime

from solhost.energy.actions import analyse_server
from solhost.energy.models import EnergyAnalysis
from solhost.energy.tests.helpers import LAST_DAY, with_telemetry
from solhost.qualification.energy_results import energy_results_for


def test_no_telemetry_means_no_results(world):
    assert energy_results_for(world.mcc_server, at=LAST_DAY) is None


def test_results_come_from_the_analysis_stored_after_an_upload(world):
    with_telemetry(world.mcc_server, days=21)
    analysis = EnergyAnalysis.objects.get(server=world.mcc_server)
    assert analysis.as_of == LAST_DAY

    results = energy_results_for(world.mcc_server, at=LAST_DAY)

    assert results is not None
    # Three weeks of a 365-day window: too little to judge the share, enough to count days.
    assert results.days_measured == 21
    assert analysis.s2_2_status == "needs_evidence"
    assert results.renewable_share_bp is None
    # A summer day in Melbourne with 0.8 kWp for a ~30 W server: some day is grid-free.
    assert analysis.s2_1_status == "met"
    assert results.fully_renewable_day is not None
    assert LAST_DAY - datetime.timedelta(days=20) <= results.fully_renewable_day <= LAST_DAY
    assert results.outage_hours_survived == int(analysis.outage["min_survival_hours"])


def test_results_are_those_in_force_on_the_day_asked(world):
    with_telemetry(world.mcc_server, days=21)
    earlier = LAST_DAY - datetime.timedelta(days=7)
    analyse_server(server=world.mcc_server, at=earlier)

    assert energy_results_for(world.mcc_server, at=earlier).days_measured == 14
    assert energy_results_for(world.mcc_server, at=LAST_DAY).days_measured == 21
    assert energy_results_for(world.mcc_server, at=earlier - datetime.timedelta(days=1)) is None


def test_a_judged_share_is_given_in_basis_points(world):
    with_telemetry(world.mcc_server, days=21)
    analysis = EnergyAnalysis.objects.get(server=world.mcc_server)
    analysis.s2_2_status = "met"
    analysis.renewable_share_bp = 8123
    analysis.save()

    assert energy_results_for(world.mcc_server, at=LAST_DAY).renewable_share_bp == 8123
