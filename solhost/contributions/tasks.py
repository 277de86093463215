from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.contributions.pledges import send_reminders


@db_periodic_task(crontab(hour="9", minute="30"))
def remind_pledges() -> int:
    """Each morning, one gentle note per pledged payment that hasn't arrived."""
    return send_reminders()
