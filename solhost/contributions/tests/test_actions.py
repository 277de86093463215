import datetime

import pytest

from solhost.contributions import actions, queries
from solhost.contributions.models import Payment, PaymentReference
from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.ledger import accounts
from solhost.ledger.books import balance

DAY = datetime.date(2026, 10, 3)


def test_tiers_start_at_zero_and_any_amount_up_to_the_ceiling_is_fine(world):
    assert queries.tiers_cents(at=DAY) == [0, 500, 1200, 2500]
    assert (
        actions.choose_contribution(
            resident=world.rita, monthly_cents=0, actor=world.rita
        ).monthly_cents
        == 0
    )
    assert (
        actions.choose_contribution(
            resident=world.rita, monthly_cents=850, actor=world.rita
        ).monthly_cents
        == 850
    )
    assert queries.current_choice(world.rita).monthly_cents == 850
    with pytest.raises(ValueError, match="more than the largest contribution"):
        actions.choose_contribution(resident=world.rita, monthly_cents=100001, actor=world.rita)
    with pytest.raises(ValueError, match="zero or more"):
        actions.choose_contribution(resident=world.rita, monthly_cents=-1, actor=world.rita)


def test_each_resident_gets_one_unique_reference(world):
    rita = actions.reference_for_resident(world.rita)
    assert actions.reference_for_resident(world.rita) == rita
    assert actions.reference_for_resident(world.bob).code != rita.code
    assert rita.code.startswith("R-") and len(rita.code) == 10


def test_an_organisation_sponsors_only_its_own_members(world):
    seat = actions.sponsor_seat(
        organisation=world.mcc, resident=world.bob, monthly_cents=1200, actor=world.alice
    )
    assert (
        seat.monthly_cents == 1200 and actions.reference_for_sponsor(world.mcc).purpose == "sponsor"
    )
    with pytest.raises(ValueError, match="not a member"):
        actions.sponsor_seat(
            organisation=world.mcc, resident=world.rita, monthly_cents=1200, actor=world.alice
        )


def test_changing_a_sponsored_seat_is_audited_with_what_it_was(world):
    from solhost.core.models import AuditEvent

    actions.sponsor_seat(organisation=world.mcc, resident=world.bob, monthly_cents=500, actor=None)
    seat = actions.sponsor_seat(
        organisation=world.mcc, resident=world.bob, monthly_cents=900, actor=world.alice
    )
    assert seat.monthly_cents == 900
    first, change = AuditEvent.objects.filter(action="contributions.sponsor_seat").order_by("pk")
    assert first.before is None and first.after["monthly_cents"] == 500
    assert change.before["monthly_cents"] == 500 and change.after["monthly_cents"] == 900
    assert change.actor == world.alice


def test_a_payment_is_recorded_once_and_posted_to_the_books(world):
    code = actions.reference_for_resident(world.rita).code
    payment = actions.record_payment(
        received_on=DAY, reference=code.lower(), amount_cents=1200, token="t1", actor=world.sam
    )
    assert payment.amount_cents == 1200 and payment.reference.resident == world.rita
    again = actions.record_payment(
        received_on=DAY, reference=code, amount_cents=1200, token="t1", actor=world.sam
    )
    assert again is None and Payment.objects.count() == 1
    assert balance(accounts.BANK, at=DAY) == 1200
    assert balance(accounts.CONTRIBUTIONS, at=DAY) == -1200


def test_a_gift_to_the_solidarity_fund_goes_straight_to_the_fund(world):
    actions.solidarity_reference()
    actions.record_payment(
        received_on=DAY, reference="solidarity", amount_cents=5000, token="g", actor=world.sam
    )
    assert balance(accounts.SOLIDARITY, at=DAY) == -5000


def test_a_bad_payment_says_which_field_and_stores_nothing(world):
    with pytest.raises(InputProblems) as caught:
        actions.record_payment(
            received_on=datetime.date(2999, 1, 1),
            reference="NOPE",
            amount_cents=0,
            token="x",
            actor=world.sam,
        )
    assert [where for where, _ in caught.value.problems] == ["reference", "amount", "received_on"]
    assert not Payment.objects.exists()


def test_a_csv_import_stores_every_line_once_even_when_imported_again(world):
    rita = actions.reference_for_resident(world.rita).code
    bob = actions.reference_for_resident(world.bob).code
    text = f"date,reference,amount\n2026-10-03,{rita},12.00\n2026-10-03,{rita},12.00\n2026-10-04,{bob},$5\n"
    first = actions.import_payments_csv(text=text, actor=world.sam)
    assert (first.stored, first.already) == (3, 0)
    again = actions.import_payments_csv(text=text + f"2026-10-05,{bob},7.5\n", actor=world.sam)
    assert (again.stored, again.already) == (1, 3)
    assert sorted(Payment.objects.values_list("amount_cents", flat=True)) == [500, 750, 1200, 1200]


