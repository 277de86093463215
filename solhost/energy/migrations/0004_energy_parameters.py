"""Seeds the energy analysis's own parameters, in force from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "outage_bad_day_factor",
        "criterion": "S3",
        "title": "Share of a clear midwinter day's solar energy assumed during a simulated outage",
        "unit": "basis points of clear-sky PV",
        "value": 3000,
        "kind": "basis_points",
    },
    {
        "key": "energy_min_coverage_bp",
        "criterion": "S2.2",
        "title": "Least share of the window telemetry must cover before energy criteria are judged",
        "unit": "basis points of the window",
        "value": 9000,
        "kind": "basis_points",
    },
]


class Migration(migrations.Migration):
    dependencies = [("energy", "0003_telemetry"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
