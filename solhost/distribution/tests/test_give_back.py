"""Refunds and bank reversals: reversing transactions, left out of the month's split."""

import datetime

import pytest
from django.urls import reverse

from solhost.contributions import actions as contributions
from solhost.contributions.models import Payment
from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.distribution.actions import close_period
from solhost.distribution.models import PaymentReversal
from solhost.distribution.queries import month_inflows
from solhost.distribution.refunds import reverse_payment
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, october  # noqa: F401
from solhost.ledger import accounts
from solhost.ledger.books import balance, balances
from solhost.ledger.models import Posting, Transaction
from solhost.web.tests.pages import assert_clean_page

NOV_3 = datetime.date(2026, 11, 3)


def _url(payment: Payment) -> str:
    return reverse("distribution:give_back", args=[payment.pk])


def test_a_refund_reverses_the_payment_and_leaves_it_out_of_the_split(client, october):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    client.force_login(october.sam)
    assert_clean_page(client.get(_url(rita)))
    answer = client.post(
        _url(rita), {"kind": "refund", "reversed_on": "2026-11-03", "reason": "Paid twice"}
    )
    assert answer.status_code == 302
    reversal = PaymentReversal.objects.get(payment=rita)
    entry = reversal.ledger_entry
    assert entry.reverses == rita.ledger_entry and entry.date == NOV_3
    assert sorted(
        Posting.objects.filter(transaction=entry).values_list("amount_cents", flat=True)
    ) == [
        -2500,
        2500,
    ]
    assert Payment.objects.filter(pk=rita.pk).exists()  # the payment stays
    event = AuditEvent.objects.get(action="distribution.payment_reverse")
    assert event.actor == october.sam and event.after["reason"] == "Paid twice"
    assert month_inflows(PERIOD).by_purpose["resident"] == 1200
    close, _ = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    assert close.total_in_cents == 1200  # Bob's only
    assert balance(accounts.CONTRIBUTIONS, at=NOV_3) == 0
    assert sum(balances(at=NOV_3).values()) == 0
    page = client.get(reverse("distribution:transparency", args=[PERIOD])).content.decode()
    assert "<dt>Total in</dt><dd>$12.00</dd>" in page
    again = client.get(_url(rita)).content.decode()
    assert (
        "Refund to the payer on 3 Nov 2026: Paid twice." in again
        and "<form" not in again.split("<main")[1]
    )


def test_a_gift_the_bank_took_back_leaves_the_solidarity_fund(october):  # noqa: F811
    gift = contributions.record_payment(
        received_on=datetime.date(2026, 10, 10),
        reference=contributions.solidarity_reference().code,
        amount_cents=5000,
        token="gift",
        actor=None,
    )
    reverse_payment(
        payment=gift,
        kind="bank_reversal",
        reversed_on=NOV_3,
        reason="Dishonoured",
        actor=october.sam,
    )
    assert balance(accounts.SOLIDARITY, at=NOV_3) == 0
    assert month_inflows(PERIOD).gifts_cents == 0


def test_a_closed_months_payment_cannot_be_given_back(client, october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    rita = Payment.objects.get(reference__resident=october.rita)
    transactions = Transaction.objects.count()
    client.force_login(october.sam)
    page = client.post(_url(rita), {"kind": "refund", "reversed_on": "2026-11-03", "reason": "x"})
    assert page.status_code == 200
    assert "its month, October 2026, is closed and split" in page.content.decode()
    assert Transaction.objects.count() == transactions and not PaymentReversal.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"kind": "refund", "reversed_on": "2026-10-01", "reason": "x"},
            "Is before the payment was received",
        ),
        ({"kind": "refund", "reversed_on": "2099-01-01", "reason": "x"}, "Is in the future."),
        ({"kind": "refund", "reversed_on": "2026-11-03", "reason": " "}, "This field is required"),
        ({"kind": "gift", "reversed_on": "2026-11-03", "reason": "x"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_told_by_field_and_posts_nothing(client, october, data, message):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    transactions = Transaction.objects.count()
    client.force_login(october.sam)
    page = client.post(_url(rita), data)
    assert page.status_code == 200 and message in page.content.decode()
    assert Transaction.objects.count() == transactions


def test_a_payment_is_given_back_once(october):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    reverse_payment(payment=rita, kind="refund", reversed_on=NOV_3, reason="x", actor=october.sam)
    with pytest.raises(InputProblems, match="already given back"):
        reverse_payment(
            payment=rita, kind="refund", reversed_on=NOV_3, reason="x", actor=october.sam
        )
    assert Transaction.objects.filter(reverses=rita.ledger_entry).count() == 1


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_only_the_steward_gives_payments_back(client, october, persona):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    client.force_login(getattr(october, persona))
    answer = client.post(_url(rita), {"kind": "refund", "reversed_on": "2026-11-03", "reason": "x"})
    assert answer.status_code == 403 and not PaymentReversal.objects.exists()


def test_a_closed_months_payment_offers_no_form(client, october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    rita = Payment.objects.get(reference__resident=october.rita)
    client.force_login(october.sam)
    page = client.get(_url(rita))
    assert_clean_page(page)
    html = page.content.decode()
    assert "cannot be given back: its month, October 2026, is closed" in html
    assert "Give it back</button>" not in html
