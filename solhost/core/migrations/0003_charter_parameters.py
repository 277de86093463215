"""Seeds every value the charter prints in bold, in force from the charter's adoption."""

from django.db import migrations

from solhost.core.seeding import CHARTER_SOURCE, seed_parameters

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

PARAMETERS = [
    {
        "key": "surplus_reserve_max_bp",
        "criterion": "B1.1",
        "title": "Largest allowed surplus after paying workers, as a share of gross revenue",
        "kind": "basis_points",
        "unit": "basis points of gross revenue",
        "value": 0,
    },
    {
        "key": "participation_min_bp",
        "criterion": "B4",
        "title": "Least share of closed decisions a partner must vote in",
        "kind": "basis_points",
        "unit": "basis points of decisions",
        "value": 7500,
    },
    {
        "key": "participation_window_days",
        "criterion": "B4",
        "title": "Window of closed decisions counted for participation",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 3650,
        "value": 365,
    },
    {
        "key": "pay_ceiling_cents_per_fte",
        "criterion": "B5.2",
        "title": "Largest labour payment per full-time-equivalent worker per year",
        "kind": "cents",
        "unit": "AUD cents per FTE per year",
        "value": 5833360,
    },
    {
        "key": "land_back_min_bp",
        "criterion": "B7",
        "title": "Least land-back contribution of a settler-run partner",
        "kind": "basis_points",
        "unit": "basis points of gross revenue",
        "value": 1000,
    },
    {
        "key": "liberatory_licences",
        "criterion": "V1",
        "title": "Licences the network accepts as liberatory besides OSI and FSF ones",
        "kind": "text_list",
        "unit": "SPDX or LicenseRef identifiers",
        "value": LIBERATORY_LICENCES,
    },
    {
        "key": "local_max_distance_m",
        "criterion": "S1",
        "title": "Farthest a server may stand outside the region boundary",
        "kind": "integer",
        "unit": "metres",
        "minimum": 0,
        "maximum": 100000,
        "value": 1000,
    },
    {
        "key": "s1_exception_roles",
        "criterion": "S1",
        "title": "Server roles that may sit outside the region",
        "kind": "text_list",
        "unit": "server roles",
        "choices": ["offsite_backup", "dns", "cloud_connector"],
        "value": ["offsite_backup", "dns", "cloud_connector"],
    },
    {
        "key": "excluded_cloud_companies",
        "criterion": "S1",
        "title": "Cloud companies whose servers never qualify",
        "kind": "text_list",
        "unit": "companies",
        "value": ["Amazon", "Google", "Microsoft"],
    },
    {
        "key": "renewable_window_days",
        "criterion": "S2.2",
        "title": "Rolling window for the average renewable share",
        "kind": "integer",
        "unit": "days",
        "minimum": 1,
        "maximum": 3650,
        "value": 365,
    },
    {
        "key": "renewable_min_share",
        "criterion": "S2.2",
        "title": "Least average renewable share of the energy used",
        "kind": "basis_points",
        "unit": "basis points of energy used",
        "value": 8000,
    },
    {
        "key": "outage_grace_days",
        "criterion": "S3",
        "title": "Start-up window before outage fallback is required",
        "kind": "integer",
        "unit": "days",
        "minimum": 0,
        "maximum": 3650,
        "value": 365,
    },
    {
        "key": "outage_hours",
        "criterion": "S3",
        "title": "Length of the power outage a location must ride through",
        "kind": "integer",
        "unit": "hours",
        "minimum": 1,
        "maximum": 720,
        "value": 72,
    },
]


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [seed_parameters(PARAMETERS, source=CHARTER_SOURCE)]
