"""A month of money, in a real browser against a real server.

A resident chooses a contribution, the steward records the transfer, the resident uses
two partners' services, the month closes, and then the resident sees where their money
went, the public sees the region's split, and the partner sees its gross.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from playwright import sync_api

from solhost.core.dates import month_in_words
from solhost.core.money import format_aud
from solhost.demo.money import demo_period
from solhost.distribution.models import PartnerStatement, ResidentShare
from solhost.metering.actions import record_usage_batch
from solhost.qualification.models import QualificationRun
from solhost.test import sub_at
from solhost.tests.photographs import signed_in_context

pytestmark = pytest.mark.e2e


def closed_month() -> tuple[str, datetime.date]:
    """A month two months back: its grace days are over whatever today is."""
    return demo_period(timezone.localdate())


class Session:
    """One signed-in person's browser tab, which photographs pages and notes failures."""

    def __init__(self, browser, live_server, user, shots: Path):
        self.base_url = live_server.url
        self.shots = shots
        self.problems: list[str] = []
        _, context = signed_in_context(
            browser, live_server.url, user, viewport={"width": 1280, "height": 900}
        )
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"money-{name}.png", full_page=True)


def use(world, resident, service, partner, days, first: datetime.date) -> None:
    """The partner reports the resident's use on these days, while the month was open."""
    zone = timezone.get_current_timezone()
    events = [
        {
            "id": f"{resident.username}-{service}-{day}",
            "resident": sub_at(resident, partner),
            "service": service,
            "kind": "open",
            "occurred_at": datetime.datetime.combine(
                first.replace(day=day), datetime.time(10), tzinfo=zone
            ).isoformat(),
        }
        for day in days
    ]
    reported = datetime.datetime.combine(first.replace(day=28), datetime.time(12), tzinfo=zone)
    result = record_usage_batch(partner=partner, events=events, now=reported)
    assert len(result.accepted) == len(days)


def test_a_months_money_goes_where_the_resident_went(live_server, world, browser):
    period, first = closed_month()
    shots = Path(django_settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect

    rita = Session(browser, live_server, world.rita, shots)
    rita.goto("/contribute/")
    rita.page.get_by_label("$12.00 a month").check()
    rita.shot("contribute")
    rita.page.get_by_role("button", name="Save my contribution").click()
    expect(rita.page.get_by_role("main")).to_contain_text("Your contribution is now $12.00 a month")
    reference = rita.page.locator(".payment-reference code").inner_text().strip()
    assert reference.startswith("R-")
    rita.shot("contribute-chosen")

    sam = Session(browser, live_server, world.sam, shots)
    sam.goto("/contribute/payments/")
    sam.page.get_by_label("Date received").fill(first.replace(day=15).isoformat())
    sam.page.get_by_label("Payment reference").fill(reference)
    sam.page.get_by_label("Amount, in dollars").fill("12")
    sam.page.get_by_role("button", name="Record payment").click()
    expect(sam.page.get_by_role("main")).to_contain_text(f"Recorded $12.00 from {reference}")
    sam.shot("payment-recorded")

    # Rita used MCC's files on three days and CCT's chat on one; both partners qualify.
    use(world, world.rita, "mcc-files", world.mcc, [1, 2, 3], first)
    use(world, world.rita, "cct-chat", world.cct, [4], first)
    last_day = (first + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    for partner in (world.mcc, world.cct):
        QualificationRun.objects.create(
            organisation=partner,
            at=last_day,
            trigger="test",
            criteria_version="1",
            parameters={},
            qualified=True,
        )
    call_command("close-period", period)

    share = ResidentShare.objects.get(resident=world.rita, close__period=period)
    assert share.paid_cents == 1200
    assert share.services["mcc-files"] > share.services["cct-chat"] > 0
    rita.goto("/contribute/where-it-went/")
    month = rita.page.get_by_role("region", name=f"{month_in_words(period)}: you paid $12.00")
    for name, slug in (("MCC Files", "mcc-files"), ("CCT Chat", "cct-chat")):
        row = month.get_by_role("row", name=name)
        expect(row).to_contain_text(format_aud(share.services[slug]))
    rita.shot("where-it-went")

    public = Session(browser, live_server, None, shots)
    public.goto(f"/transparency/{period}/")
    expect(public.page.get_by_role("heading", level=1)).to_have_text(
        f"Where the money went in {month_in_words(period)}"
    )
    statement = PartnerStatement.objects.get(partner=world.mcc, close__period=period)
    per_partner = public.page.get_by_role("table", name="Per partner")
    expect(per_partner.get_by_role("row", name="Merri Creek Computing")).to_contain_text(
        format_aud(statement.gross_cents)
    )
    public.shot("transparency")

    alice = Session(browser, live_server, world.alice, shots)
    alice.goto(f"/statements/mcc/{period}/")
    figures = alice.page.get_by_role("table", name="The month's figures")
    expect(figures).to_contain_text(format_aud(statement.gross_cents))
    assert statement.gross_cents == share.services["mcc-files"]
    alice.shot("statement")

    # The steward pays the co-op what it is owed, after trying too much.
    sam.goto("/payouts/")
    owed = sam.page.get_by_role("table", name="Owed to each partner today")
    expect(owed.get_by_role("row", name="Merri Creek Computing")).to_contain_text(
        format_aud(statement.payout_cents + statement.carried_cents)
    )
    sam.page.get_by_label("Partner", exact=True).select_option(label="Merri Creek Computing")
    sam.page.get_by_label("Amount, in dollars").fill("1000")
    sam.page.get_by_label("Bank reference").fill(f"SOLHOST {period}")
    sam.page.get_by_role("button", name="Record payout").click()
    expect(sam.page.get_by_role("alert")).to_contain_text("is more than the")
    sam.shot("payout-error")
    sam.page.get_by_label("Amount, in dollars").fill(f"{statement.net_cents / 100:.2f}")
    sam.page.get_by_role("button", name="Record payout").click()
    expect(sam.page.get_by_role("main")).to_contain_text(
        f"Recorded {format_aud(statement.net_cents)} paid to Merri Creek Computing"
    )
    sam.shot("payouts")
    alice.goto("/statements/mcc/")
    expect(
        alice.page.get_by_role("table", name="Transfers from the steward to Merri Creek Computing")
    ).to_contain_text(f"SOLHOST {period}")
    alice.shot("statements")

    # Alice's co-op also pays for Bob's seat from next month on.
    alice.goto("/manage/mcc/sponsorship/")
    alice.page.get_by_label("Member", exact=True).select_option(label="bob")
    alice.page.get_by_label("Monthly amount, in dollars").fill("lots")
    alice.page.get_by_role("button", name="Sponsor this seat").click()
    expect(alice.page.get_by_role("alert")).to_contain_text("is not an amount of dollars")
    alice.shot("sponsorship-error")
    alice.page.get_by_label("Monthly amount, in dollars").fill("12.50")
    alice.page.get_by_role("button", name="Sponsor this seat").click()
    seats = alice.page.get_by_role(
        "table", name="Members whose seats Merri Creek Computing sponsors"
    )
    expect(seats.get_by_role("row", name="bob")).to_contain_text("$12.50")
    alice.shot("sponsorship")
    alice.page.set_viewport_size({"width": 375, "height": 800})
    alice.shot("sponsorship-narrow")

    assert rita.problems + sam.problems + public.problems + alice.problems == []
