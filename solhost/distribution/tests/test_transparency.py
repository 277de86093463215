"""The public month page: every inflow in its totals, and a scenario that recomputes it."""

import datetime
import html
import io
import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from solhost.contributions import actions as contributions
from solhost.contributions.models import Payment, PaymentReference
from solhost.distribution.actions import close_period
from solhost.distribution.models import PeriodClose
from solhost.distribution.queries import month_inflows
from solhost.distribution.tests.test_close import (  # noqa: F401
    AFTER_GRACE,
    PERIOD,
    october,
)
from solhost.ledger import accounts
from solhost.ledger.actions import post_transaction
from solhost.qualification.models import Declarations
from solhost.web.tests.pages import assert_clean_page


def _give(reference: str, cents: int, day: int, month: int = 10) -> None:
    contributions.record_payment(
        received_on=datetime.date(2026, month, day),
        reference=reference,
        amount_cents=cents,
        token=uuid.uuid4().hex,
        actor=None,
    )


@pytest.fixture
def every_inflow(october):  # noqa: F811
    """October with a payment of every purpose: residents', a sponsor's and a gift."""
    world = october
    contributions.sponsor_seat(
        organisation=world.mcc, resident=world.bob, monthly_cents=800, actor=world.alice
    )
    _give(contributions.reference_for_sponsor(world.mcc).code, 800, 12)
    _give(contributions.solidarity_reference().code, 5000, 10)
    # A gift of another month stays out of October's totals.
    _give(contributions.solidarity_reference().code, 999, 2, month=11)
    paid = set(Payment.objects.values_list("reference__purpose", flat=True))
    # A purpose added later must get a payment here, so the test covers it too.
    assert paid == set(PaymentReference.Purpose.values)
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    return world


def _rows(page_html: str, caption: str) -> dict[str, str]:
    """``{row heading: cell}`` of the table with ``caption``, read as a person would."""
    table = re.split(rf"<caption[^>]*>{re.escape(caption)}</caption>", page_html)[1].split(
        "</table>"
    )[0]
    return {
        html.unescape(heading): html.unescape(cell)
        for heading, cell in re.findall(
            r'<th scope="row">([^<]*)</th><td class="num">([^<]*)</td>', table
        )
    }


