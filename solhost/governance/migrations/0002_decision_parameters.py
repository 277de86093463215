"""Seeds the parameters of decision-making itself: open periods and the majority rule."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "consent_min_open_days",
        "title": "Shortest time a consent decision stays open",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 365,
        "value": 7,
        "criterion": "B4",
    },
    {
        "key": "majority_min_open_days",
        "title": "Shortest time a majority decision stays open",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 365,
        "value": 14,
        "criterion": "B4",
    },
    {
        "key": "median_min_open_days",
        "title": "Shortest time a median-of-proposals decision stays open",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 365,
        "value": 14,
        "criterion": "B4",
    },
    {
        "key": "majority_threshold_bp",
        "title": "Share of agree among agree and disagree votes a majority decision must exceed",
        "kind": "basis_points",
        "unit": "basis points of agree and disagree votes",
        "minimum": 0,
        "maximum": 9999,
        "value": 5000,
        "criterion": "B4",
    },
    {
        "key": "majority_quorum_bp",
        "title": "Least share of member organisations that must vote for a majority decision to "
        "count",
        "kind": "basis_points",
        "unit": "basis points of member organisations",
        "value": 5000,
        "criterion": "B4",
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0003_charter_parameters"), ("governance", "0001_initial")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
