import datetime

import pytest
from django.utils import timezone

from solhost.governance.models import Proposal, Vote
from solhost.qualification.dossier import Participation
from solhost.qualification.participation import participation_for

MELBOURNE = timezone.get_fixed_timezone(datetime.timedelta(hours=10))


def closed_decision(world, *, closed_on: datetime.date, electorate, status="enacted"):
    closed_at = datetime.datetime.combine(closed_on, datetime.time(12), tzinfo=MELBOURNE)
    proposal = Proposal.objects.create(
        title=f"Closed {closed_on}",
        reasoning="Because.",
        decision_type="consent",
        raised_by=world.steward,
        author=world.sam,
        status=status,
        opened_at=closed_at - datetime.timedelta(days=7),
        closes_at=closed_at,
        closed_at=closed_at,
    )
    proposal.electorate.set(electorate)
    return proposal


@pytest.mark.django_db
def test_counts_closed_decisions_in_the_window_the_organisation_could_vote_in(world):
    at = datetime.date(2026, 6, 30)
    everyone = [world.steward, world.mcc, world.cct]
    voted_in = closed_decision(world, closed_on=datetime.date(2026, 6, 30), electorate=everyone)
    closed_decision(
        world, closed_on=datetime.date(2025, 7, 1), electorate=everyone, status="rejected"
    )
    # Outside the 365-day window, after the day asked about, or before mcc could vote.
    closed_decision(world, closed_on=datetime.date(2025, 6, 30), electorate=everyone)
    closed_decision(world, closed_on=datetime.date(2026, 7, 1), electorate=everyone)
    closed_decision(
        world, closed_on=datetime.date(2026, 1, 1), electorate=[world.steward, world.cct]
    )
    still_open = closed_decision(world, closed_on=datetime.date(2026, 6, 1), electorate=everyone)
    Proposal.objects.filter(pk=still_open.pk).update(status="open", closed_at=None)
    Vote.objects.create(
        proposal=voted_in, organisation=world.mcc, cast_by=world.alice, choice="agree"
    )
    Vote.objects.create(
        proposal=voted_in, organisation=world.cct, cast_by=world.carol, choice="agree"
    )

    assert participation_for(world.mcc, at=at) == Participation(decisions=2, voted=1)
    assert participation_for(world.cct, at=at) == Participation(decisions=3, voted=1)


@pytest.mark.django_db
def test_no_decisions_yet(world):
    assert participation_for(world.mcc, at=datetime.date(2026, 1, 1)) == Participation(0, 0)
