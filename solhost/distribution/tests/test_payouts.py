import datetime

import pytest
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.core.problems import InputProblems
from solhost.distribution.actions import close_period
from solhost.distribution.models import Payout
from solhost.distribution.payouts import owed_cents, record_payout
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, october  # noqa: F401
from solhost.ledger import accounts
from solhost.ledger.books import balance
from solhost.ledger.models import Transaction
from solhost.web.tests.pages import assert_clean_page

PAID_ON = datetime.date(2026, 11, 10)


@pytest.fixture
def closed(october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    return october


def pay(world, cents, *, token="form-1", on=PAID_ON, partner=None):  # noqa: S107 (a form token)
    return record_payout(
        partner=partner or world.mcc,
        amount_cents=cents,
        paid_on=on,
        bank_reference="SOLHOST OCT",
        token=token,
        actor=world.sam,
    )


def test_a_payout_moves_money_from_payable_to_the_bank_and_is_audited(closed):
    assert owed_cents(closed.mcc) == 2460
    bank_before = balance(accounts.BANK, at=PAID_ON)
    payout = pay(closed, 2000)
    assert owed_cents(closed.mcc) == 460
    assert balance(accounts.BANK, at=PAID_ON) == bank_before - 2000
    lines = {p.account.code: p.amount_cents for p in payout.ledger_entry.postings.all()}
    assert lines == {"liabilities:payable:mcc": 2000, "assets:bank": -2000}
    event = AuditEvent.objects.get(action="distribution.payout")
    assert event.actor == closed.sam and event.after["amount_cents"] == 2000


def test_the_same_form_sent_twice_pays_once(closed):
    assert pay(closed, 1000) is not None
    assert pay(closed, 1000) is None
    assert Payout.objects.count() == 1 and owed_cents(closed.mcc) == 1460


def test_paying_more_than_is_owed_is_refused_and_changes_nothing(closed):
    entries = Transaction.objects.count()
    with pytest.raises(InputProblems) as refused:
        pay(closed, 2461)
    assert refused.value.problems == [
        ("amount", "is more than the 24.60 AUD owed to Merri Creek Computing from 2026-11-10 on")
    ]
    assert Transaction.objects.count() == entries and not Payout.objects.exists()


def test_a_backdated_payout_cannot_spend_what_a_later_payout_took(closed):
    pay(closed, 2000, token="later", on=datetime.date(2026, 11, 20))
    with pytest.raises(InputProblems, match=r"4\.60 AUD owed"):
        pay(closed, 1000, token="earlier", on=PAID_ON)
    assert pay(closed, 460, token="rest", on=PAID_ON) is not None
    assert owed_cents(closed.mcc) == 0


def test_bad_amounts_and_future_dates_are_refused_by_field(closed):
    with pytest.raises(InputProblems) as refused:
        pay(closed, 0, on=datetime.date.today() + datetime.timedelta(days=2))
    assert dict(refused.value.problems) == {
        "amount": "must be more than zero",
        "paid_on": "is in the future",
    }
    with pytest.raises(InputProblems):
        pay(closed, True)


def test_a_partner_not_owed_anything_cannot_be_paid(closed):
    with pytest.raises(InputProblems, match=r"0\.00 AUD owed"):
        pay(closed, 100, partner=closed.steward)


def test_the_steward_records_a_payout_on_the_page(client, closed):
    client.force_login(closed.sam)
    page = client.get(reverse("distribution:payouts"))
    assert_clean_page(page)
    html = page.content.decode()
    assert "Owed to each partner today" in html and "$24.60" in html
    token = page.context["form"]["token"].value()
    form = {
        "partner": closed.mcc.pk,
        "amount": "20.00",
        "paid_on": "2026-11-10",
        "bank_reference": "SOLHOST OCT",
        "token": token,
    }
    done = client.post(reverse("distribution:payouts"), form, follow=True)
    assert "Recorded $20.00 paid to Merri Creek Computing" in done.content.decode()
    again = client.post(reverse("distribution:payouts"), form, follow=True)
    assert "already recorded" in again.content.decode()
    assert Payout.objects.count() == 1


def test_the_page_names_the_field_at_fault_and_changes_nothing(client, closed):
    client.force_login(closed.sam)
    form = {
        "partner": closed.mcc.pk,
        "amount": "99.00",
        "paid_on": "2026-11-10",
        "token": "x1",
    }
    page = client.post(reverse("distribution:payouts"), form)
    assert page.status_code == 200
    assert "is more than the 24.60 AUD owed" in page.content.decode()
    assert page.context["form"].errors["amount"]
    bad = client.post(reverse("distribution:payouts"), form | {"amount": "lots", "partner": "9999"})
    assert set(bad.context["form"].errors) == {"amount", "partner"}
    assert not Payout.objects.exists()


@pytest.mark.parametrize("who", ["rita", "alice", "carol"])
def test_only_the_steward_records_payouts(client, closed, who):
    client.force_login(getattr(closed, who))
    assert client.get(reverse("distribution:payouts")).status_code == 403
    form = {"partner": closed.mcc.pk, "amount": "1", "paid_on": "2026-11-10", "token": "x"}
    assert client.post(reverse("distribution:payouts"), form).status_code == 403
    assert not Payout.objects.exists()


def test_a_partner_sees_what_it_is_owed_and_its_payouts_on_its_statements(client, closed):
    pay(closed, 2000)
    client.force_login(closed.bob)
    page = client.get(reverse("distribution:statements", args=["mcc"]))
    assert_clean_page(page)
    html = page.content.decode()
    assert "owes Merri Creek Computing $4.60 today" in html and "SOLHOST OCT" in html
    client.force_login(closed.carol)
    assert client.get(reverse("distribution:statements", args=["mcc"])).status_code == 404
