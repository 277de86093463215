"""Renewable share, S2.1 days and outage survival on hand-made data with known answers."""

import datetime

import numpy as np
import pandas as pd
import pytest

from solhost.energy.analysis import Parameters, analyse
from solhost.energy.canonical import Telemetry, telemetry_from_arrays
from solhost.energy.tests.sites import MELBOURNE, make_site

CHARTER = Parameters(
    renewable_min_share_bp=8000,
    renewable_window_days=365,
    outage_hours=72,
    outage_grace_days=365,
    bad_day_factor=0.3,
    min_coverage=0.9,
)


def telemetry(start: str, hours: float, step_s: int, **channels):
    """Constant (or per-slot array) values for each channel from local ``start``."""
    first = int(pd.Timestamp(start, tz=MELBOURNE).timestamp())
    slots = int(hours * 3600 // step_s)
    names, starts, values = [], [], []
    for name, value in channels.items():
        per_slot = np.broadcast_to(np.asarray(value, float), (slots,))
        names += [name] * slots
        starts += (first + step_s * np.arange(slots)).tolist()
        values += per_slot.tolist()
    return telemetry_from_arrays(
        channel=names,
        ts_start=starts,
        interval_s=[step_s] * len(names),
        value=values,
        line=range(len(names)),
    )


def test_a_week_at_exactly_75_percent_renewable():
    week = telemetry("2026-01-05", 7 * 24, 300, load_wh=100, grid_import_wh=25, grid_export_wh=40)
    result = analyse(week, make_site(), CHARTER, at=datetime.date(2026, 1, 11))
    assert result.renewable_share_365d == 0.75
    assert [(m.month, m.renewable_share) for m in result.monthly] == [("2026-01", 0.75)]
    assert result.coverage == pytest.approx(7 / 365)
    assert result.s2_2.status == "needs_evidence"
    assert "1.9 %" in result.s2_2.reason


def test_share_is_judged_against_the_parameter_when_coverage_is_enough():
    week = telemetry("2026-01-05", 7 * 24, 300, load_wh=100, grid_import_wh=25)
    weekly = Parameters(7500, 7, 72, 365, 0.3, 0.9)
    assert analyse(week, make_site(), weekly, at=datetime.date(2026, 1, 11)).s2_2.status == "met"
    stricter = Parameters(7501, 7, 72, 365, 0.3, 0.9)
    result = analyse(week, make_site(), stricter, at=datetime.date(2026, 1, 11))
    assert result.s2_2.status == "not_met"
    assert "75.0 %" in result.s2_2.reason


def test_community_energy_offsets_import_only_up_to_its_generation_in_the_interval():
    load = np.full(288, 100.0)
    grid = np.full(288, 40.0)
    community = np.where(np.arange(288) < 144, 40.0, 100.0)  # the surplus never carries over
    day = telemetry(
        "2026-01-05", 24, 300, load_wh=load, grid_import_wh=grid, community_renewable_wh=community
    )
    assert analyse(day, make_site(), CHARTER).renewable_share_365d == 1.0
    community = np.where(np.arange(288) < 144, 0.0, 100.0)
    day = telemetry(
        "2026-01-05", 24, 300, load_wh=load, grid_import_wh=grid, community_renewable_wh=community
    )
    assert analyse(day, make_site(), CHARTER).renewable_share_365d == pytest.approx(0.8)


def test_two_pool_battery_counts_grid_charged_energy_when_it_is_discharged():
    # 23:00 on 31 January: PV serves the load while the grid charges the battery; at
    # midnight, now February, the battery gives that grid energy back to the load.
    two_hours = telemetry(
        "2026-01-31 23:00",
        2,
        3600,
        load_wh=[100, 100],
        pv_wh=[100, 50],
        grid_import_wh=[50, 0],
        batt_charge_wh=[50, 0],
        batt_discharge_wh=[0, 50],
    )
    simple = analyse(two_hours, make_site(), CHARTER)
    pools = analyse(two_hours, make_site(battery_accounting="two_pool"), CHARTER)
    assert [m.renewable_share for m in simple.monthly] == [0.5, 1.0]
    assert [m.renewable_share for m in pools.monthly] == [1.0, 0.5]
    assert simple.renewable_share_365d == pools.renewable_share_365d == 0.75
    assert not simple.notes
    assert "Two-pool battery accounting" in pools.notes[0]


@pytest.mark.parametrize(
    ("battery_hours", "status", "shortest"), [(71, "not_met", 71.0), (73, "met", 72.0)]
)
def test_battery_lasting_71_hours_fails_and_73_hours_passes(battery_hours, status, shortest):
    site = make_site(
        battery={
            "nominal_wh": 10 * battery_hours,
            "min_soc_pct": 0,
            "round_trip_efficiency_pct": 100,
        }
    )
    year = telemetry("2025-01-01", 365 * 24, 3600, soc_pct=100, load_wh=10, grid_import_wh=0)
    result = analyse(year, site, CHARTER, at=datetime.date(2025, 12, 31))
    assert result.outage.min_survival_hours == shortest
    assert result.outage.strict_min_survival_hours == shortest
    assert result.outage.survival_probability == (1.0 if status == "met" else 0.0)
    assert result.s3.status == status


def test_losses_and_minimum_charge_shorten_the_outage():
    site = make_site(
        battery={
            "nominal_wh": 1000,
            "min_soc_pct": 20,
            "health_pct": 90,
            "round_trip_efficiency_pct": 81,
        },
        inverter_efficiency_pct=90,
    )
    # Usable 1000 * 0.9 * 0.8 = 720 Wh, discharged at 0.9 one way, through a 90 % inverter:
    # 720 * 0.9 * 0.9 / 10 W = 58.32 h, so 58 whole hours.
    year = telemetry("2025-06-01", 10 * 24, 3600, soc_pct=100, load_wh=10)
    result = analyse(year, site, CHARTER)
    assert result.outage.strict_min_survival_hours == 58.0


def test_outage_is_in_grace_within_the_window_after_operation_start():
    site = make_site(operation_start="2025-06-01")
    days = telemetry("2025-06-01", 10 * 24, 3600, soc_pct=50, load_wh=10)
    result = analyse(days, site, CHARTER)
    assert result.s3.status == "grace"
    assert "2026-06-01" in result.s3.reason


def test_no_state_of_charge_after_grace_needs_evidence():
    days = telemetry("2025-06-01", 10 * 24, 3600, load_wh=10, grid_import_wh=1)
    result = analyse(days, make_site(), CHARTER)
    assert result.s3.status == "needs_evidence"
    assert result.outage.survival_probability is None


def test_midwinter_pv_lets_a_small_battery_ride_through():
    site = make_site(
        pv={"kwp": 0.5, "tilt_deg": 50, "azimuth_deg": 0},
        battery={"nominal_wh": 400, "min_soc_pct": 0, "round_trip_efficiency_pct": 100},
    )
    days = telemetry("2025-06-01", 20 * 24, 3600, soc_pct=100, load_wh=10)
    result = analyse(days, site, CHARTER)
    assert result.outage.strict_survival_probability == 0.0
    assert result.outage.survival_probability > 0.0


@pytest.mark.parametrize(
    ("day", "hours"), [(datetime.date(2026, 4, 5), 25), (datetime.date(2026, 10, 4), 23)]
)
def test_melbourne_daylight_saving_days_are_whole_local_days(day, hours):
    start = pd.Timestamp(day, tz=MELBOURNE)
    assert (
        pd.Timestamp(day + datetime.timedelta(days=1), tz=MELBOURNE) - start
    ).total_seconds() == hours * 3600
    exact = telemetry(str(day), hours, 300, load_wh=10, grid_import_wh=0)
    result = analyse(exact, make_site(), CHARTER, at=day)
    assert result.s2_1.status == "met"
    assert f"On {day} ({hours} local hours)" in result.s2_1.reason
    short = telemetry(str(day), hours - 1, 300, load_wh=10, grid_import_wh=0)
    assert "No whole grid-free day" in analyse(short, make_site(), CHARTER, at=day).s2_1.reason


def test_monthly_shares_follow_local_months():
    # The local month turns at 2026-02-01T00:00+11:00, which is 13:00 UTC on 31 January.
    two_hours = telemetry("2026-01-31 23:00", 2, 3600, load_wh=[10, 10], grid_import_wh=[10, 0])
    monthly = analyse(two_hours, make_site(), CHARTER).monthly
    assert [(m.month, m.renewable_share) for m in monthly] == [("2026-01", 0.0), ("2026-02", 1.0)]


def test_modelled_clear_summer_day_when_no_grid_free_day_was_recorded():
    day = telemetry("2026-01-05", 24, 3600, load_wh=10, grid_import_wh=1)
    big = make_site(pv={"kwp": 0.3}, battery={"nominal_wh": 600, "min_soc_pct": 20})
    result = analyse(day, big, CHARTER)
    assert result.s2_1.status == "met"
    assert "modelled clear 21 December" in result.s2_1.reason
    small = make_site(pv={"kwp": 0.3}, battery={"nominal_wh": 100, "min_soc_pct": 20})
    assert analyse(day, small, CHARTER).s2_1.status == "not_met"


def test_short_gaps_are_bridged_and_long_ones_are_not():
    load = np.full(12, 10.0)
    gaps = telemetry("2026-01-05", 1, 300, grid_import_wh=0, load_wh=load)
    keep = ~np.isin(np.arange(len(gaps)), [14, 15, 18, 19, 20])  # load slots 2-3 and 6-8
    fields = ("server", "channel", "ts_start", "interval_s", "value", "line")
    thinned = Telemetry(*(getattr(gaps, f)[keep] for f in fields))
    result = analyse(thinned, make_site(), Parameters(8000, 1, 72, 365, 0.3, 0.9))
    assert result.coverage * 86400 / 300 == pytest.approx(9)
