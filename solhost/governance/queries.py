"""Reading decisions: the count of a proposal's votes and who hears about it."""

from functools import partial

from solhost.governance import tally
from solhost.governance.models import Proposal
from solhost.governance.wording import value_in_words
from solhost.partners.models import Membership, Organisation

Status = Proposal.Status
DecisionType = Proposal.DecisionType


def count(proposal: Proposal) -> tally.Outcome:
    """The tally of ``proposal``'s votes as they stand."""
    votes = list(proposal.votes.all())
    if proposal.decision_type == DecisionType.CONSENT:
        return tally.consent([v.choice for v in votes])
    if proposal.decision_type == DecisionType.MAJORITY:
        return tally.majority(
            [v.choice for v in votes],
            electorate=proposal.electorate.count(),
            threshold_bp=proposal.threshold_bp or 0,
            quorum_bp=proposal.quorum_bp or 0,
        )
    change = proposal.changes.select_related("parameter").first()
    say = (
        str
        if change is None
        else partial(value_in_words, change.parameter.kind, change.parameter.unit)
    )
    return tally.median_of_proposals([v.value for v in votes], say=say)


def recipients_for(proposal: Proposal) -> list[str]:
    """The admins of every member organisation (the stewards, for the steward)."""
    electorate = proposal.electorate.all() if proposal.status != Status.DRAFT else []
    emails = set()
    for organisation in electorate:
        role = (
            Membership.Role.STEWARD
            if organisation.kind == Organisation.Kind.STEWARD
            else Membership.Role.PARTNER_ADMIN
        )
        for membership in organisation.memberships.filter(role=role).select_related("user"):
            if membership.user.email and membership.user.is_active:
                emails.add(membership.user.email)
    return sorted(emails)
