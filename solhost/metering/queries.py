"""Reading usage: whether a day still takes usage, and each resident's weight per service."""

import datetime

from django.db.models import Count
from django.utils import timezone

from solhost.core.models import parameter_value
from solhost.metering.models import ActiveDay, FrozenPeriod
from solhost.metering.periods import last_day_for_usage, parse_period, period_of

WEIGHT_RULES = ("active_days",)


def usage_open_for(day: datetime.date, *, today: datetime.date | None = None) -> str | None:
    """None if usage on ``day`` is still accepted, else the reason it is not."""
    period = period_of(day)
    if FrozenPeriod.objects.filter(period=period).exists():
        return f"period {period} is closed: its usage is final and its money has been split"
    return grace_over_for(day, today=today)


def grace_over_for(day: datetime.date, *, today: datetime.date | None = None) -> str | None:
    """Why usage on ``day`` comes too late (its month and grace days are over), or None.

    A day of the month still running (a sign-in's, nearly always) is on time whatever the
    grace: the parameter is read only for a day of a month already over.
    """
    period = period_of(day)
    today = today or timezone.localdate()
    if today <= parse_period(period)[1]:
        return None
    grace = int(parameter_value("usage_grace_days", at=today))
    last = last_day_for_usage(period, grace)
    if today > last:
        return (
            f"period {period} stopped taking usage after {last.isoformat()} "
            f"({grace} days of grace after the month)"
        )
    return None


def weights_for(period: str) -> dict[tuple[int, int], int]:
    """``{(resident id, service id): weight}`` for ``period`` under the rule in force then.

    The only rule so far is ``active_days``: the number of distinct days with any event,
    kept as one ActiveDay row per resident, service and day as events arrive.
    """
    first, last = parse_period(period)
    rule = parameter_value("usage_weight_rule", at=last)
    if rule != "active_days":
        raise ValueError(f"unknown usage weight rule {rule!r}")
    rows = (
        ActiveDay.objects.filter(day__gte=first, day__lte=last)
        .order_by()
        .values("resident_id", "service_id")
        .annotate(days=Count("id"))
        .values_list("resident_id", "service_id", "days")
    )
    return {(resident, service): days for resident, service, days in rows}
