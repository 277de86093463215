"""The steward's bank details for direct-entry files, and the program land back is remitted to.

Bank details are not guessed: they are defined here without a value, and the steward
gives each its value (with its date) before the first file; until then a file names
those still missing. The program starts as Pay the Rent, which the network may change.
"""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

WITHOUT_VALUE = [
    ("payout_bank_institution", "The steward's bank, as its three-letter direct-entry abbreviation (e.g. BEN)", "abbreviation"),
    ("payout_bank_user_name", "The steward's name as its bank knows it for direct-entry files", "up to 26 characters"),
    ("payout_apca_user_id", "The steward's direct-entry user identification number, from its bank", "up to 6 digits"),
    ("payout_bank_bsb", "BSB of the steward's account payouts are made from", "NNN-NNN"),
    ("payout_bank_account", "Number of the steward's account payouts are made from", "up to 9 digits"),
    ("payout_remitter_name", "The sender's name a payee's bank statement shows", "up to 16 characters"),
    ("land_back_program_account_name", "Name of the land-back program's bank account", "up to 32 characters"),
    ("land_back_program_bsb", "BSB of the land-back program's bank account", "NNN-NNN"),
    ("land_back_program_account", "Number of the land-back program's bank account", "up to 9 digits"),
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
    dependencies = [("distribution", "0004_payout_batches"), ("core", "0003_charter_parameters")]
    operations = [
        migrations.RunPython(define, undefine),
        seed_parameters(
            [
                {
                    "key": "land_back_program",
                    "title": "The First Nations program land back withheld is remitted to",
                    "kind": "text",
                    "unit": "name",
                    "value": "Pay the Rent",
                }
            ],
            source=INITIAL_SOURCE,
        ),
    ]
