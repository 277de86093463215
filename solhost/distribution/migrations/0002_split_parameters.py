"""The split's pools, land-back rate, minimum payout and zero-usage rule, from the charter's adoption."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Issue 6, initial value (distribution)"

# (key, title, kind, unit, minimum, maximum, choices, value)
PARAMETERS = [
    ("pools_commons_bp", "Share of every contribution for the commons (the steward's shared work)",
     "basis_points", "basis points of each payment", None, None, [], 1000),
    ("pools_solidarity_bp", "Share of every contribution for the solidarity fund",
     "basis_points", "basis points of each payment", None, None, [], 1000),
    ("land_back_bp", "Land back withheld for settler-run partners who ask the platform to pay it",
     "basis_points", "basis points of the partner's gross", None, None, [], 1000),
    ("min_payout_cents", "Smallest payout to a partner; less is carried to the next period",
     "cents", "AUD cents", None, None, [], 5000),
    ("zero_usage_rule", "Where the providers' share of a resident who used no service goes",
     "text", "pool", None, None, ["commons", "solidarity"], "commons"),
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
    dependencies = [("distribution", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [migrations.RunPython(seed, unseed)]
