import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from solhost.core.models import ParameterValue, parameter_value
from solhost.governance.models import Proposal
from solhost.governance.tasks import close_decisions_and_remind
from solhost.governance.tests.helpers import open_proposal, vote

pytestmark = pytest.mark.django_db


def past_deadline(world, **kwargs):
    """A proposal whose deadline passed a minute ago, effective tomorrow."""
    now = timezone.now()
    proposal = open_proposal(
        world,
        opened=now - datetime.timedelta(days=14, minutes=1),
        effective_from=timezone.localdate() + datetime.timedelta(days=1),
        **kwargs,
    )
    assert proposal.closes_at < now
    return proposal


def run():
    out, err = StringIO(), StringIO()
    call_command("close-decisions", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_closes_enacts_reports_and_is_safe_to_re_run(world):
    passed = past_deadline(world)
    vote(world, passed, world.cct, "agree")
    rejected = past_deadline(world, changes=(("outage_hours", 96),))
    vote(world, rejected, world.cct, "block")
    mail.outbox.clear()
    out, err = run()
    assert f"decision {passed.pk} enacted: 1 agree, 0 block, 0 abstain: consent reached" in out
    assert (
        f"decision {rejected.pk} rejected: 0 agree, 1 block, 0 abstain: blocked, no consent" in out
    )
    assert err == ""
    assert len(mail.outbox) == 6
    assert parameter_value("land_back_min_bp", at=passed.effective_from) == 1500
    assert run() == ("", "")
    assert len(mail.outbox) == 6
    assert ParameterValue.objects.filter(parameter__key="land_back_min_bp").count() == 2


def test_the_command_reports_a_passed_decision_it_cannot_enact(world):
    proposal = past_deadline(world)
    vote(world, proposal, world.cct, "agree")
    ParameterValue.objects.create(
        parameter=proposal.changes.get().parameter,
        value=1200,
        effective_from=proposal.effective_from,
        source="Another decision",
    )
    _, err = run()
    assert (
        f"decision {proposal.pk} passed but is not enacted: land_back_min_bp already has a value"
        in err
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CLOSED


def test_the_periodic_task_closes_and_reminds(world):
    due = past_deadline(world)
    vote(world, due, world.cct, "agree")
    soon = open_proposal(
        world,
        opened=timezone.now() - datetime.timedelta(days=13),
        effective_from=timezone.localdate() + datetime.timedelta(days=5),
    )
    mail.outbox.clear()
    close_decisions_and_remind.call_local()
    due.refresh_from_db()
    assert due.status == Proposal.Status.ENACTED
    assert sorted(soon.notices.values_list("kind", flat=True)) == ["closing_soon", "opened"]
    assert (
        sorted(m.subject.split(":")[0] for m in mail.outbox)
        == ["Closes in 48 hours"] * 3 + ["Result"] * 3
    )
