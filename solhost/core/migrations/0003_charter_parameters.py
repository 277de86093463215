"""Seeds every value the charter prints in bold, in force from the charter's adoption."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2025, 7, 1)
SOURCE = "Charter, initial value"

LIBERATORY_LICENCES = [
    "LicenseRef-scancode-anti-capitalist-1.4",
    "LicenseRef-Reticulum",
    "Hippocratic-2.1",
    "LicenseRef-scancode-Hippocratic-3.0",
    "LicenseRef-Cooperative-Software-License",
    "PPL",
    "LicenseRef-scancode-cooperative-non-violent-4.0",
    "LicenseRef-scancode-cooperative-non-violent-6.0",
    "LicenseRef-scancode-cooperative-non-violent-7.0",
]

# (key, criterion, title, kind, unit, minimum, maximum, choices, value)
PARAMETERS = [
    ("surplus_reserve_max_bp", "B1.1", "Largest allowed surplus after paying workers, as a share of gross revenue",
     "basis_points", "basis points of gross revenue", None, None, [], 0),
    ("participation_min_bp", "B4", "Least share of closed decisions a partner must vote in",
     "basis_points", "basis points of decisions", None, None, [], 7500),
    ("participation_window_days", "B4", "Window of closed decisions counted for participation",
     "integer", "days", 1, 3650, [], 365),
    ("pay_ceiling_cents_per_fte", "B5.2", "Largest labour payment per full-time-equivalent worker per year",
     "cents", "AUD cents per FTE per year", None, None, [], 5833360),
    ("land_back_min_bp", "B7", "Least land-back contribution of a settler-run partner",
     "basis_points", "basis points of gross revenue", None, None, [], 1000),
    ("liberatory_licences", "V1", "Licences the network accepts as liberatory besides OSI and FSF ones",
     "text_list", "SPDX or LicenseRef identifiers", None, None, [], LIBERATORY_LICENCES),
    ("local_max_distance_m", "S1", "Farthest a server may stand outside the region boundary",
     "integer", "metres", 0, 100000, [], 1000),
    ("s1_exception_roles", "S1", "Server roles that may sit outside the region",
     "text_list", "server roles", None, None, ["offsite_backup", "dns", "cloud_connector"],
     ["offsite_backup", "dns", "cloud_connector"]),
    ("excluded_cloud_companies", "S1", "Cloud companies whose servers never qualify",
     "text_list", "companies", None, None, [], ["Amazon", "Google", "Microsoft"]),
    ("renewable_window_days", "S2.2", "Rolling window for the average renewable share",
     "integer", "days", 1, 3650, [], 365),
    ("renewable_min_share", "S2.2", "Least average renewable share of the energy used",
     "basis_points", "basis points of energy used", None, None, [], 8000),
    ("outage_grace_days", "S3", "Start-up window before outage fallback is required",
     "integer", "days", 0, 3650, [], 365),
    ("outage_hours", "S3", "Length of the power outage a location must ride through",
     "integer", "hours", 1, 720, [], 72),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    ParameterValue = apps.get_model("core", "ParameterValue")
    for key, criterion, title, kind, unit, minimum, maximum, choices, value in PARAMETERS:
        parameter, _ = Parameter.objects.update_or_create(
            key=key,
            defaults={"criterion": criterion, "title": title, "kind": kind, "unit": unit,
                      "minimum": minimum, "maximum": maximum, "choices": choices},
        )
        ParameterValue.objects.get_or_create(
            parameter=parameter, effective_from=ADOPTED, defaults={"value": value, "source": SOURCE}
        )


def unseed(apps, schema_editor):
    ParameterValue = apps.get_model("core", "ParameterValue")
    ParameterValue.objects.filter(source=SOURCE, effective_from=ADOPTED).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
