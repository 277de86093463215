"""Scheduled jobs; each is also a command (``solhost wind-down-deadlines``)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.winddown.actions import mark_no_response


@db_periodic_task(crontab(hour="3", minute="10"))
def wind_down_deadlines_nightly() -> None:
    # A deadline passes by the calendar alone, with nobody acting on the case.
    mark_no_response(today=timezone.localdate())
