"""A decision changes what qualification and the split read from its effective date on,
and a past report recomputed gives the past result."""

import datetime

import pytest

from solhost.core.models import parameter_value
from solhost.distribution.split import parse_scenario, split_period
from solhost.governance.tests.helpers import EFFECTIVE, close, open_proposal, vote
from solhost.qualification.parameters import SPECS
from solhost.qualification.rules import Snapshot, evaluate
from solhost.qualification.tests.builders import DOSSIER, REGION

pytestmark = pytest.mark.django_db

BEFORE = EFFECTIVE - datetime.timedelta(days=1)


def params_at(day):
    """The parameters as the qualification reads them from the database on ``day``."""
    return {key: parameter_value(key, at=day) for key in SPECS}


def b7(day):
    [outcome] = [
        o for o in evaluate(Snapshot(DOSSIER, REGION), params_at(day), day) if o.criterion == "B7"
    ]
    return outcome.status


def land_back_of_a_period(day):
    scenario = parse_scenario(
        {
            "period": f"{day:%Y-%m}",
            "pools_bp": {"commons": 1000, "solidarity": 500},
            "land_back_bp": parameter_value("land_back_min_bp", at=day),
            "min_payout_cents": 1000,
            "zero_usage_rule": "commons",
            "members": [{"id": "m1", "paid_cents": 2000, "active_days": {"mail": 10}}],
            "services": {"mail": "acorn"},
            "partners": {
                "acorn": {
                    "settler_run": True,
                    "withhold_land_back": True,
                    "qualified": True,
                    "carried_cents": 0,
                }
            },
        }
    )
    return split_period(scenario).partners["acorn"].land_back_cents


def test_enactment_applies_from_the_effective_date_and_not_before(world):
    # Before any decision: the dossier gives 10% land back, the charter asks 10%.
    report_before = evaluate(Snapshot(DOSSIER, REGION), params_at(BEFORE), BEFORE)
    assert b7(BEFORE) == b7(EFFECTIVE) == "met"
    assert land_back_of_a_period(BEFORE) == land_back_of_a_period(EFFECTIVE) == 170

    proposal = open_proposal(world, changes=(("land_back_min_bp", 1500),))
    for organisation in (world.steward, world.mcc, world.cct):
        vote(world, proposal, organisation, "agree")
    close(proposal)

    assert parameter_value("land_back_min_bp", at=BEFORE) == 1000
    assert parameter_value("land_back_min_bp", at=EFFECTIVE) == 1500
    # The past report, recomputed, is exactly what it was.
    assert evaluate(Snapshot(DOSSIER, REGION), params_at(BEFORE), BEFORE) == report_before
    assert b7(BEFORE) == "met"
    assert b7(EFFECTIVE) == "not_met"
    # 1700 cents to the provider: 10% rounds up to 170, 15% to 255.
    assert land_back_of_a_period(BEFORE) == 170
    assert land_back_of_a_period(EFFECTIVE) == 255
