"""The account residents pay into, shown with their reference on the pledge page, and the
grace before a gentle reminder.

Bank details are not guessed: they are defined without a value, and the steward gives
each its value (with its date); until then the pledge page says they are coming.
"""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

WITHOUT_VALUE = [
    ("receiving_payid", "The PayID residents pay the region to (an email address or ABN)", "PayID"),
    ("receiving_account_name", "Name of the account residents pay into", "up to 32 characters"),
    ("receiving_bsb", "BSB of the account residents pay into", "NNN-NNN"),
    ("receiving_account", "Number of the account residents pay into", "up to 9 digits"),
]


def define(apps, schema_editor):
    parameter = apps.get_model("core", "Parameter")
    for key, title, unit in WITHOUT_VALUE:
        parameter.objects.update_or_create(
            key=key, defaults={"title": title, "kind": "text", "unit": unit}
        )


def undefine(apps, schema_editor):
    apps.get_model("core", "Parameter").objects.filter(
        key__in=[key for key, _, _ in WITHOUT_VALUE], values__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("contributions", "0005_pledges"), ("core", "0003_charter_parameters")]
    operations = [
        migrations.RunPython(define, undefine),
        seed_parameters(
            [
                {
                    "key": "pledge_reminder_grace_days",
                    "title": "Days after a pledged payment was due before a gentle reminder",
                    "kind": "integer",
                    "unit": "days",
                    "value": 10,
                }
            ],
            source=INITIAL_SOURCE,
        ),
    ]
