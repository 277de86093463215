"""How long a resident can change their mind after asking for their account to be deleted."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "account_deletion_grace_days",
        "title": "Days between a resident asking to delete their account and its erasure",
        "description": "During these days the resident can cancel from their account page; "
        "then their personal data is erased and partners are told.",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 365,
        "value": 30,
    },
]


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
