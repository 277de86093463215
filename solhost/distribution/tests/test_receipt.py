"""A printable receipt per payment, for whoever paid it and the steward only."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from solhost.contributions import actions as contributions
from solhost.contributions.models import Payment
from solhost.distribution.refunds import reverse_payment
from solhost.distribution.tests.test_close import october  # noqa: F401
from solhost.web.tests.pages import assert_clean_page


def _receipt(payment: Payment) -> str:
    return reverse("distribution:receipt", args=[payment.pk])


def test_a_resident_finds_and_prints_the_receipt_of_their_payment(client, october):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    client.force_login(october.rita)
    mine = client.get(reverse("distribution:where_it_went")).content.decode()
    assert f'href="{_receipt(rita)}"' in mine
    page = client.get(_receipt(rita))
    assert_clean_page(page)
    html = page.content.decode()
    assert f"Receipt {rita.pk}" in html and "$25.00 AUD" in html and "15 October 2026" in html
    assert "A resident&#x27;s own contribution" in html and rita.reference.code in html
    # The print stylesheet leaves the site's navigation off the paper.
    assert 'href="/static/distribution/receipt.css"' in html
    with open(finders.find("distribution/receipt.css")) as css:
        assert "@media print" in css.read()


def test_a_receipt_says_when_the_payment_was_given_back(client, october):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    reverse_payment(
        payment=rita, kind="refund", reversed_on=datetime.date(2026, 11, 3), reason="x", actor=None
    )
    client.force_login(october.rita)
    assert "Refund to the payer, 3 November 2026" in client.get(_receipt(rita)).content.decode()


def test_a_sponsors_admins_see_its_receipts(client, october):  # noqa: F811
    world = october
    contributions.sponsor_seat(
        organisation=world.mcc, resident=world.bob, monthly_cents=800, actor=world.alice
    )
    paid = contributions.record_payment(
        received_on=datetime.date(2026, 10, 12),
        reference=contributions.reference_for_sponsor(world.mcc).code,
        amount_cents=800,
        token="seat",
        actor=None,
    )
    client.force_login(world.alice)
    assert "Merri Creek Computing" in client.get(_receipt(paid)).content.decode()
    client.force_login(world.bob)  # a member, who does not act for MCC
    assert client.get(_receipt(paid)).status_code == 404


@pytest.mark.parametrize("persona, status", [("bob", 404), ("carol", 404), ("sam", 200)])
def test_nobody_else_sees_a_residents_receipt(client, october, persona, status):  # noqa: F811
    rita = Payment.objects.get(reference__resident=october.rita)
    client.force_login(getattr(october, persona))
    assert client.get(_receipt(rita)).status_code == status


def test_a_yearly_statement_lists_the_residents_payments_of_the_financial_year(client, october):  # noqa: F811
    world = october
    reference = contributions.reference_for_resident(world.rita).code
    for day, cents in ((datetime.date(2026, 6, 30), 700), (datetime.date(2026, 10, 20), 900)):
        contributions.record_payment(
            received_on=day, reference=reference, amount_cents=cents, token=str(day), actor=None
        )
    refunded = Payment.objects.get(amount_cents=900)
    reverse_payment(
        payment=refunded,
        kind="refund",
        reversed_on=datetime.date(2026, 11, 3),
        reason="x",
        actor=None,
    )
    client.force_login(world.rita)
    mine = client.get(reverse("distribution:where_it_went")).content.decode()
    link = reverse("distribution:yearly_statement", args=[2026])
    assert f'href="{link}"' in mine and "2025–2026" in mine
    page = client.get(link)
    assert_clean_page(page)
    html = page.content.decode()
    assert "1 July 2026 to 30 June 2027" in html
    assert "$25.00" in html and "$9.00" in html and "$7.00" not in html  # June is last year's
    assert "refund to the payer, 3 Nov 2026" in html
    assert '<td class="num">$25.00</td></tr></tfoot>' in html  # the refund is not kept
    # Bob's payment is his alone.
    assert "$12.00" not in html
