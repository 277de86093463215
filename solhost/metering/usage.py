"""Reading usage back: each resident's weight per service in a period."""

from django.db.models import Count

from solhost.core.models import parameter_value
from solhost.metering.models import ActiveDay
from solhost.metering.periods import parse_period

WEIGHT_RULES = ("active_days",)


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
