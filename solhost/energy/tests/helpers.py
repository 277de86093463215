"""A described power system and a few weeks of stored telemetry, for the energy tests."""

import datetime

from django.test import TestCase

from solhost.energy.demo import store_demo_telemetry
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
        return store_demo_telemetry(server=server, days=days, until=until)