@pytest.mark.parametrize("via", ["csv", "form"])
def test_a_close_that_commits_while_payments_are_stored_undoes_them_all(world, monkeypatch, via):
    from solhost.ledger.models import Transaction
    from solhost.metering.models import FrozenPeriod

    rita = actions.reference_for_resident(world.rita).code
    checked = actions._closed_reasons
    calls = []

    def close_commits_right_after_the_first_check(days):
        reasons = checked(days)
        if not calls:
            calls.append(reasons)
            FrozenPeriod.objects.create(period="2026-10")
        return reasons

    monkeypatch.setattr(actions, "_closed_reasons", close_commits_right_after_the_first_check)
    with pytest.raises(InputProblems) as refused:
        if via == "csv":
            actions.import_payments_csv(
                text=f"2026-10-03,{rita},12\n2026-10-04,{rita},5\n", actor=world.sam
            )
        else:
            actions.record_payment(
                received_on=DAY, reference=rita, amount_cents=1200, token="t", actor=world.sam
            )
    where = ["line 1, date", "line 2, date"] if via == "csv" else ["received_on"]
    assert [w for w, _ in refused.value.problems] == where
    assert "period 2026-10 is closed" in refused.value.problems[0][1]
    assert not Payment.objects.exists() and not Transaction.objects.exists()


def test_a_csv_with_any_bad_line_stores_nothing_and_lists_every_problem(world):
    rita = actions.reference_for_resident(world.rita).code
    text = "\n".join(
        [
            f"2026-10-03,{rita},12.00",
            "03/10/2026,{rita},12.00".replace("{rita}", rita),
            f"2026-10-03,{rita},twelve",
            "2026-10-03,NOBODY,5",
            f"2026-10-03,{rita}",
            f"2999-01-01,{rita},1",
            f"2026-10-03,{rita},0",
        ]
    )
    with pytest.raises(InputProblems) as caught:
        actions.import_payments_csv(text=text, actor=world.sam)
    wheres = [where for where, _ in caught.value.problems]
    assert wheres == [
        "line 2, date",
        "line 3, amount",
        "line 4, reference",
        "line 5",
        "line 6, date",
        "line 7, amount",
    ]
    assert not Payment.objects.exists()
    # Once the format is right, unknown references are still caught before anything is stored.
    with pytest.raises(InputProblems, match="line 2, reference"):
        actions.import_payments_csv(
            text=f"2026-10-03,{rita},12\n2026-10-03,NOBODY,5", actor=world.sam
        )
    assert (
        not Payment.objects.exists() and not PaymentReference.objects.filter(code="NOBODY").exists()
    )


def test_a_csv_lists_unknown_references_and_closed_periods_with_its_syntax_problems(world):
    from solhost.metering.models import FrozenPeriod

    FrozenPeriod.objects.create(period="2026-09")
    rita = actions.reference_for_resident(world.rita).code
    text = "\n".join(
        [
            "date,reference,amount",
            f"2026-10-03,{rita},12.00",
            "2026-10-03,NOBODY,twelve",
            f"2026-09-30,{rita},5",
            "yesterday,ALSO-NOBODY,5",
            f"2026-10-03,{rita}",
        ]
    )
    with pytest.raises(InputProblems) as caught:
        actions.import_payments_csv(text=text, actor=world.sam)
    assert caught.value.problems == [
        ("line 3, amount", "'twelve' is not an amount of dollars, e.g. 12 or 12.50"),
        ("line 3, reference", "no payer has the reference 'NOBODY'"),
        ("line 4, date", "period 2026-09 is closed and split; date the payment in an open period"),
        ("line 5, date", "'yesterday' is not a date like 2026-10-03"),
        ("line 5, reference", "no payer has the reference 'ALSO-NOBODY'"),
        ("line 6", "has 2 columns; write date, reference, amount"),
    ]
    assert not Payment.objects.exists()


def test_a_csv_reference_with_a_nul_byte_is_a_problem_not_a_crash(world):
    with pytest.raises(InputProblems, match="line 1, reference"):
        actions.import_payments_csv(text="2026-10-03,R-A\x00B,5\n", actor=world.sam)
    assert not Payment.objects.exists()


def test_an_empty_csv_is_refused(world):
    with pytest.raises(InputProblems, match="no payment lines"):
        actions.import_payments_csv(text="date,reference,amount\n", actor=world.sam)


def test_stopping_a_seat_removes_it_with_an_audit_event(world):
    actions.sponsor_seat(organisation=world.mcc, resident=world.bob, monthly_cents=900, actor=None)
    actions.stop_sponsoring_seat(organisation=world.mcc, resident=world.bob, actor=world.alice)
    assert not world.mcc.sponsored_seats.exists()
    event = AuditEvent.objects.get(action="contributions.stop_seat")
    assert event.before["monthly_cents"] == 900 and event.actor == world.alice
    with pytest.raises(ValueError, match="does not sponsor"):
        actions.stop_sponsoring_seat(organisation=world.mcc, resident=world.bob, actor=world.alice)
