import datetime
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from solhost.contributions import actions as contributions
from solhost.distribution import actions as closing
from solhost.distribution.actions import CannotClose, close_period
from solhost.distribution.models import PartnerStatement, PeriodClose, ResidentShare
from solhost.distribution.split import load_scenario, split_period
from solhost.ledger import accounts
from solhost.ledger.books import balance, balances
from solhost.ledger.models import Transaction
from solhost.metering.actions import record_usage_batch
from solhost.metering.models import FrozenPeriod
from solhost.qualification.models import Declarations, QualificationRun
from solhost.test import sub_at

PERIOD = "2026-10"
LAST = datetime.date(2026, 10, 31)
AFTER_GRACE = datetime.date(2026, 11, 6)
ZONE = timezone.get_current_timezone()


def use(world, resident, service, days, partner=None):
    owner = partner or (world.mcc if service.startswith("mcc") else world.cct)
    events = [
        {
            "id": f"{resident.username}-{service}-{day}",
            "resident": sub_at(resident, owner),
            "service": service,
            "kind": "open",
            "occurred_at": datetime.datetime(2026, 10, day, 10, tzinfo=ZONE).isoformat(),
        }
        for day in days
    ]
    result = record_usage_batch(
        partner=owner, events=events, now=datetime.datetime(2026, 10, 31, 12, tzinfo=ZONE)
    )
    assert len(result.accepted) == len(days)


def pay(resident, cents, day=15):
    contributions.choose_contribution(resident=resident, monthly_cents=cents, actor=resident)
    reference = contributions.reference_for_resident(resident)
    contributions.record_payment(
        received_on=datetime.date(2026, 10, day),
        reference=reference.code,
        amount_cents=cents,
        token=uuid.uuid4().hex,
        actor=None,
    )


def qualify(organisation, qualified=True, at=LAST):
    QualificationRun.objects.create(
        organisation=organisation,
        at=at,
        trigger="test",
        criteria_version="1",
        parameters={},
        qualified=qualified,
    )


@pytest.fixture
def october(world):
    """Rita pays $25 and uses both partners; Bob pays $12 and uses MCC only."""
    use(world, world.rita, "mcc-files", [1, 2, 3])
    use(world, world.rita, "cct-chat", [1])
    use(world, world.bob, "mcc-files", [5])
    pay(world.rita, 2500)
    pay(world.bob, 1200)
    qualify(world.mcc)
    qualify(world.cct)
    return world


def test_close_splits_settled_payments_by_active_days_and_posts_one_balanced_entry(october):
    world = october
    close, made = close_period(period=PERIOD, actor=world.sam, today=AFTER_GRACE)
    assert made and close.total_in_cents == 3700
    assert close.commons_cents == 370 and close.solidarity_cents == 370
    mcc = PartnerStatement.objects.get(close=close, partner=world.mcc)
    cct = PartnerStatement.objects.get(close=close, partner=world.cct)
    # Rita's $20 for providers: 3 days MCC, 1 day CCT; Bob's $9.60 all to MCC.
    assert (mcc.gross_cents, cct.gross_cents) == (1500 + 960, 500)
    assert (mcc.residents, mcc.active_days, cct.residents) == (2, 4, 1)
    # Below the $50 minimum payout: carried, in the payable account.
    assert mcc.carried_cents == 2460 and mcc.payout_cents == 0
    assert balance(accounts.payable_code(world.mcc), at=LAST) == -2460
    assert balance(accounts.CONTRIBUTIONS, at=LAST) == 0
    assert balance(accounts.BANK, at=LAST) == 3700
    assert sum(balances(at=LAST).values()) == 0
    assert close.ledger_entry.key == f"close:{PERIOD}"
    rita = ResidentShare.objects.get(close=close, resident=world.rita)
    assert rita.services == {"mcc-files": 1500, "cct-chat": 500}
    assert rita.active_days == {"mcc-files": 3, "cct-chat": 1}
    assert FrozenPeriod.objects.filter(period=PERIOD).exists()


def test_the_stored_scenario_recomputes_to_the_same_hash(october):
    import json

    close, _ = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    again = split_period(load_scenario(json.dumps(close.scenario)))
    assert again.input_hash == close.input_hash and again.algorithm == close.algorithm


def test_closing_twice_changes_nothing(october):
    first, made = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    counts = (
        Transaction.objects.count(),
        PartnerStatement.objects.count(),
        ResidentShare.objects.count(),
    )
    second, made_again = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    assert made and not made_again and first == second
    assert counts == (
        Transaction.objects.count(),
        PartnerStatement.objects.count(),
        ResidentShare.objects.count(),
    )


