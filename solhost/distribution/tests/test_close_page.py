"""The steward's close page: a month's split previewed by the close's own code, then closed.

Personas (solhost.test): sam is the steward, alice a partner admin, rita a resident.
October's money is the one of test_close: Rita pays $25 and uses both partners, Bob pays
$12 and uses MCC only.
"""

import datetime
import uuid

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from solhost.contributions import actions as contributions
from solhost.core.audit import AuditAction
from solhost.core.dates import month_in_words
from solhost.core.models import AuditEvent
from solhost.distribution.actions import close_period
from solhost.distribution.models import PartnerStatement, PeriodClose
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, october  # noqa: F401
from solhost.metering.models import FrozenPeriod
from solhost.metering.periods import period_of
from solhost.web.tests.pages import assert_clean_page

INDEX = reverse("distribution:close_index")
PREVIEW = reverse("distribution:close_preview", args=[PERIOD])
CLOSE = reverse("distribution:close_month", args=[PERIOD])

CLOSE_FIELDS = (
    "period",
    "algorithm",
    "input_hash",
    "scenario",
    "total_in_cents",
    "commons_cents",
    "solidarity_cents",
    "zero_usage_cents",
    "land_back_cents",
    "held_cents",
    "payout_cents",
    "carried_cents",
    "released_cents",
)
STATEMENT_FIELDS = (
    "qualified",
    "settler_run",
    "withhold_land_back",
    "residents",
    "active_days",
    "gross_cents",
    "land_back_cents",
    "net_cents",
    "held_cents",
    "released_cents",
    "carried_in_cents",
    "payout_cents",
    "carried_cents",
    "services",
)


def every_table() -> dict[str, int]:
    # Signing in writes sessions and the audit trail; nothing else may change.
    skipped = {"sessions.session", "core.auditevent", "identity.signedinsession"}
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in skipped
    }


@pytest.fixture
def steward(client, october):  # noqa: F811
    client.force_login(october.sam)
    return client


def previewed_hash(client) -> str:
    return client.get(PREVIEW).context["figures"].close.input_hash


def test_the_steward_finds_the_page_and_sees_which_months_can_be_closed(steward, october):  # noqa: F811
    now = timezone.localdate()
    contributions.record_payment(
        received_on=now,
        reference=contributions.reference_for_resident(october.rita).code,
        amount_cents=700,
        token=uuid.uuid4().hex,
        actor=None,
    )
    home = steward.get("/").content.decode()
    assert f'href="{INDEX}"' in home
    page = steward.get(INDEX)
    assert_clean_page(page)
    html = page.content.decode()
    assert '<caption id="months-caption">Months with usage or payments</caption>' in html
    assert f'href="{PREVIEW}"' in html
    # This month still takes late usage: it says why, and offers no close.
    this_month = period_of(now)
    assert f"Not yet: {month_in_words(this_month)} still takes late usage until" in html
    assert reverse("distribution:close_preview", args=[this_month]) not in html


def test_the_preview_shows_what_the_close_then_posts(steward, october):  # noqa: F811
    page = steward.get(PREVIEW)
    assert_clean_page(page)
    html = page.content.decode()
    preview = page.context["figures"]
    assert "Each partner's share: gross, less land back, is its net</caption>" in html
    assert "net + carried in = held + payable now + carried forward</caption>" in html
    assert html.count('<th scope="row">Merri Creek Computing</th>') == 2
    for text in (
        "$37.00",
        "$3.70",
        "$24.60",
        "$5.00",
        "Merri Creek Computing",
        "Coburg Commons Tech",
    ):
        assert text in html
    assert 'name="confirm"' in html and preview.close.input_hash in html

    response = steward.post(CLOSE, {"confirm": "on", "input_hash": preview.close.input_hash})

    close = PeriodClose.objects.get(period=PERIOD)
    assert response.status_code == 302
    assert response.url == reverse("distribution:transparency", args=[PERIOD])
    for field in CLOSE_FIELDS:
        assert getattr(close, field) == getattr(preview.close, field), field
    stored = {s.partner_id: s for s in PartnerStatement.objects.filter(close=close)}
    assert stored.keys() == {s.partner_id for s in preview.statements}
    for previewed in preview.statements:
        for field in STATEMENT_FIELDS:
            assert getattr(stored[previewed.partner_id], field) == getattr(previewed, field), field
    assert close.residents.count() == len(preview.shares) == 2
    # Closed by the steward, and audited as every close is.
    assert close.closed_by == october.sam
    event = AuditEvent.objects.get(action=AuditAction.CLOSE_PERIOD)
    assert event.actor == october.sam
    shown = steward.get(response.url).content.decode()
    assert "Closed October 2026: $37.00 in" in shown


