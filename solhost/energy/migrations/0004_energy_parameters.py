"""Seeds the energy analysis's own parameters, in force from the charter's adoption."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Energy analysis, initial value"

# (key, criterion, title, unit, value)
PARAMETERS = [
    ("outage_bad_day_factor", "S3",
     "Share of a clear midwinter day's solar energy assumed during a simulated outage",
     "basis points of clear-sky PV", 3000),
    ("energy_min_coverage_bp", "S2.2",
     "Least share of the window telemetry must cover before energy criteria are judged",
     "basis points of the window", 9000),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    for key, criterion, title, unit, value in PARAMETERS:
        parameter, _ = Parameter.objects.update_or_create(
            key=key,
            defaults={"criterion": criterion, "title": title, "kind": "basis_points",
                      "unit": unit, "minimum": 0, "maximum": 10000, "choices": []},
        )
        ParameterValue.objects.get_or_create(
            parameter=parameter, effective_from=ADOPTED, defaults={"value": value, "source": SOURCE}
        )


def unseed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    keys = [key for key, *_ in PARAMETERS]
    ParameterValue.objects.filter(parameter__key__in=keys, source=SOURCE).delete()
    Parameter.objects.filter(key__in=keys, values__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("energy", "0003_telemetry"), ("core", "0003_charter_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
