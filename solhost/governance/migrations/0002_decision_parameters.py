"""Seeds the parameters of decision-making itself: open periods and the majority rule."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Charter, initial value"

# (key, title, kind, unit, minimum, maximum, value)
PARAMETERS = [
    ("consent_min_open_days", "Shortest time a consent decision stays open",
     "integer", "days", 1, 365, 7),
    ("majority_min_open_days", "Shortest time a majority decision stays open",
     "integer", "days", 1, 365, 14),
    ("median_min_open_days", "Shortest time a median-of-proposals decision stays open",
     "integer", "days", 1, 365, 14),
    ("majority_threshold_bp", "Share of agree among agree and disagree votes a majority decision must exceed",
     "basis_points", "basis points of agree and disagree votes", 0, 9999, 5000),
    ("majority_quorum_bp", "Least share of member organisations that must vote for a majority decision to count",
     "basis_points", "basis points of member organisations", None, None, 5000),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    for key, title, kind, unit, minimum, maximum, value in PARAMETERS:
        parameter, _ = Parameter.objects.update_or_create(
            key=key,
            defaults={"criterion": "B4", "title": title, "kind": kind, "unit": unit,
                      "minimum": minimum, "maximum": maximum, "choices": []},
        )
        ParameterValue.objects.get_or_create(
            parameter=parameter, effective_from=ADOPTED, defaults={"value": value, "source": SOURCE}
        )


def unseed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    keys = [row[0] for row in PARAMETERS]
    ParameterValue.objects.filter(parameter__key__in=keys, source=SOURCE).delete()
    Parameter.objects.filter(key__in=keys, values__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_charter_parameters"), ("governance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
