"""V2 reads the LoRes sync's evidence: a LoRes address typed by the partner is not enough."""

import datetime

import pytest

from solhost.lores.tests.evidence import put_on_lores
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.models import Declarations

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def covered(world):
    """MCC's files service is of a kind the mesh covers, and MCC recommends its LoRes way."""
    world.files.lores_covered = True
    world.files.save()
    declared = Declarations.objects.create(organisation=world.mcc)
    declared.lores_recommended.set([world.mcc_service])
    return world


def v2(world):
    run = evaluate_partner(organisation=world.mcc, at=DAY, trigger="test")
    return run.results.get(criterion="V2", subject="service:mcc-files")


def test_a_typed_lores_address_without_the_syncs_evidence_is_not_met(covered):
    assert covered.mcc_service.lores_url  # typed by hand
    result = v2(covered)
    assert result.status == "not_met"
    assert "no app running it is installed on a LoRes node linked" in result.reason


def test_the_syncs_evidence_meets_v2_and_is_cited(covered):
    put_on_lores(covered.mcc_service, app_name="nextcloud", app_version="31.0.2")
    result = v2(covered)
    assert result.status == "met"
    assert result.reason == (
        "service `mcc-files`: the LoRes address http://files.mesh (the LoRes app nextcloud "
        "31.0.2 is installed on "
        "the node mcc-1-node, read 2026-02-28 21:05 UTC) is offered and recommended"
    )
