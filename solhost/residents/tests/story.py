"""Residents with a life in the region: usage, payments, a closed month, a service they
signed in to, a second factor. Tests of exports and deletions start from here."""

import datetime
import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solhost.contributions import actions as contributions
from solhost.contributions.pledges import set_pledge
from solhost.distribution.actions import close_period
from solhost.distribution.refunds import reverse_payment
from solhost.distribution.tests.test_close import AFTER_GRACE, PERIOD, qualify, use
from solhost.identity.tests.oidc import authorize_params, consent, exchange
from solhost.test import PASSWORD
from solhost.winddown.actions import start_wind_down
from solhost.winddown.tests.helpers import DATES, TODAY

ZONE = timezone.get_current_timezone()


def pay(resident, cents: int, day: int = 15) -> None:
    contributions.choose_contribution(resident=resident, monthly_cents=cents, actor=resident)
    contributions.record_payment(
        received_on=datetime.date(2026, 10, day),
        reference=contributions.reference_for_resident(resident).code,
        amount_cents=cents,
        token=uuid.uuid4().hex,
        actor=None,
    )


def sign_in(email: str, user_agent: str = "Firefox on a laptop") -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent)
    response = browser.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return browser


def sign_in_to(browser: Client, registered, scope: str = "openid profile email") -> dict:
    code = consent(browser, authorize_params(registered, scope=scope))["code"]
    return exchange(browser, registered, code).json()


def october(world) -> None:
    """Rita pays $25 and uses MCC's files 3 days and CCT's chat 1 day; Bob pays $12 and
    uses MCC's files 1 day; October is closed."""
    use(world, world.rita, "mcc-files", [1, 2, 3])
    use(world, world.rita, "cct-chat", [1])
    use(world, world.bob, "mcc-files", [5])
    pay(world.rita, 2500)
    pay(world.bob, 1200)
    qualify(world.mcc)
    qualify(world.cct)
    close_period(period=PERIOD, actor=None, today=AFTER_GRACE)


def more_of_a_life(world) -> None:
    """Rita and Bob each pledge, have a payment this month refunded, and get a case when
    Merri Creek Computing, whose files they used, announces its closure."""
    today = timezone.localdate()
    for resident in (world.rita, world.bob):
        set_pledge(
            resident=resident,
            amount_cents=1500,
            frequency="monthly",
            starts_on=today,
            actor=resident,
        )
        payment = contributions.record_payment(
            received_on=today,
            reference=contributions.reference_for_resident(resident).code,
            amount_cents=700,
            token=uuid.uuid4().hex,
            actor=None,
        )
        reverse_payment(
            payment=payment,
            kind="refund",
            reversed_on=today,
            reason="Paid twice by mistake",
            actor=world.sam,
        )
    start_wind_down(organisation=world.mcc, actor=world.alice, dates=DATES, today=TODAY)
