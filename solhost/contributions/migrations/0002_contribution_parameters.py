"""The sliding scale of monthly contributions, in force from the charter's adoption."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Issue 6, initial value (contributions)"

# (key, title, kind, unit, minimum, maximum, choices, value)
PARAMETERS = [
    # Parameter kinds hold whole numbers or texts, not lists of numbers: tiers are digits.
    ("contribution_tiers_cents", "Suggested monthly contributions on the sliding scale",
     "text_list", "AUD cents a month", None, None, [], ["0", "500", "1200", "2500"]),
    ("contribution_max_cents", "Largest monthly contribution a resident can choose (catches typos)",
     "cents", "AUD cents a month", None, None, [], 100000),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    for key, title, kind, unit, minimum, maximum, choices, value in PARAMETERS:
        parameter, _ = Parameter.objects.update_or_create(
            key=key,
            defaults={"title": title, "kind": kind, "unit": unit, "minimum": minimum,
                      "maximum": maximum, "choices": choices},
        )
        ParameterValue.objects.get_or_create(
            parameter=parameter, effective_from=ADOPTED, defaults={"value": value, "source": SOURCE}
        )


def unseed(apps, schema_editor):
    ParameterValue = apps.get_model("core", "ParameterValue")
    Parameter = apps.get_model("core", "Parameter")
    keys = [p[0] for p in PARAMETERS]
    ParameterValue.objects.filter(parameter__key__in=keys, source=SOURCE).delete()
    Parameter.objects.filter(key__in=keys, values__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
