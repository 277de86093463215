"""A closed partner's held and carried money, settled through the ledger when the steward
completes its wind-down, as the network's rule in force that day says; not a cent lost."""

import datetime

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from solhost.core.models import AuditEvent, Parameter, ParameterValue
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.ledger.books import balance, balances
from solhost.ledger.models import Posting, Transaction
from solhost.winddown import actions
from solhost.winddown.queries import settlement_key
from solhost.winddown.tests.helpers import DATES, closing_story, start

CLOSED_ON = DATES["data_return_deadline"] + datetime.timedelta(days=1)
HELD, CARRIED = 5678, 1234


@pytest.fixture
def story(world):
    """Merri Creek Computing is closing with $56.78 held for it (a month it was not
    qualified) and $12.34 carried (below the minimum payout), and Coburg Commons Tech is
    owed $20.00 that must not move."""
    story = closing_story(world)
    contributions = accounts.fixed_account(accounts.CONTRIBUTIONS)
    post_transaction(
        description="Close of 2026-11",
        postings=[
            (contributions, HELD + CARRIED + 2000),
            (accounts.held_account(story.mcc), -HELD),
            (accounts.payable_account(story.mcc), -CARRIED),
            (accounts.payable_account(story.cct), -2000),
        ],
        actor=None,
        date=datetime.date(2026, 11, 30),
        key="close:2026-11",
    )
    story.wind_down = start(story)
    return story


def _complete(story):
    return actions.complete_wind_down(
        wind_down=story.wind_down, actor=story.sam, confirmed=True, today=CLOSED_ON
    )


def _rule_from(day: datetime.date, rule: str) -> None:
    ParameterValue.objects.create(
        parameter=Parameter.objects.get(key="wind_down_balance_rule"),
        effective_from=day,
        value=rule,
        source="test: a network decision",
    )


def _owed(partner) -> int:
    return -balance(accounts.payable_code(partner), at=CLOSED_ON)


def _held(partner) -> int:
    return -balance(accounts.held_code(partner), at=CLOSED_ON)


def _solidarity() -> int:
    return -balance(accounts.SOLIDARITY, at=CLOSED_ON)


def _nothing_lost() -> None:
    assert Posting.objects.aggregate(total=Sum("amount_cents"))["total"] == 0
    assert sum(balances(at=CLOSED_ON).values()) == 0


def test_paying_out_releases_the_held_money_into_what_the_partner_is_owed(story):
    _complete(story)
    assert (_held(story.mcc), _owed(story.mcc)) == (0, 6912)
    assert _owed(story.cct) == 2000 and _solidarity() == 0
    entry = Transaction.objects.get(key=settlement_key(story.wind_down))
    assert entry.date == CLOSED_ON and entry.recorded_by == story.sam
    assert {p.account.code: p.amount_cents for p in entry.postings.all()} == {
        "liabilities:held:mcc": 5678,
        "liabilities:payable:mcc": -5678,
    }
    [event] = AuditEvent.objects.filter(action="winddown.settle")
    assert event.actor == story.sam
    assert event.after == {
        "rule": "pay_out",
        "held_cents": 5678,
        "owed_cents": 1234,
        "transaction": entry.pk,
    }
    _nothing_lost()


def test_unclaimed_money_goes_to_the_solidarity_fund_when_the_network_says_so(story):
    _rule_from(CLOSED_ON, "solidarity")
    _complete(story)
    assert (_held(story.mcc), _owed(story.mcc)) == (0, 0)
    assert _solidarity() == 6912
    assert _owed(story.cct) == 2000
    entry = Transaction.objects.get(key=settlement_key(story.wind_down))
    assert {p.account.code: p.amount_cents for p in entry.postings.all()} == {
        "liabilities:held:mcc": 5678,
        "liabilities:payable:mcc": 1234,
        "liabilities:solidarity": -6912,
    }
    _nothing_lost()


def test_the_rule_in_force_on_the_day_of_completion_applies(story):
    _rule_from(CLOSED_ON + datetime.timedelta(days=1), "solidarity")
    _complete(story)
    assert (_owed(story.mcc), _solidarity()) == (6912, 0)


def test_a_refused_completion_moves_no_money(story):
    entries = Transaction.objects.count()
    with pytest.raises(Exception, match="2 cases are still open"):
        actions.complete_wind_down(
            wind_down=story.wind_down, actor=story.sam, confirmed=True, today=DATES["announced_on"]
        )
    assert Transaction.objects.count() == entries
    assert (_held(story.mcc), _owed(story.mcc)) == (HELD, CARRIED)
    assert not AuditEvent.objects.filter(action="winddown.settle").exists()


def test_a_partner_with_no_money_posts_nothing_and_says_so(world):
    story = closing_story(world)
    story.wind_down = start(story)
    _complete(story)
    assert not Transaction.objects.exists()
    [event] = AuditEvent.objects.filter(action="winddown.settle")
    assert event.after["transaction"] is None


def test_the_wind_down_page_shows_the_money_before_and_after(client, story, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: CLOSED_ON)
    client.force_login(story.alice)
    page = reverse("winddown:partner", args=["mcc"])
    before = client.get(page)
    assertContains(before, "$56.78")
    assertContains(before, "$12.34")
    assertContains(before, "paid out to Merri Creek Computing")
    _complete(story)
    after = client.get(page)
    assertContains(after, "Settled on 2 March 2027")
    assertContains(
        after,
        "<code>liabilities:held:mcc</code>: Held for Merri Creek Computing, less $56.78",
        html=True,
    )
    assertContains(after, "Merri Creek Computing is owed $69.12, which the steward pays out")
