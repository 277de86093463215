from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.distribution.actions import close_period
from solhost.distribution.queries import periods_due


@db_periodic_task(crontab(hour="3", minute="15"))
def close_due_periods() -> list[str]:
    """Each night, close every month whose grace for late usage has passed."""
    closed = []
    for period in periods_due(timezone.localdate()):
        close_period(period=period, actor=None)
        closed.append(period)
    return closed
