"""What happens to a closing partner's held and carried money, in force from the charter's
adoption."""

from django.db import migrations

from solhost.core.seeding import INITIAL_SOURCE, seed_parameters

PARAMETERS = [
    {
        "key": "wind_down_balance_rule",
        "title": "Where a closed partner's held and carried money goes",
        "description": "When the steward completes a partner's wind-down: pay_out releases "
        "the money held for it into what it is owed, to be paid out whatever the minimum "
        "payout; solidarity moves what it is owed and what is held for it to the solidarity "
        "fund, for a partner that is gone and cannot claim it.",
        "kind": "text",
        "unit": "rule",
        "choices": ["pay_out", "solidarity"],
        "value": "pay_out",
    },
]


class Migration(migrations.Migration):
    dependencies = [("winddown", "0002_wind_down_parameters"), ("core", "0003_charter_parameters")]
    operations = [seed_parameters(PARAMETERS, source=INITIAL_SOURCE)]
