"""How usage is weighed and how long late usage is accepted, in force from the charter's adoption."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Issue 6, initial value"

# (key, title, kind, unit, minimum, maximum, choices, value)
PARAMETERS = [
    ("usage_weight_rule", "How a resident's use of a service is weighed in the monthly split",
     "text", "rule", None, None, ["active_days"], "active_days"),
    ("usage_grace_days", "Days after a month's end during which late usage is still accepted",
     "integer", "days", 0, 60, [], 5),
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
    dependencies = [("metering", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