def _aud(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def test_every_inflow_of_a_month_appears_in_its_public_totals(client, every_inflow):
    page = client.get(reverse("distribution:transparency", args=[PERIOD]))
    assert_clean_page(page)
    text = page.content.decode()
    in_october = Payment.objects.filter(received_on__month=10)
    rows = _rows(text, "Where the money came from")
    for purpose, label in PaymentReference.Purpose.choices:
        cents = sum(
            in_october.filter(reference__purpose=purpose).values_list("amount_cents", flat=True)
        )
        assert cents > 0 and rows[label] == _aud(cents), label
    total = sum(in_october.values_list("amount_cents", flat=True))
    assert total == 2500 + 1200 + 800 + 5000
    assert rows["Total in"] == _aud(total)
    assert f"<dt>Total in</dt><dd>{_aud(total)}</dd>" in text
    # The solidarity fund holds its share of the split and the whole gift.
    close = PeriodClose.objects.get(period=PERIOD)
    assert f"<dt>Solidarity fund</dt><dd>{_aud(close.solidarity_cents + 5000)}</dd>" in text
    flows = json.loads(text.split('type="application/json">')[1].split("</script>")[0])
    assert {"source": "Gifts", "target": "Solidarity fund", "value": 5000} in flows["links"]


def test_the_inflows_are_the_ledgers_bank_debits_of_the_month(every_inflow):
    inflows = month_inflows(PERIOD)
    assert inflows.by_purpose == {"resident": 3700, "sponsor": 800, "solidarity": 5000}
    assert (inflows.total_cents, inflows.gifts_cents, inflows.split_cents) == (9500, 5000, 4500)
    # What the close split is what was paid in, less the gifts.
    assert PeriodClose.objects.get(period=PERIOD).total_in_cents == inflows.split_cents
    assert month_inflows("2026-11").total_cents == 999


def test_the_downloaded_scenario_recomputes_the_published_figures(client, every_inflow, tmp_path):
    close = PeriodClose.objects.get(period=PERIOD)
    page = client.get(reverse("distribution:transparency", args=[PERIOD])).content.decode()
    link = reverse("distribution:transparency_scenario", args=[PERIOD])
    assert f'href="{link}"' in page
    download = client.get(link)
    assert download["Content-Type"].startswith("application/json")
    assert f'filename="scenario-{PERIOD}.json"' in download["Content-Disposition"]
    path = tmp_path / f"scenario-{PERIOD}.json"
    path.write_bytes(download.content)
    out = io.StringIO()
    call_command("distribute", scenario=str(path), format="json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["input_hash"] == close.input_hash and result["algorithm"] == close.algorithm
    assert close.input_hash in page
    pools, balance = result["pools"], result["balance"]
    assert (
        balance["total_in_cents"],
        pools["commons_cents"],
        pools["solidarity_cents"],
        pools["land_back_cents"],
        balance["payout_cents"],
        balance["carried_out_cents"],
    ) == (
        close.total_in_cents,
        close.commons_cents,
        close.solidarity_cents,
        close.land_back_cents,
        close.payout_cents,
        close.carried_cents,
    )
    for statement in close.partners.select_related("partner"):
        figures = result["partners"][statement.partner.slug]
        assert (figures["gross_cents"], figures["payout_cents"], figures["carried_cents"]) == (
            statement.gross_cents,
            statement.payout_cents,
            statement.carried_cents,
        )


def test_a_month_not_closed_has_no_scenario(client, october):  # noqa: F811
    assert (
        client.get(reverse("distribution:transparency_scenario", args=[PERIOD])).status_code == 404
    )


def _land_back(page_html: str) -> str:
    section = page_html.split('id="land-back-title"')[1].split("</section>")[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))


def test_a_month_with_no_land_back_says_why(client, every_inflow):
    # Both partners are settler-run (no declarations) and pay land back themselves.
    text = _land_back(
        client.get(reverse("distribution:transparency", args=[PERIOD])).content.decode()
    )
    assert "Withheld this month $0.00" in text
    assert "Remitted to Pay the Rent this month $0.00" in text
    assert (
        "the 2 partners run by settlers pay their land-back share (at least 10 % of gross, "
        "charter criterion B7) to land-back programs directly" in text
    )


def test_first_nations_run_partners_are_named_as_owing_none(client, october):  # noqa: F811
    Declarations.objects.create(organisation=october.cct, run_by="first_nations")
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    text = _land_back(
        client.get(reverse("distribution:transparency", args=[PERIOD])).content.decode()
    )
    assert "the one partner run by settlers pays its land-back share" in text
    assert "the one partner is run by First Nations people, who owe no land back" in text


def test_land_back_withheld_and_remitted_shows_with_no_excuse(client, october):  # noqa: F811
    Declarations.objects.create(
        organisation=october.cct, run_by="settlers", land_back_withheld_by_platform=True
    )
    close = close_period(period=PERIOD, actor=None, today=AFTER_GRACE)[0]
    assert close.land_back_cents == 50  # 10 % of CCT's $5.00
    # Remitted in the same month, as a sent batch posts it: out of the liability, out of the bank.
    post_transaction(
        description="Land back remitted",
        postings=[
            (accounts.fixed_account(accounts.LAND_BACK), 30),
            (accounts.fixed_account(accounts.BANK), -30),
        ],
        actor=None,
        date=datetime.date(2026, 10, 31),
    )
    text = _land_back(
        client.get(reverse("distribution:transparency", args=[PERIOD])).content.decode()
    )
    assert "Withheld this month $0.50" in text
    assert "Remitted to Pay the Rent this month $0.30" in text
    assert "Still to remit at the month's end $0.20" in text
    assert "Nothing was withheld" not in text
