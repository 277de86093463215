import datetime

import numpy as np
import pytest

from solhost.energy.canonical import CHANNELS
from solhost.energy.site import Site
from solhost.energy.synthetic import ANCHOR, synthetic_telemetry

SITE = Site(
    latitude=-37.76,
    longitude=144.97,
    timezone="Australia/Melbourne",
    pv_kwp=0.8,
    pv_tilt_deg=20,
    pv_azimuth_deg=0,
    battery_nominal_wh=4000,
    battery_min_soc_pct=20,
    battery_health_pct=100,
    round_trip_efficiency_pct=90,
    inverter_efficiency_pct=95,
    essential_load_w=15,
    operation_start=datetime.date(2025, 9, 1),
    server="demo-1",
)


def test_overlapping_windows_agree_on_every_reading():
    first = synthetic_telemetry(SITE, first_day=datetime.date(2026, 1, 1), days=10, seed="a")
    later = synthetic_telemetry(SITE, first_day=datetime.date(2026, 1, 5), days=10, seed="a")
    shared = np.isin(first.ts_start, later.ts_start)
    assert shared.sum() == 6 * 24 * 8
    keys = {k: v for k, v in zip(later.keys(), later.value, strict=True)}
    assert all(keys[k] == v for k, v, s in zip(first.keys(), first.value, shared, strict=True) if s)


def test_a_window_is_whole_local_days_across_daylight_saving():
    # Clocks go forward on 5 October 2025 in Melbourne: that day has 23 hours.
    telemetry = synthetic_telemetry(SITE, first_day=datetime.date(2025, 10, 4), days=3)
    load = telemetry.channel == CHANNELS.index("load_wh")
    assert load.sum() == 24 + 23 + 24


def test_the_battery_stays_within_its_limits_and_energy_balances():
    telemetry = synthetic_telemetry(SITE, first_day=datetime.date(2026, 1, 1), days=14)

    def channel(name):
        return telemetry.value[telemetry.channel == CHANNELS.index(name)]

    assert channel("soc_pct").min() >= 20 - 1e-6
    assert channel("soc_pct").max() <= 100 + 1e-6
    supply = channel("pv_wh") + channel("grid_import_wh") + channel("batt_discharge_wh")
    use = channel("load_wh") + channel("batt_charge_wh") + channel("grid_export_wh")
    assert np.allclose(supply, use, atol=0.01)


def test_nothing_before_the_anchor():
    with pytest.raises(ValueError, match="at the earliest"):
        synthetic_telemetry(SITE, first_day=ANCHOR - datetime.timedelta(days=1), days=2)
