"""How much notice residents get when a partner closes, in force from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "wind_down_minimum_notice_days",
        "title": "Least days between a closing partner's announcement and its data-return deadline",
        "description": "A wind-down whose dates give residents less time to take their data "
        "or move is refused.",
        "kind": "integer",
        "unit": "days",
        "minimum": 14,
        "maximum": 730,
        "value": 90,
    },
]


class Migration(migrations.Migration):
    dependencies = [("winddown", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
