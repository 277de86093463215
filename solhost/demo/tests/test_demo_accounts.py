"""The demo's public accounts show every payment the steward recorded, gifts included."""

import pytest
from django.db.models import Sum
from django.urls import reverse
from pytest_django.asserts import assertContains

from solhost.contributions.models import Payment, PaymentReference
from solhost.core.money import format_aud
from solhost.demo.loader import load_demo
from solhost.distribution.models import PeriodClose


@pytest.mark.django_db
def test_each_closed_month_of_the_demo_shows_its_gifts_and_every_payment_in_its_total(client):
    load_demo()
    closes = list(PeriodClose.objects.values_list("period", flat=True))
    assert closes, "the demo has a closed month"
    gifts_seen = 0
    for period in closes:
        year, month = (int(part) for part in period.split("-"))
        payments = Payment.objects.filter(received_on__year=year, received_on__month=month)
        total = payments.aggregate(total=Sum("amount_cents"))["total"] or 0
        gifts = payments.filter(reference__purpose=PaymentReference.Purpose.SOLIDARITY)
        page = client.get(reverse("distribution:transparency", args=[period]))
        assertContains(page, format_aud(total))
        for gift in gifts:
            assertContains(page, format_aud(gift.amount_cents))
            gifts_seen += 1
    # The demo's steward recorded a $50.00 gift to the solidarity fund in a closed month.
    assert gifts_seen >= 1