def test_the_preview_changes_nothing(steward):
    before = every_table()
    assert steward.get(PREVIEW).status_code == 200
    assert steward.get(INDEX).status_code == 200
    assert every_table() == before
    assert not FrozenPeriod.objects.exists()


def test_closing_needs_the_confirmation(steward):
    before = every_table()
    response = steward.post(CLOSE, {"input_hash": previewed_hash(steward)})
    assert response.status_code == 200
    assert "Tick “I have checked these figures” to close the month." in response.content.decode()
    assert every_table() == before


@pytest.mark.parametrize("sent", [{}, {"input_hash": "x\x00y"}, {"input_hash": "a" * 65}])
def test_closing_needs_the_previewed_figures_hash(steward, sent):
    before = every_table()
    response = steward.post(CLOSE, {"confirm": "on", **sent})
    assert response.status_code == 200
    assert "The figures you confirmed could not be read" in response.content.decode()
    assert every_table() == before


def test_figures_that_changed_since_the_preview_are_not_closed(steward, october):  # noqa: F811
    old_hash = previewed_hash(steward)
    contributions.record_payment(
        received_on=datetime.date(2026, 10, 20),
        reference=contributions.reference_for_resident(october.rita).code,
        amount_cents=1000,
        token=uuid.uuid4().hex,
        actor=None,
    )
    before = every_table()
    response = steward.post(CLOSE, {"confirm": "on", "input_hash": old_hash})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The figures of October 2026 changed since they were checked" in html
    # The new figures are shown, with the new hash to confirm.
    assert "$47.00" in html and response.context["figures"].close.input_hash != old_hash
    assert every_table() == before


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_only_the_steward_may_see_or_close(client, october, persona):  # noqa: F811
    client.force_login(getattr(october, persona))
    before = every_table()
    assert client.get(INDEX).status_code == 403
    assert client.get(PREVIEW).status_code == 403
    assert client.post(CLOSE, {"confirm": "on", "input_hash": "a" * 64}).status_code == 403
    assert f'href="{INDEX}"' not in client.get("/").content.decode()
    assert every_table() == before


def test_someone_signed_out_is_sent_to_sign_in(client, october):  # noqa: F811
    for response in (client.get(INDEX), client.get(PREVIEW), client.post(CLOSE, {})):
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not PeriodClose.objects.exists()


def test_the_close_url_takes_only_post(steward):
    assert steward.get(CLOSE).status_code == 405
    assert not PeriodClose.objects.exists()


def test_a_month_still_taking_late_usage_says_why_and_offers_no_close(steward):
    this_month = period_of(timezone.localdate())
    page = steward.get(reverse("distribution:close_preview", args=[this_month]))
    assert_clean_page(page)
    html = page.content.decode()
    month = month_in_words(this_month)
    assert f"Not yet: {month} still takes late usage" in html
    assert '<form method="post"' not in html.split('id="main"')[1]
    before = every_table()
    response = steward.post(
        reverse("distribution:close_month", args=[this_month]),
        {"confirm": "on", "input_hash": "a" * 64},
        follow=True,
    )
    assert f"Not closed: {month} still takes late usage" in (response.content.decode())
    assert every_table() == before


def test_a_closed_month_links_to_its_figures_and_is_not_closed_again(steward, october):  # noqa: F811
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)
    transparency = reverse("distribution:transparency", args=[PERIOD])
    page = steward.get(PREVIEW)
    assert_clean_page(page)
    html = page.content.decode()
    assert "October 2026 was closed on" in html and f'href="{transparency}"' in html
    assert 'name="confirm"' not in html
    assert f'href="{transparency}"' in steward.get(INDEX).content.decode()
    before = every_table()
    response = steward.post(CLOSE, {"confirm": "on", "input_hash": "a" * 64}, follow=True)
    assert "October 2026 was already closed; nothing changed." in response.content.decode()
    assert every_table() == before


@pytest.mark.parametrize("typed", ["2026-13", "October", "2026-1", "2026-100"])
def test_a_malformed_month_is_named_and_nothing_happens(steward, typed):
    page = steward.get(INDEX, {"period": typed})
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html and "Month:" in html
    assert steward.get("/closes/2026-13/").status_code == 404


def test_typing_a_month_opens_its_preview(steward):
    response = steward.get(INDEX, {"period": f" {PERIOD} "})
    assert response.status_code == 302 and response.url == PREVIEW
