"""A closed month of money for the demo region, made through the same actions as real use.

Residents choose contributions and pay them, partners report the days residents used
their services, someone gives to the solidarity fund, and the month is closed. The month
is the one before last, so its grace days are always over. Re-running adds nothing: the
payments, events and the close are all keyed.
"""

import datetime
from collections.abc import Mapping

from django.utils import timezone

from solhost.contributions.actions import (
    choose_contribution,
    record_payment,
    reference_for_resident,
    solidarity_reference,
)
from solhost.distribution.actions import close_period
from solhost.distribution.models import PeriodClose
from solhost.identity.models import User
from solhost.identity.subjects import organisation_sector, pairwise_sub
from solhost.metering.actions import record_usage_batch
from solhost.metering.periods import period_of, previous_month
from solhost.partners.models import Service

# Who pays what a month, and which services they used on which days of the month.
DEMO_RESIDENTS = {
    "maria": (1200, {"merri-files": range(1, 29, 2), "coburg-chat": range(3, 20)}),
    "ahmed": (500, {"fawkner-social": range(1, 29), "northside-forum": (6, 13, 20, 27)}),
    "kate": (2500, {"solar-forge": range(2, 24, 3), "merri-files": range(1, 15)}),
    "tom": (0, {"commons-meet": (4, 11, 18, 25)}),
}
SOLIDARITY_GIFT_CENTS = 5000


def demo_period(today: datetime.date) -> tuple[str, datetime.date]:
    """The month before last (``YYYY-MM``) and its first day."""
    first = previous_month(previous_month(today))
    return period_of(first), first


def load_demo_money(
    *, residents: Mapping[str, User], today: datetime.date | None = None
) -> PeriodClose:
    """Contributions, payments and usage for the month before last, then its close.

    ``residents`` are the demo's own accounts by username; only the demo's database is
    given to this (see the loader), so the month holds no one else's money.
    """
    period, first = demo_period(today or timezone.localdate())
    closed = PeriodClose.objects.filter(period=period).first()
    if closed is not None:
        return closed
    zone = timezone.get_current_timezone()
    reported = datetime.datetime.combine(first.replace(day=28), datetime.time(18), tzinfo=zone)
    services = {s.slug: s for s in Service.objects.select_related("organisation")}
    for username, (monthly_cents, used) in DEMO_RESIDENTS.items():
        resident = residents[username]
        choose_contribution(resident=resident, monthly_cents=monthly_cents, actor=resident)
        if monthly_cents:
            record_payment(
                received_on=first.replace(day=3),
                reference=reference_for_resident(resident).code,
                amount_cents=monthly_cents,
                token=f"demo:{period}:{username}",
                actor=None,
            )
        for slug, days in used.items():
            events = [
                {
                    "id": f"demo-{period}-{username}-{slug}-{day}",
                    # As the co-op's service received it (its clients get pairwise subs).
                    "resident": str(
                        pairwise_sub(
                            resident.sub, organisation_sector(services[slug].organisation_id)
                        )
                    ),
                    "service": slug,
                    "kind": "open",
                    "occurred_at": datetime.datetime.combine(
                        first.replace(day=day), datetime.time(9), tzinfo=zone
                    ).isoformat(),
                }
                for day in days
            ]
            record_usage_batch(partner=services[slug].organisation, events=events, now=reported)
    record_payment(
        received_on=first.replace(day=10),
        reference=solidarity_reference().code,
        amount_cents=SOLIDARITY_GIFT_CENTS,
        token=f"demo:{period}:solidarity",
        actor=None,
    )
    close, _ = close_period(period=period, actor=None)
    return close
