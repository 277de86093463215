"""Scheduled jobs; each is also ``solhost close-decisions``."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.governance.actions import close_due_decisions, send_due_notices


@db_periodic_task(crontab(minute="*/5"))
def close_decisions_and_remind() -> None:
    close_due_decisions()
    send_due_notices()
