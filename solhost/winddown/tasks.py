"""Scheduled jobs; each is also a command (``solhost wind-down-deadlines``)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.winddown.actions import mark_no_response, open_late_cases


@db_periodic_task(crontab(hour="3", minute="10"))
def wind_down_deadlines_nightly() -> None:
    # Residents who came after the announcement are found by the day's sign-ins and usage.
    open_late_cases()
    # A deadline passes by the calendar alone, with nobody acting on the case.
    mark_no_response(today=timezone.localdate())
