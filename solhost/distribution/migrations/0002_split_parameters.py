"""The split's pools, land-back rate, minimum payout and zero-usage rule, from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "pools_commons_bp",
        "title": "Share of every contribution for the commons (the steward's shared work)",
        "kind": "basis_points",
        "unit": "basis points of each payment",
        "value": 1000,
    },
    {
        "key": "pools_solidarity_bp",
        "title": "Share of every contribution for the solidarity fund",
        "kind": "basis_points",
        "unit": "basis points of each payment",
        "value": 1000,
    },
    {
        "key": "land_back_bp",
        "title": "Land back withheld for settler-run partners who ask the platform to pay it",
        "kind": "basis_points",
        "unit": "basis points of the partner's gross",
        "value": 1000,
    },
    {
        "key": "min_payout_cents",
        "title": "Smallest payout to a partner; less is carried to the next period",
        "kind": "cents",
        "unit": "AUD cents",
        "value": 5000,
    },
    {
        "key": "zero_usage_rule",
        "title": "Where the providers' share of a resident who used no service goes",
        "kind": "text",
        "unit": "pool",
        "choices": ["commons", "solidarity"],
        "value": "commons",
    },
]


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
