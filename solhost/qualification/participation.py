"""How much a partner takes part in the network's decisions (charter B4)."""

import datetime

from django.utils import timezone

from solhost.core.models import parameter_value
from solhost.governance.models import Proposal, Vote
from solhost.partners.models import Organisation
from solhost.qualification.dossier import Participation

CLOSED_STATUSES = (Proposal.Status.CLOSED, Proposal.Status.ENACTED, Proposal.Status.REJECTED)


def closed_decisions_in_window(organisation: Organisation, *, at: datetime.date):
    """Decisions closed in the ``participation_window_days`` up to and including day ``at``
    in which ``organisation`` could vote (it was in the electorate when they opened)."""
    window = int(parameter_value("participation_window_days", at=at))
    first_day = at - datetime.timedelta(days=window - 1)
    proposals = Proposal.objects.filter(status__in=CLOSED_STATUSES, electorate=organisation)
    return [
        p
        for p in proposals.only("id", "closed_at")
        if p.closed_at is not None and first_day <= timezone.localdate(p.closed_at) <= at
    ]


def participation_for(organisation: Organisation, *, at: datetime.date) -> Participation:
    """The decisions ``organisation`` could vote in that closed in the window, and how many it did."""
    decisions = closed_decisions_in_window(organisation, at=at)
    voted = Vote.objects.filter(organisation=organisation, proposal__in=decisions).count()
    return Participation(decisions=len(decisions), voted=voted)
