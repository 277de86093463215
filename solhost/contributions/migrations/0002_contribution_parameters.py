"""The sliding scale of monthly contributions, in force from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "contribution_tiers_cents",
        "title": "Suggested monthly contributions on the sliding scale",
        "kind": "text_list",
        "unit": "AUD cents a month",
        "value": ["0", "500", "1200", "2500"],
    },
    {
        "key": "contribution_max_cents",
        "title": "Largest monthly contribution a resident can choose (catches typos)",
        "kind": "cents",
        "unit": "AUD cents a month",
        "value": 100000,
    },
]


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
