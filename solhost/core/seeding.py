"""Seeding the network's parameters from data migrations, the same way in every app."""

import datetime

from django.db import migrations

# The start of the financial year in which the charter was adopted.
ADOPTED = datetime.date(2025, 7, 1)
CHARTER_SOURCE = "Charter, initial value"
INITIAL_SOURCE = "Initial value, before any network decision"


def seed_parameters(
    parameters: list[dict], *, source: str, effective_from: datetime.date = ADOPTED
) -> migrations.RunPython:
    """A migration step creating each parameter with its first value, and its undoing.

    Each entry holds the Parameter's fields (``key``, ``title``, ``kind``, ``unit`` and,
    when needed, ``criterion``, ``minimum``, ``maximum``, ``choices``) plus ``value``.
    """
    keys = [row["key"] for row in parameters]

    def seed(apps, schema_editor):
        parameter_model = apps.get_model("core", "Parameter")
        value_model = apps.get_model("core", "ParameterValue")
        for row in parameters:
            fields = {name: v for name, v in row.items() if name not in ("key", "value")}
            parameter, _ = parameter_model.objects.update_or_create(key=row["key"], defaults=fields)
            value_model.objects.get_or_create(
                parameter=parameter,
                effective_from=effective_from,
                defaults={"value": row["value"], "source": source},
            )

    def unseed(apps, schema_editor):
        apps.get_model("core", "ParameterValue").objects.filter(
            parameter__key__in=keys, source=source, effective_from=effective_from
        ).delete()
        apps.get_model("core", "Parameter").objects.filter(
            key__in=keys, values__isnull=True
        ).delete()

    return migrations.RunPython(seed, unseed)
