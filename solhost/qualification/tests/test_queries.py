import datetime

from django.utils import timezone

from solhost.partners.models import Membership
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.models import QualificationRun
from solhost.qualification.queries import latest_run, partner_admin_emails, qualified_on
from solhost.test import make_user

DAY = datetime.date(2026, 3, 10)


def run(organisation, *, at, qualified, evaluated_at=None):
    return QualificationRun.objects.create(
        organisation=organisation,
        at=at,
        evaluated_at=evaluated_at or timezone.now(),
        trigger="test",
        criteria_version="test",
        parameters={},
        qualified=qualified,
    )


def test_a_partner_never_evaluated_is_not_qualified(world):
    assert qualified_on(world.mcc, DAY) is False


def test_the_latest_run_judged_on_or_before_the_day_decides(world):
    run(world.mcc, at=DAY - datetime.timedelta(days=5), qualified=True)
    run(world.mcc, at=DAY + datetime.timedelta(days=1), qualified=False)
    assert qualified_on(world.mcc, DAY) is True
    assert qualified_on(world.mcc, DAY + datetime.timedelta(days=1)) is False
    assert qualified_on(world.mcc, DAY - datetime.timedelta(days=6)) is False
    assert qualified_on(world.cct, DAY) is False


def test_of_two_runs_for_the_same_day_the_later_evaluation_decides(world):
    now = timezone.now()
    run(world.mcc, at=DAY, qualified=False, evaluated_at=now)
    run(world.mcc, at=DAY, qualified=True, evaluated_at=now - datetime.timedelta(hours=1))
    assert qualified_on(world.mcc, DAY) is False


def test_partner_admin_emails_are_sorted_and_skip_blank_addresses(world):
    assert partner_admin_emails(world.mcc) == ["alice@example.org"]
    for name, email in (("dora", "dora@example.org"), ("eve", "")):
        user = make_user(name)
        user.email = email
        user.save()
        Membership.objects.create(user=user, organisation=world.mcc, role="partner_admin")
    assert partner_admin_emails(world.mcc) == ["alice@example.org", "dora@example.org"]
    assert partner_admin_emails(world.cct) == ["carol@example.org"]


def test_the_latest_run_is_the_newest_evaluation_whatever_day_it_judged(world):
    assert latest_run(world.mcc) is None
    evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 11, 1), trigger="first")
    evaluate_partner(organisation=world.mcc, at=datetime.date(2026, 10, 1), trigger="second")
    assert latest_run(world.mcc).trigger == "second"
    assert latest_run(world.cct) is None