def test_a_crash_half_way_leaves_nothing(october, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(closing.ResidentShare.objects, "bulk_create", crash)
    before = Transaction.objects.count()
    with pytest.raises(RuntimeError, match="disk full"):
        close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    assert not PeriodClose.objects.exists() and not PartnerStatement.objects.exists()
    assert not FrozenPeriod.objects.exists() and Transaction.objects.count() == before


def test_the_period_cannot_close_during_its_grace(october):
    with pytest.raises(CannotClose, match="still takes late usage until 5 November 2026"):
        close_period(period=PERIOD, actor=None, today=datetime.date(2026, 11, 5))
    with pytest.raises(CannotClose, match="YYYY-MM"):
        close_period(period="2026-13", actor=None, today=AFTER_GRACE)
    assert not PeriodClose.objects.exists()


def test_a_month_is_refused_once_a_later_one_is_closed(october):
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    with pytest.raises(CannotClose, match="a later month, October 2026, is already closed"):
        close_period(period="2026-09", actor=None, today=AFTER_GRACE)
    assert list(PeriodClose.objects.values_list("period", flat=True)) == [PERIOD]


def test_after_the_close_usage_and_payments_for_the_period_are_refused(october):
    world = october
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    late = record_usage_batch(
        partner=world.mcc,
        events=[
            {
                "id": "late",
                "resident": sub_at(world.rita, world.mcc),
                "service": "mcc-files",
                "kind": "x",
                "occurred_at": datetime.datetime(2026, 10, 30, tzinfo=ZONE).isoformat(),
            }
        ],
        now=datetime.datetime(2026, 11, 2, tzinfo=ZONE),
    )
    assert "closed" in late.rejected[0].problems[0][1]
    from solhost.core.problems import InputProblems

    with pytest.raises(InputProblems, match="closed"):
        contributions.record_payment(
            received_on=datetime.date(2026, 10, 20),
            reference=contributions.reference_for_resident(world.rita).code,
            amount_cents=100,
            token="t",
            actor=None,
        )


def test_an_unqualified_partner_is_held_and_released_when_it_qualifies(october):
    world = october
    QualificationRun.objects.filter(organisation=world.cct).delete()
    Declarations.objects.create(
        organisation=world.cct, run_by="settlers", land_back_withheld_by_platform=True
    )
    close, _ = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    cct = PartnerStatement.objects.get(close=close, partner=world.cct)
    assert (cct.gross_cents, cct.land_back_cents, cct.held_cents, cct.payout_cents) == (
        500,
        50,
        450,
        0,
    )
    assert balance(accounts.held_code(world.cct), at=LAST) == -450
    assert balance(accounts.LAND_BACK, at=LAST) == -50
    # November: CCT qualifies; its held $4.50 is released into its payable.
    qualify(world.cct, at=datetime.date(2026, 11, 30))
    november, _ = close_period(period="2026-11", actor=None, today=datetime.date(2026, 12, 6))
    released = PartnerStatement.objects.get(close=november, partner=world.cct)
    assert released.released_cents == 450 and released.carried_in_cents == 450
    assert balance(accounts.held_code(world.cct), at=datetime.date(2026, 11, 30)) == 0
    assert balance(accounts.payable_code(world.cct), at=datetime.date(2026, 11, 30)) == -450


def test_payouts_at_the_minimum_and_carried_balances_roll_forward(october):
    world = october
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    # November: Rita pays $40 and uses MCC; MCC had $24.60 carried.
    events = [
        {
            "id": "n1",
            "resident": sub_at(world.rita, world.mcc),
            "service": "mcc-files",
            "kind": "x",
            "occurred_at": datetime.datetime(2026, 11, 3, tzinfo=ZONE).isoformat(),
        }
    ]
    record_usage_batch(
        partner=world.mcc, events=events, now=datetime.datetime(2026, 11, 4, tzinfo=ZONE)
    )
    contributions.record_payment(
        received_on=datetime.date(2026, 11, 3),
        reference=contributions.reference_for_resident(world.rita).code,
        amount_cents=4000,
        token="nov",
        actor=None,
    )
    qualify(world.mcc, at=datetime.date(2026, 11, 30))
    november, _ = close_period(period="2026-11", actor=None, today=datetime.date(2026, 12, 6))
    mcc = PartnerStatement.objects.get(close=november, partner=world.mcc)
    assert mcc.carried_in_cents == 2460 and mcc.gross_cents == 3200
    assert mcc.payout_cents == 5660 and mcc.carried_cents == 0


def test_the_command_closes_and_reports_and_refuses_clearly(october, capsys):
    with pytest.raises(CommandError, match="still takes late usage"):
        call_command("close-period", "2099-01")
    call_command("close-period", PERIOD)
    assert "Closed 2026-10" in capsys.readouterr().out
    call_command("close-period", PERIOD)
    assert "Already closed: 2026-10" in capsys.readouterr().out


def test_the_nightly_task_closes_months_whose_grace_has_passed(october):
    from solhost.distribution.tasks import close_due_periods

    assert close_due_periods.call_local() == [PERIOD]
    assert close_due_periods.call_local() == []
