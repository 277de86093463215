"""Seeds the bounds that telemetry must keep within to be stored."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        # Twice the declared figures: nameplates are approximate and panels briefly exceed
        # their peak in cold, bright weather, yet corrupt meters and W-for-Wh mix-ups go far beyond.
        "key": "telemetry_plausibility_margin_bp",
        "title": "How far readings may exceed what a server's declared installation can do",
        "unit": "basis points of the declared power",
        "value": 20000,
        "kind": "basis_points",
        "minimum": 10000,
        "maximum": 100000,
    },
    {
        # A large three-phase connection is about 100 kW; ten times that is no small site.
        "key": "telemetry_max_site_power_w",
        "title": "Highest average power any one server's site may draw or produce in a reading",
        "unit": "W",
        "value": 1_000_000,
        "kind": "integer",
        "minimum": 1,
    },
]


class Migration(migrations.Migration):
    dependencies = [
        ("energy", "0005_power_system_battery_accounting"),
        ("core", "0003_charter_parameters"),
    ]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
