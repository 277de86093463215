"""Proposals for the governance tests, opened at fixed moments."""

import datetime

from django.utils import timezone

from solhost.core.models import Parameter
from solhost.governance import actions

MELBOURNE = timezone.get_fixed_timezone(datetime.timedelta(hours=11))
OPENED = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=MELBOURNE)
EFFECTIVE = datetime.date(2026, 12, 1)


def draft_proposal(
    world,
    *,
    decision_type="consent",
    changes=(("land_back_min_bp", 1500),),
    resolution="",
    effective_from=EFFECTIVE,
):
    """A draft raised by mcc (alice) with ``changes``: (parameter key, new value) pairs."""
    proposal = actions.create_proposal(
        organisation=world.mcc,
        author=world.alice,
        title="Raise the land-back minimum",
        reasoning="Land back is owed.",
        resolution=resolution,
        decision_type=decision_type,
        effective_from=effective_from if changes else None,
    )
    for key, value in changes:
        actions.add_change(
            proposal=proposal,
            actor=world.alice,
            parameter=Parameter.objects.get(key=key),
            new_value=value,
        )
    return proposal


def open_proposal(world, *, opened=OPENED, days=14, **draft):
    """A proposal as ``draft_proposal`` makes it, opened at ``opened`` for ``days`` days."""
    proposal = draft_proposal(world, **draft)
    return actions.open_proposal(
        proposal=proposal,
        actor=world.alice,
        now=opened,
        closes_at=opened + datetime.timedelta(days=days),
    )


def during(proposal, hours=1):
    return proposal.opened_at + datetime.timedelta(hours=hours)


def vote(world, proposal, organisation, choice, value=None, comment=""):
    actor = {"steward": world.sam, "mcc": world.alice, "cct": world.carol}[organisation.slug]
    return actions.cast_vote(
        proposal=proposal,
        organisation=organisation,
        actor=actor,
        choice=choice,
        value=value,
        comment=comment,
        now=during(proposal),
    )


def close(proposal):
    return actions.close_due_decisions(now=proposal.closes_at)
