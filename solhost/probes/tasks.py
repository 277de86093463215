"""Scheduled job: every minute, check the addresses whose probe interval (a parameter) is over.

Each run is ``solhost probes run --due``; a run that finds nothing due does nothing.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from solhost.probes.actions import probe_services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), name="probe_services")
def probe_due_services() -> None:
    # A slow round may overlap the next: each round claims the targets it checks.
    result = probe_services(due_only=True)
    if result.checked or result.not_probed:
        logger.info(
            "Probes: %d checked (%d up, %d down), %d not probed",
            result.checked,
            result.up,
            result.down,
            result.not_probed,
        )
