"""How often the region checks its services, and when a failure is an incident and a notice."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "probe_interval_minutes",
        "title": "Minutes between two checks of a service's address",
        "description": "Every service's public and local-network addresses are checked from "
        "inside the region this often; the status page counts the checks that found it up.",
        "kind": "integer",
        "unit": "minutes",
        "minimum": 1,
        "maximum": 1440,
        "value": 5,
    },
    {
        "key": "probe_failures_for_incident",
        "title": "Failed checks in a row that make an incident",
        "description": "One failed check may be the network's hiccup; this many in a row "
        "open an incident, dated from the first of them.",
        "kind": "integer",
        "unit": "checks",
        "minimum": 1,
        "maximum": 100,
        "value": 2,
    },
    {
        "key": "probe_notify_after_minutes",
        "title": "Minutes a service may be down before its partner is emailed",
        "description": "Counted from the incident's first failed check; the partner's admins "
        "are emailed once per incident.",
        "kind": "integer",
        "unit": "minutes",
        "minimum": 1,
        "maximum": 10080,
        "value": 30,
    },
]


class Migration(migrations.Migration):
    dependencies = [("probes", "0001_initial"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
