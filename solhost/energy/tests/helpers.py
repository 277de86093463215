"""A described power system and a few weeks of stored telemetry, for the energy tests."""

import datetime

from django.test import TestCase

from solhost.energy.actions import store_synthetic_telemetry
from solhost.energy.models import PowerSystem

LAST_DAY = datetime.date(2026, 1, 28)


def power_system(server, **extra) -> PowerSystem:
    values = {
        "pv_kwp": 0.8,
        "battery_nominal_wh": 4000,
        "essential_load_w": 15,
        **extra,
    }
    return PowerSystem.objects.create(server=server, **values)


def with_telemetry(server, *, days: int = 21, until: datetime.date = LAST_DAY):
    """The server with a power system and ``days`` days of demo telemetry, analysed."""
    if not hasattr(server, "power_system"):
        power_system(server)
    # The upload asks for the analysis once committed; tests run inside one transaction.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return store_synthetic_telemetry(server=server, days=days, until=until)


# Four hours of one day, hand-computed. 00:00: the grid serves the 100 Wh load and puts
# 50 Wh in the battery. 02:00: the battery gives 30 Wh of that grid energy to the load, and
# 20 Wh of grid energy is still in it at the end. Of 400 Wh of load, 150 Wh of grid energy
# was imported and 130 Wh reached the load.
FOUR_HOURS = {
    "load_wh": [100, 100, 100, 100],
    "grid_import_wh": [150, 0, 0, 0],
    "pv_wh": [0, 100, 70, 100],
    "batt_charge_wh": [50, 0, 0, 0],
    "batt_discharge_wh": [0, 0, 30, 0],
}


def four_hours_csv() -> str:
    """FOUR_HOURS as canonical CSV, from local midnight on 10 January 2026 in Melbourne."""
    rows = [
        f"2026-01-10T0{hour}:00:00+11:00,3600,{channel},{values[hour]}"
        for channel, values in FOUR_HOURS.items()
        for hour in range(4)
    ]
    return "ts_start,interval_s,channel,energy_wh\n" + "\n".join(rows) + "\n"
