"""How usage is weighed and how long late usage is accepted, in force from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "usage_weight_rule",
        "title": "How a resident's use of a service is weighed in the monthly split",
        "kind": "text",
        "unit": "rule",
        "choices": ["active_days"],
        "value": "active_days",
    },
    {
        "key": "usage_grace_days",
        "title": "Days after a month's end during which late usage is still accepted",
        "kind": "integer",
        "unit": "days",
        "minimum": 0,
        "maximum": 60,
        "value": 5,
    },
]


class Migration(migrations.Migration):
    dependencies = [("metering", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
